"""Project-level views: the public home page, where each role lands after login, the organisers' home, the
favicon, the health check and the error pages."""

import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import cache_control, never_cache
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from kombu import Connection

from campaigns.models import Election
from campaigns.selectors import endorsed_list
from organiser import navigation

logger = logging.getLogger(__name__)


HOME_ENDORSEMENTS = 12


def home(request: HttpRequest) -> HttpResponse:
    """The public front page: what the campaign is, how to join, whom it endorses (2 queries)."""
    election = Election.objects.order_by("-date").first()
    endorsements = list(endorsed_list(election=election)[:HOME_ENDORSEMENTS]) if election else []
    return render(request, "home.html", {"election": election, "endorsements": endorsements})


@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where a login lands (LOGIN_REDIRECT_URL): organisers on their home, volunteers and leads on their shifts."""
    return redirect(navigation.home_url(request.user))


@login_required
def organiser_home(request: HttpRequest) -> HttpResponse:
    """An organiser's home: their seats (or, with none, why and whom to ask), what needs doing, and a link to
    every organiser page and admin task. Seat organisers see only their seats (organiser.scope)."""
    from organiser.selectors import organiser_overview

    if not request.user.is_organiser:
        raise PermissionDenied("Organisers only.")
    return render(request, "organiser/home.html", organiser_overview(user=request.user))


FAVICON = settings.BASE_DIR / "static" / "favicon.svg"


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico`` for clients that ask for it without reading the page's icon link."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.exception("health check: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("health check: broker unreachable")
        return False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker answer, 503 (with which failed) when not."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}},
        status=200 if healthy else 503,
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON under /api/ (clients parse it), the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


#: Errors that say the database cannot be reached now (restarting, failing over, refusing connections), not
#: that anything is wrong with the request or the code.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: a plain page that needs neither the database nor a session to render."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": "Briefly unavailable: try again in a few seconds."}, status=503)
    else:
        page = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when what failed is the database being unreachable (Django calls this for an exception
    raised anywhere in a request, middleware included, with the exception being handled)."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error: it has been logged."}, status=500)
    return django_server_error(request)
