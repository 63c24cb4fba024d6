"""Admin for compliance, scoped by organiser.admin.ScopedAdmin. Spending and donations change through the
organiser pages (their services enforce the limits and checks), so here they are read-only; figures and
promoter details are national organisers' to edit."""

from django.contrib import admin

from compliance.models import (
    Authorisation,
    CandidateImprint,
    Donation,
    LegalFigure,
    PromoterDetails,
    Publication,
    SpendingItem,
)
from organiser.admin import ScopedAdmin


class ReadOnlyAdmin(ScopedAdmin):
    """Rows written only by compliance.services (limits, checks and the log are enforced there)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LegalFigure)
class LegalFigureAdmin(ScopedAdmin):
    list_display = ["election", "key", "part", "value", "source", "checked_on"]
    list_filter = ["election", "key", "part"]


@admin.register(PromoterDetails)
class PromoterDetailsAdmin(ScopedAdmin):
    list_display = ["election", "promoter_name", "registered", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]


@admin.register(CandidateImprint)
class CandidateImprintAdmin(ScopedAdmin):
    list_display = ["endorsement", "on_candidates_behalf", "agent_name"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["published_at", "kind", "title", "published_by_name", "retain_until", "withdrawn_at"]
    list_filter = ["kind", "election"]


@admin.register(SpendingItem)
class SpendingItemAdmin(ReadOnlyAdmin):
    list_display = ["incurred_on", "description", "amount", "kind", "status", "constituency"]
    list_filter = ["election", "kind", "status", "category"]


@admin.register(Authorisation)
class AuthorisationAdmin(ReadOnlyAdmin):
    list_display = ["given_on", "kind", "candidacy", "party", "amount", "given_by"]


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ["received_on", "donor_name", "donor_kind", "amount", "status"]
    list_filter = ["election", "status", "donor_kind"]
