"""The one rule that decides whether, and what, imprint each kind of material carries.

Every place that publishes something asks ``imprint_for(kind=..., election=..., endorsement=...)``: the public
endorsement pages, share cards (drawn into the image), share texts, the embeddable widget, emails, leaflets and
posters, and the walk-list print. docs/law.md cites the sources behind each branch; where the law is unclear for a
non-party campaign that endorses candidates, the rule takes the cautious reading and includes the imprint.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from compliance.models import CandidateImprint, MaterialKind, PromoterDetails

DIGITAL_ELECTION_MATERIAL = frozenset(
    {MaterialKind.PUBLIC_PAGE, MaterialKind.SHARE_CARD, MaterialKind.SHARE_TEXT, MaterialKind.WIDGET}
)
PRINTED_ELECTION_MATERIAL = frozenset({MaterialKind.LEAFLET, MaterialKind.POSTER})

DIGITAL_REASON = (
    "Digital election material (Elections Act 2022 s.41): required for material published by or on behalf of a "
    "candidate or a registered non-party campaigner (s.40) and for paid adverts; included on all of ours, as the "
    "Electoral Commission's statutory guidance advises, so it stays lawful if the campaign registers or the "
    "material is shared as it is."
)
CAMPAIGN_EMAIL_REASON = (
    "Campaign email to volunteers: digital material, and possibly election material published to a section of "
    "the public (Elections Act 2022 s.39, s.41). Cautious reading: imprint included."
)
PRINT_REASON = (
    "Printed election material (PPERA 2000 s.143; RPA 1983 s.110 for material about a candidate): printer, "
    "promoter and anyone on whose behalf it is published, on the first or last page (or the printed side)."
)
NONE_REASONS = {
    MaterialKind.EMAIL_SERVICE: "Service message about a person's own shift or account: not election material.",
    MaterialKind.EMAIL_ORGANISERS: "Sent to the campaign's organisers only: not published to the public.",
    MaterialKind.SMS: (
        "SMS to a phone number is outside the digital imprint rules (Elections Act 2022 s.39), and Organiser "
        "sends only service texts."
    ),
    MaterialKind.WALK_LIST: "The canvassers' working copy: never made available to the public, so not published.",
}

#: Messaging kinds that carry campaign content (the rest are service messages or go to organisers only).
CAMPAIGN_EMAILS = frozenset({"digest_volunteer", "seat_declared"})
ORGANISER_EMAILS = frozenset({"digest_organiser", "seat_declared_organiser"})


class ImprintMissing(Exception):
    """Material that needs an imprint cannot be published until the details exist."""


@dataclass(frozen=True)
class ImprintDecision:
    kind: str
    required: bool
    text: str
    reason: str
    placement: str = ""


def _promoter_line(promoter: PromoterDetails, candidate: CandidateImprint | None, endorsement) -> str:
    if candidate is not None and candidate.on_candidates_behalf and candidate.agent_name:
        person = endorsement.candidacy.person.name
        return _("Promoted by %(agent)s, %(agent_address)s, on behalf of %(candidate)s, %(candidate_address)s.") % {
            "agent": candidate.agent_name,
            "agent_address": candidate.agent_address,
            "candidate": person,
            "candidate_address": candidate.candidate_address or candidate.agent_address,
        }
    if promoter.on_behalf_name:
        return _("Promoted by %(promoter)s, %(promoter_address)s, on behalf of %(campaign)s, %(campaign_address)s.") % {
            "promoter": promoter.promoter_name,
            "promoter_address": promoter.promoter_address,
            "campaign": promoter.on_behalf_name,
            "campaign_address": promoter.on_behalf_address or promoter.promoter_address,
        }
    return _("Promoted by %(promoter)s, %(promoter_address)s.") % {
        "promoter": promoter.promoter_name,
        "promoter_address": promoter.promoter_address,
    }


def imprint_for(*, kind: str, election, endorsement=None) -> ImprintDecision:
    """What imprint ``kind`` of material needs at ``election`` (about ``endorsement``'s candidate, if any).

    Raises ImprintMissing when one is needed and the promoter (or, for print, the printer) is not set."""
    kind = MaterialKind(kind)
    if kind in NONE_REASONS:
        return ImprintDecision(kind=kind, required=False, text="", reason=NONE_REASONS[kind])
    promoter = PromoterDetails.objects.filter(election=election).first() if election is not None else None
    if promoter is None or not promoter.promoter_name or not promoter.promoter_address:
        raise ImprintMissing(_("Set the promoter's name and address before publishing this material."))
    candidate = None
    if endorsement is not None:
        candidate = CandidateImprint.objects.filter(endorsement=endorsement).first()
    line = _promoter_line(promoter, candidate, endorsement)
    if kind in PRINTED_ELECTION_MATERIAL:
        if not promoter.printer_name or not promoter.printer_address:
            raise ImprintMissing(_("Set the printer's name and address before printing election material."))
        printed = _("Printed by %(printer)s, %(printer_address)s.") % {
            "printer": promoter.printer_name,
            "printer_address": promoter.printer_address,
        }
        return ImprintDecision(
            kind=kind,
            required=True,
            text=f"{printed} {line}",
            reason=PRINT_REASON,
            placement="on the printed side (poster) or the first or last page (leaflet)",
        )
    reason = CAMPAIGN_EMAIL_REASON if kind == MaterialKind.EMAIL_CAMPAIGN else DIGITAL_REASON
    return ImprintDecision(kind=kind, required=True, text=line, reason=reason, placement="as part of the material")


def imprint_text_or_empty(*, kind: str, election, endorsement=None) -> str:
    """The imprint to show, or "" where none is required or the details are not set yet (pages others own
    render through this; the compliance dashboard warns while details are missing)."""
    try:
        return imprint_for(kind=kind, election=election, endorsement=endorsement).text
    except ImprintMissing:
        return ""


def email_material_kind(message_kind: str) -> str:
    if message_kind in CAMPAIGN_EMAILS:
        return MaterialKind.EMAIL_CAMPAIGN
    if message_kind in ORGANISER_EMAILS:
        return MaterialKind.EMAIL_ORGANISERS
    return MaterialKind.EMAIL_SERVICE


def current_election():
    """The election the campaign is working on: the latest one with promoter details, else the latest."""
    from campaigns.models import Election

    return (
        Election.objects.filter(promoter__isnull=False).order_by("-date").first()
        or Election.objects.order_by("-date").first()
    )


def email_imprint(message_kind: str) -> str:
    """The imprint line for an email of ``message_kind`` (messaging calls this when it renders)."""
    return imprint_text_or_empty(kind=email_material_kind(message_kind), election=current_election())
