"""The API's base: the scope permission and queryset mixin every endpoint uses, and /api/v1/ urls.

Unsafe methods need an account that ``organiser.scope`` allows to change the object; reads are
filtered by ``organiser.scope.restrict``, so an object out of scope answers 404.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from django_filters.filters import IsoDateTimeFilter, ModelChoiceFilter, NumberFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import parsers, permissions, serializers, throttling
from rest_framework.exceptions import ParseError

from organiser import scope
from organiser.inputs import BIGINT_MAX


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


#: How deep a JSON body may nest: the deepest the API takes is a batch of entries holding answers (4 levels).
MAX_JSON_DEPTH = 32


def _json_problem(data) -> str | None:
    """Why a parsed JSON body cannot be taken (a NUL in a string or key, nesting past ``MAX_JSON_DEPTH``), else
    None; iterative, so no body can exhaust the stack."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return "NUL characters (\\u0000) are not allowed in any string."
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted."
            items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
            for key, item in items:
                if key is not None and "\x00" in key:
                    return "NUL characters (\\u0000) are not allowed in any string."
                stack.append((item, depth + 1))
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing what no endpoint can take with a 400 and its reason, never a 500 later: NUL
    characters anywhere (PostgreSQL stores none in text or jsonb) and bodies nested past ``MAX_JSON_DEPTH``
    (Python's own parser gives up on very deep ones with a RecursionError)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted.") from None
        if (problem := _json_problem(data)) is not None:
            raise ParseError(problem)
        return data


class ObjectIdField(serializers.IntegerField):
    """An object's id in a request body: a whole number from 1 to the largest PostgreSQL ``bigint``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(**kwargs)


class NoOracleFilterBackend(DjangoFilterBackend):
    """django-filter, with every filter on one related object (``?campaign=``, ``?shift=``) taken as a number
    rather than a choice among every row of the table: a choice answers 400 for an id that does not exist and
    200 for one that exists out of scope (an existence oracle); a number answers both with the same empty page,
    since the queryset is scoped already."""

    _classes: dict = {}

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        if filterset_class not in self._classes:
            numbers = {
                name: NumberFilter(field_name=item.field_name, min_value=1, max_value=BIGINT_MAX)
                for name, item in filterset_class.base_filters.items()
                if isinstance(item, ModelChoiceFilter)
            }
            safe = filterset_class
            if numbers:
                safe = type(filterset_class.__name__, (filterset_class,), {})
                safe.base_filters = {**filterset_class.base_filters, **numbers}
            self._classes[filterset_class] = safe
        return self._classes[filterset_class]


class ScopedAnonThrottle(throttling.AnonRateThrottle):
    """The anonymous API rate (``API_THROTTLE_ANON``), read when asked, so a deployment and a test set it."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES["anon"]


class ScopedUserThrottle(throttling.UserRateThrottle):
    """The signed-in API rate (``API_THROTTLE_USER``), per account (a token counts as its owner)."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES["user"]
