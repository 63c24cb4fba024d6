"""Languages: who gets which, the switcher, and messages in the recipient's language.

The set of languages is ``settings.LANGUAGES`` (adding one is adding its catalogue under ``locale/`` and a line
there; the catalogue test refuses a shipped language whose catalogue is incomplete). Which language a request
gets, first match wins:

1. a signed-in person's profile language (``User.language``), when they chose one;
2. the language they or their browser chose with the switcher (Django's ``set_language``, kept in a cookie);
3. the browser's ``Accept-Language`` on a first visit;
4. ``settings.LANGUAGE_CODE`` (British English, the source).

URLs are the same in every language (no ``i18n_patterns``). A signed-in person who switches with the switcher
has their profile language changed too, so their emails and texts follow (``for_user``).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog
from django.views.i18n import set_language as django_set_language

# How each language names itself (the switcher shows these, so a reader finds theirs whatever the page's
# language). Punjabi is written in Gurmukhi here: Shahmukhi readers are served by the Urdu pages (same script,
# and most Shahmukhi readers in Britain read Urdu) until a pa-Arab catalogue is added.
LOCAL_NAMES = {
    "en-gb": "English",
    "cy": "Cymraeg",
    "ur": "اردو",
    "ar": "العربية",
    "bn": "বাংলা",
    "pa": "ਪੰਜਾਬੀ",
    "gu": "ગુજરાતી",
    "so": "Soomaali",
    "pl": "Polski",
}


def shipped() -> list[str]:
    """The language codes this deployment serves, source first."""
    return [code for code, _name in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """``code`` if it is a shipped language (case-insensitive), else None."""
    if not code:
        return None
    code = code.lower()
    return code if code in shipped() else None


def for_user(user) -> str:
    """The language to write to ``user`` in (their profile's, else the source language)."""
    return supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


@contextmanager
def speaking(user_or_code):
    """Render inside this block in a person's language (or a code): emails and texts at send time."""
    code = user_or_code if isinstance(user_or_code, str) else for_user(user_or_code)
    with translation.override(supported(code) or settings.LANGUAGE_CODE):
        yield


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (cookie, then Accept-Language), with a signed-in person's profile first.

    Sits after AuthenticationMiddleware. The user row is the one the request loads anyway (sessions only: an
    anonymous visitor without a session costs no query)."""

    def process_request(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        language = supported(getattr(user, "language", "")) if user is not None and user.is_authenticated else None
        if language is None:
            return super().process_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


@csrf_exempt
@never_cache
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The switcher's target: Django's ``set_language`` (cookie, then back to ``next``), and for a signed-in
    person their profile language too. An unknown language changes nothing and goes back all the same.

    A visitor's switch needs no CSRF token: all another site could make it do is change the language cookie, and
    a token on every public page would set a cookie on every page. A signed-in person's switch writes their
    profile, so it is checked as any other form is."""
    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
    response = django_set_language(request)
    language = supported(request.POST.get("language"))
    if language and request.user.is_authenticated and request.user.language != language:
        get_user_model().objects.filter(pk=request.user.pk).update(language=language)
        request.user.language = language
    return response


def switcher(request) -> dict:
    """Template context: the languages to offer, each in its own name and with its own ``lang`` and ``dir``."""
    current = translation.get_language()
    return {
        "language_choices": [
            {
                "code": code,
                "name": LOCAL_NAMES.get(code, name),
                "bidi": code.split("-")[0] in settings.LANGUAGES_BIDI,
                "current": code == current,
            }
            for code, name in settings.LANGUAGES
        ]
    }


def javascript_catalogue(request: HttpRequest) -> HttpResponse:
    """Django's JavaScript catalogue (``gettext``, ``ngettext``, ``interpolate`` for static/ scripts) in the
    request's language. Served as a script file, so pages load it with ``<script src>`` under the CSP; it varies
    with the language (LocaleMiddleware adds ``Vary``), and the doorstep's service worker keeps a copy offline."""
    response = JavaScriptCatalog.as_view(domain="djangojs")(request)
    patch_cache_control(response, private=True, max_age=3600)
    return response
