"""Middleware: register pages are never stored (NoStoreRegisterMiddleware); staff, and anyone holding a
register grant, set up multi-factor authentication (an authenticator
app) before they use the admin or any register page.

Scope already gives a grantee without an authenticator nothing of the register (organiser.scope), by any route;
this sends them to set one up instead of answering "not found"."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from organiser import scope

#: Pages that hold register data (besides the admin): the canvassing app's.
REGISTER_PREFIXES = ("/canvass/",)


class StaffMustUseMFAMiddleware:
    """Sends a staff user or a register grantee without a TOTP authenticator to set one up before any admin or
    register page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        user = request.user
        path = request.path
        if path.startswith(self.admin_prefix) and user.is_authenticated and user.is_staff and not _has_totp(user):
            return _set_up(request, path)
        response = self.get_response(request)
        # A grantee without an authenticator is refused every register page (scope gives them nothing); asked
        # only then, so a page that is allowed costs no query more.
        if (
            response.status_code in (403, 404)
            and path.startswith(REGISTER_PREFIXES)
            and user.is_authenticated
            and scope.has_register_grant(user)
            and not _has_totp(user)
        ):
            return _set_up(request, path)
        return response


def _has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _set_up(request, path: str):
    messages.warning(request, "Set up an authenticator app before using the admin or the register.")
    return redirect(reverse("mfa_activate_totp") + "?next=" + path)


#: Where register data is served: its pages, its API and its admin. Nothing of it is kept by a browser or a proxy.
NO_STORE_PREFIXES = ("/canvass/", "/api/v1/canvassing/", "/admin/canvassing/")


class NoStoreRegisterMiddleware:
    """``Cache-Control: no-store`` (with private, no-cache, max-age=0) on every response of a register page, the
    register API and the register admin: a shared computer's back button or cache shows no elector."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(NO_STORE_PREFIXES):
            add_never_cache_headers(response)
        return response
