"""The API's base: the scope permission and queryset mixin every endpoint uses, and /api/v1/ urls.

Unsafe methods need an account that ``organiser.scope`` allows to change the object; reads are
filtered by ``organiser.scope.restrict``, so an object out of scope answers 404.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from django_filters.filters import IsoDateTimeFilter
from rest_framework import parsers, permissions
from rest_framework.exceptions import ParseError

from organiser import scope


class ScopePermission(permissions.BasePermission):
    """Reads: anyone (the queryset is scoped). Writes: only where organiser.scope allows."""

    message = "You do not have permission to change this."

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method == "POST" and getattr(view, "queryset", None) is not None and view.action == "create":
            return scope.can_add(request.user, view.queryset.model)
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return scope.can_change(request.user, obj)


class ScopedQuerysetMixin:
    """For DRF views: the queryset is always ``organiser.scope.restrict``-ed to the caller."""

    def get_queryset(self):
        return scope.restrict(super().get_queryset(), self.request.user, "view")


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, normalised to UTC: offsets PostgreSQL cannot store (beyond ±15:59)
    become a valid instant instead of a database error."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed
        except (OverflowError, ValueError):
            raise ValidationError("Enter a date and time within the years 1 to 9999.", code="invalid") from None


class UTCDateTimeFilter(IsoDateTimeFilter):
    """The API's date-time filter (see UTCDateTimeField)."""

    field_class = UTCDateTimeField


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(key) or _contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_contains_nul(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing NUL characters anywhere in the body: PostgreSQL stores none in
    text or jsonb, so they are a 400 with a reason here, never a database error later."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _contains_nul(data):
            raise ParseError("NUL characters (\\u0000) are not allowed in any string.")
        return data
