"""API tokens (only a hash and a short prefix are stored; the key is shown once) and the audit of who changed
whose privileges (role, staff, superuser, active, groups, seat and register grants), when."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from organiser import clock


class ApiToken(models.Model):
    """An API token. The key is ``<prefix>.<secret>``; the database holds the prefix (to list and find it) and
    the SHA-256 of the whole key, never the key: a copy of the database lets nobody call the API as anyone."""

    scope_owner_path = "user"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True, help_text="What it is for (a phone, a script).")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'token'})"


class AuditEntry(models.Model):
    """One change to someone's privileges: who did it (``actor``, as named then), to whom, what, when."""

    scope_owner_path = "subject"
    scope_national_change = True

    class What(models.TextChoices):
        ROLE = "role", "Role"
        STAFF = "is_staff", "Staff (admin access)"
        SUPERUSER = "is_superuser", "Superuser"
        ACTIVE = "is_active", "Active"
        GROUPS = "groups", "Groups"
        PERMISSIONS = "permissions", "Permissions"
        SEAT_GRANT = "seat_grant", "Seat grant"
        REGISTER_GRANT = "register_grant", "Register grant"
        ACCOUNT = "account", "Account created with privileges"
        PASSWORD_RESET = "password_reset", "Password reset sent"
        TOKEN = "api_token", "API token"

    at = models.DateTimeField(default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=254, help_text="The account's email, or the job, at the time.")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    subject_name = models.CharField(max_length=254)
    what = models.CharField(max_length=32, choices=What.choices)
    before = models.CharField(max_length=300, blank=True)
    after = models.CharField(max_length=300, blank=True)
    route = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.subject_name} {self.what} → {self.after}"
