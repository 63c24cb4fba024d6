"""URL routes: pages, accounts (allauth), the admin, and the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import accounts.views
import organiser.admin
from organiser import i18n, views

organiser.admin.unregister_account_takeover_admins()  # configures the admin site before urls are built

api_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script from a URL, so the docs work under the CSP (no inline script).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("volunteers.api_urls")),
    path("", include("campaigns.api_urls")),
    path("", include("canvassing.api_urls")),
    path("", include("conversations.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("organise/", views.organiser_home, name="organiser_home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/tokens/", accounts.views.token_list, name="account_tokens"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    # The scripts' strings in the page's language, as a script file (no inline script under the CSP).
    path("jsi18n/", i18n.javascript_catalogue, name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_patterns, "api"))),
    path("", include("volunteers.urls")),
    path("", include("campaigns.urls")),
    path("", include("canvassing.urls")),
    path("", include("messaging.urls")),
    path("", include("conversations.urls")),
    path("", include("compliance.urls")),
]

handler404 = "organiser.views.not_found"
handler500 = "organiser.views.server_error"
