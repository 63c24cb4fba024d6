"""The OpenAPI schema's conventions: documented error answers, and anonymous reads where scoped.

Kept apart from organiser.api because DRF imports the permission classes while it loads,
and drf-spectacular's AutoSchema imports DRF's views: together they would import in a circle.
"""

from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions

from organiser.api import ScopePermission

ERROR_RESPONSES = {
    "400": ("Invalid input: the reason per field", {"type": "object", "additionalProperties": True}),
    "401": ("Not authenticated", None),
    "403": ("Not allowed", None),
    "404": ("Not found, or outside the caller's scope", None),
    "405": ("Method not allowed", None),
    "406": ("Not acceptable", None),
    "415": ("Unsupported media type", None),
    "429": ("Too many requests", None),
}
DETAIL_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}


def document_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: every operation documents the 4xx answers it can give, with reasons."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in ERROR_RESPONSES.items():
                responses.setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": schema or DETAIL_SCHEMA}}},
                )
    return result


class ScopedAutoSchema(AutoSchema):
    """Documents that reads guarded by ScopePermission are open to anonymous callers (scoped)."""

    def get_auth(self):
        auths = super().get_auth()
        perms = [p.__class__ for p in self.view.get_permissions()]
        if ScopePermission in perms and self.method in permissions.SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths
