"""The API's base: the scope permission and queryset mixin every endpoint uses, and /api/v1/ urls.

Unsafe methods need an account that ``organiser.scope`` allows to change the object; reads are
filtered by ``organiser.scope.restrict``, so an object out of scope answers 404.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from django_filters.filters import IsoDateTimeFilter
from rest_framework import permissions

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
