"""The API's base: the scope permission and queryset mixin every endpoint uses, and /api/v1/ urls.

Unsafe methods need an account that ``organiser.scope`` allows to change the object; reads are
filtered by ``organiser.scope.restrict``, so an object out of scope answers 404.
"""

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
