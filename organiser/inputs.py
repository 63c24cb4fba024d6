"""What the project takes from a request, and what it refuses before any view sees it.

Every way in (pages, the admin, the API) shares these, so that no input gives a 500:

- **NUL characters** (``\\x00``): PostgreSQL stores and compares no NUL in text, so one in a path, a query
  string, a form field or a header would fail in the database whatever the view does with it.
  :class:`RefuseNulMiddleware` answers 400 with the reason for any of them (and forgets a cookie holding one,
  which cannot be a cookie we set). JSON bodies are checked by the API's parser (``organiser.api``).
- **Ids**: a primary key is a PostgreSQL ``bigint``. :func:`object_id` reads one from text (ASCII digits only:
  ``"²"`` passes ``str.isdigit()`` and fails ``int()``), :class:`ObjectIdField` is the form field for one.
- **File names in headers**: :func:`attachment` makes a ``Content-Disposition`` value from any text, so a name
  built from input (a seat code, a list's name) can neither break the header (CRLF) nor add to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

#: The largest value of a PostgreSQL ``bigint`` (every primary key here is one).
BIGINT_MAX = 2**63 - 1

NUL_REASON = "NUL characters (%00) are not allowed in any address, field or header."

_ASCII_ID = re.compile(r"[0-9]{1,19}")


def object_id(value: object) -> int | None:
    """``value`` as an object id (1 to ``BIGINT_MAX``, ASCII digits), else None."""
    text = str(value).strip() if value is not None else ""
    if not _ASCII_ID.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= BIGINT_MAX else None


def object_ids(values: Iterable[object]) -> list[int]:
    """The values that are object ids (see :func:`object_id`), in order, others left out."""
    return [number for number in map(object_id, values) if number is not None]


class ObjectIdField(forms.IntegerField):
    """A form field for an object's id: a whole number from 1 to ``BIGINT_MAX``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value not in self.empty_values and object_id(value) is None:
            raise forms.ValidationError("Not an id.", code="invalid")
        return super().to_python(value)


_SAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def attachment(filename: str) -> str:
    """A ``Content-Disposition: attachment`` value for ``filename``, reduced to letters, digits, ``.``, ``_``
    and ``-`` (anything else becomes ``-``; no leading dot, at most 120 characters)."""
    safe = _SAFE_FILENAME.sub("-", filename).strip("-.")[:120] or "download"
    return content_disposition_header(as_attachment=True, filename=safe)


def _has_nul(pairs: Iterable[tuple[str, list]]) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in pairs)


def _form_fields_have_nul(request: HttpRequest) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method != "POST" or not content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
        return False
    # Form fields only: an uploaded file may hold any bytes (its reader judges them).
    return _has_nul(request.POST.lists())


class RefuseNulMiddleware:
    """400, with the reason, for a NUL character in the path, the query string, a header or a form field.

    It comes before the session and authentication middleware, so that a session cookie holding a NUL is
    never looked up (it is dropped: the request goes on as if it had no such cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in value for value in request.COOKIES.values()):
            request.COOKIES = {name: value for name, value in request.COOKIES.items() if "\x00" not in value}
        headers = ((name, [value]) for name, value in request.META.items() if name.startswith("HTTP_"))
        if (
            "\x00" in request.path_info
            or _has_nul(request.GET.lists())
            or _has_nul((name, values) for name, values in headers if name != "HTTP_COOKIE")
            or _form_fields_have_nul(request)
        ):
            return refuse(request, NUL_REASON)
        return self.get_response(request)


def refuse(request: HttpRequest, reason: str, status: int = 400) -> HttpResponse:
    """A 4xx with its reason: JSON under /api/, the site's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": reason}, status=status)
    return render(request, "400.html", {"reason": reason}, status=status)
