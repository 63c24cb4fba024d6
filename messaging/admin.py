"""The admin of messaging: the outbox (what went to whom and when, what failed, send failed ones again),
digest schedules and notes, unsubscribes, and a preview of any volunteer's digest as it would go now.
Everything is scoped through organiser.admin.ScopedAdmin."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse

from messaging import digests, rendering, services
from messaging.models import DigestSchedule, Outbox, OutboxStatus, Unsubscribe
from organiser import scope
from organiser.admin import ScopedAdmin


@admin.register(Outbox)
class OutboxAdmin(ScopedAdmin):
    list_display = (
        "created_at",
        "recipient",
        "supporter",
        "kind",
        "channel",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "kind", "channel", "created_at")
    search_fields = ("recipient__email", "supporter__email", "key", "subject")
    list_select_related = ("recipient", "supporter")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Outbox._meta.fields]
    actions = ("send_again",)
    show_full_result_count = False

    @admin.display(description="error")
    def short_error(self, obj: Outbox) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Rows are a record: viewable, never edited by hand (send_again re-queues failed ones).
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.action(description="Send the selected failed messages again")
    def send_again(self, request, queryset):
        queryset = scope.restrict(queryset, request.user, "change").filter(status=OutboxStatus.FAILED)
        with transaction.atomic():
            ids = list(queryset.values_list("pk", flat=True))
            Outbox.objects.filter(pk__in=ids).update(status=OutboxStatus.PENDING, attempts=0, last_error="")
            services.queue_sends(ids)
        self.message_user(request, f"{len(ids)} message(s) queued again.", messages.SUCCESS)

    def get_urls(self):
        return [
            path("preview-digest/", self.admin_site.admin_view(self.preview_digest), name="messaging_digest_preview"),
            path(
                "preview-digest/<int:user_id>/email.html",
                self.admin_site.admin_view(self.preview_digest_html),
                name="messaging_digest_preview_html",
            ),
            *super().get_urls(),
        ]

    def _previewable_user(self, request, user_id: int):
        from volunteers.models import User, VolunteerProfile

        if not self.has_view_permission(request):
            raise Http404
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise Http404
        visible = (
            request.user.is_national_organiser
            or scope.restrict(VolunteerProfile.objects.filter(user_id=user_id), request.user).exists()
        )
        if not visible:
            raise Http404
        return user

    def _render(self, user):
        kind, context = digests.digest_preview_context(user)
        category = "digest"
        return rendering.render_email(kind=kind, category=category, context=context, user_id=user.pk, language="en-gb")

    def preview_digest(self, request):
        """Choose a volunteer (by email) and see the digest they would get now."""
        email = request.GET.get("email", "").strip().lower()
        rendered = user = None
        if email:
            from volunteers.models import User

            found = User.objects.filter(email=email).first()
            try:
                user = self._previewable_user(request, found.pk) if found is not None else None
            except Http404:
                user = None  # out of scope answers as an unknown address does: no existence oracle
            if user is not None:
                rendered = self._render(user)
        context = {
            **self.admin_site.each_context(request),
            "title": "Preview a digest",
            "opts": self.model._meta,
            "email": email,
            "preview_user": user,
            "rendered": rendered,
            "html_url": reverse("admin:messaging_digest_preview_html", args=[user.pk]) if user else "",
            "not_found": bool(email) and user is None,
        }
        return TemplateResponse(request, "messaging/admin_digest_preview.html", context)

    def preview_digest_html(self, request, user_id: int):
        user = self._previewable_user(request, user_id)
        return HttpResponse(self._render(user).html)


@admin.register(DigestSchedule)
class DigestScheduleAdmin(ScopedAdmin):
    list_display = ("__str__", "weekday", "hour", "updated_at")
    fields = ("constituency", "weekday", "hour", "note")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "constituency" and not request.user.is_national_organiser:
            field.required = True  # only national organisers set the organisation's default
        return field


@admin.register(Unsubscribe)
class UnsubscribeAdmin(ScopedAdmin):
    list_display = ("at", "user", "channel", "via")
    list_filter = ("via", "channel")
    readonly_fields = ("user", "channel", "via", "at")

    def has_add_permission(self, request) -> bool:
        return False
