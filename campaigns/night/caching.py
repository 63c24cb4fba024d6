"""HTTP caching for the night's pages: conditional GET (ETag, 304) everywhere, and for the public results pages
a shared cache a CDN can hold for a second.

Public pages (anonymous visitors): each rendered page is kept in the cache (Redis) with the *results version*
it was rendered at; the version is a counter per election that every write bringing a declaration bumps once
its transaction commits (:func:`results_changed`: the feed's import, a count report confirmed, a rehearsal's
reset). A request costs one round trip to Redis (the version; the page itself is this process's copy, fetched
from Redis when another process rendered it) and no query while nothing has changed; the first request after a
declaration renders the page again (the others meanwhile get the copy it replaces), so a declaration is
visible as soon as its import commits and one render has run. Other changes (an endorsement edited in the
admin) show within :data:`PAGE_TTL`.
Responses say ``Cache-Control: public, max-age=0, s-maxage=1`` with an ETag: browsers revalidate every time (a
304 when unchanged) and a CDN may hold a page for a second. A page keeps the CSP nonce it was rendered with,
and its CSP header names that nonce, as a CDN's copy would.

Organisers' pages are private: ETag from the fingerprint of what they show (campaigns.night.selectors) and the
user, ``Cache-Control: private, no-cache``, so a board polled every few seconds costs a 304 while nothing moved.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.csp import CSP, build_policy

from organiser import clock

logger = logging.getLogger(__name__)

#: How long a public page is served from the cache at most, whatever the version says (``NIGHT_PAGE_TTL``;
#: 0 keeps no page, and the pages still answer with their ETag and a 304).
PAGE_TTL = 10
#: How long a page is kept at all (a stale copy is served only while another request renders it again).
KEEP = 600
#: At most this long one request holds the right to render a page again.
RENDER_LOCK = 5
PUBLIC_CACHE_CONTROL = "public, max-age=0, s-maxage=1"
PRIVATE_CACHE_CONTROL = "private, no-cache"


def version_key(slug: str) -> str:
    return f"night:results-version:{slug}"


def _seed() -> int:
    """A first version: any number no earlier version had (pages kept under an evicted counter are not reused)."""
    return secrets.randbits(52)


def _bump(slug: str) -> None:
    key = version_key(slug)
    try:
        cache.add(key, _seed(), timeout=None)
        cache.incr(key)
    except ValueError:  # evicted between the add and the incr
        cache.set(key, _seed(), timeout=None)


def results_changed(slug: str) -> None:
    """Say that the election's results changed, once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(_bump, slug), robust=True)


def etag_matches(request: HttpRequest, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return any(tag.strip().removeprefix("W/") == etag for tag in sent.split(",")) if sent else False


def not_modified(etag: str, cache_control: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def private_conditional(request: HttpRequest, fingerprint: str, render: Callable[[], HttpResponse]) -> HttpResponse:
    """An organiser's page: 304 when the fingerprint (with the user and the page) is the one the browser holds."""
    tag = hashlib.blake2b(f"{fingerprint}|{request.user.pk}|{request.get_full_path()}".encode(), digest_size=12)
    etag = f'"{tag.hexdigest()}"'
    if etag_matches(request, etag):
        return not_modified(etag, PRIVATE_CACHE_CONTROL)
    response = render()
    if response.status_code == 200:
        response["ETag"] = etag
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
    return response


def _page_key(request: HttpRequest) -> str:
    path = hashlib.blake2b(request.get_full_path().encode(), digest_size=16).hexdigest()
    # One copy per language: the same URL serves each visitor's language (organiser.i18n).
    return f"night:page:{translation.get_language()}:{request.method == 'HEAD'}:{path}"


def _from_entry(entry: dict) -> HttpResponse:
    response = HttpResponse(entry["body"], content_type=entry["type"])
    response["ETag"] = entry["etag"]
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    if entry["csp"]:
        response[CSP.HEADER_ENFORCE] = entry["csp"]
    return response


#: This process's copies of the pages it served last, so a request while nothing changed asks Redis only for
#: the version (a few bytes), not for the page.
_local: dict[str, dict] = {}
LOCAL_PAGES = 256


def _remember(pkey: str, entry: dict) -> None:
    if len(_local) >= LOCAL_PAGES:
        _local.clear()
    _local[pkey] = entry


def _uncached(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if response.status_code != 200 or response.cookies or getattr(response, "streaming", False):
        return response
    etag = f'"{hashlib.blake2b(response.content, digest_size=12).hexdigest()}"'
    if etag_matches(request, etag):
        return not_modified(etag, PUBLIC_CACHE_CONTROL)
    response["ETag"] = etag
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    return response


def public_cached(view):
    """Serve a public results view (with a ``slug`` argument) from the shared cache to anonymous visitors."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            response = view(request, slug, *args, **kwargs)
            if response.status_code == 200:
                response["Cache-Control"] = PRIVATE_CACHE_CONTROL
            return response
        ttl = getattr(settings, "NIGHT_PAGE_TTL", PAGE_TTL)
        if ttl <= 0:
            return _uncached(request, view(request, slug, *args, **kwargs))
        vkey, pkey = version_key(slug), _page_key(request)
        version = cache.get(vkey)
        if version is None:
            cache.add(vkey, _seed(), timeout=None)
            version = cache.get(vkey)
        now = clock.now().timestamp()

        def is_fresh(entry) -> bool:
            return entry is not None and entry["version"] == version and now - entry["at"] < ttl

        entry = _local.get(pkey)
        fresh = is_fresh(entry)
        if not fresh:
            entry = cache.get(pkey)
            fresh = is_fresh(entry)
            if fresh:
                _remember(pkey, entry)
        # One request renders a page again; meanwhile the others are served the copy it replaces (for as long
        # as one render takes), rather than every worker rendering the same page at once.
        locked = False
        if not fresh:
            locked = cache.add(pkey + ":rendering", 1, timeout=RENDER_LOCK)
            fresh = entry is not None and not locked
        if fresh:
            if etag_matches(request, entry["etag"]):
                return not_modified(entry["etag"], PUBLIC_CACHE_CONTROL)
            return _from_entry(entry)
        try:
            response = view(request, slug, *args, **kwargs)
            if response.status_code != 200 or response.cookies or getattr(response, "streaming", False):
                return response
            body = response.content
            nonce = request._csp_nonce if getattr(request, "_csp_nonce", None) else None  # only if the page used it
            entry = {
                "version": version,
                "at": now,
                "body": body,
                "type": response["Content-Type"],
                "etag": f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"',
                "csp": build_policy(settings.SECURE_CSP, str(nonce)) if nonce else "",
            }
            cache.set(pkey, entry, timeout=KEEP)
            _remember(pkey, entry)
        finally:
            if locked:
                cache.delete(pkey + ":rendering")
        if etag_matches(request, entry["etag"]):
            return not_modified(entry["etag"], PUBLIC_CACHE_CONTROL)
        return _from_entry(entry)

    return wrapper
