"""Template tags: ``{% imprint "public_page" election endorsement %}`` (the one imprint rule, for pages other
apps own) and ``{% privacy_notice "join" %}`` (the reusable notice include)."""

from django import template

from compliance.imprints import imprint_text_or_empty
from compliance.notices import NOTICES, contact_for, controller_for

register = template.Library()


@register.inclusion_tag("compliance/_imprint.html")
def imprint(kind, election=None, endorsement=None):
    from compliance.imprints import current_election

    election = election or (endorsement.election if endorsement is not None else current_election())
    return {"imprint": imprint_text_or_empty(kind=kind, election=election, endorsement=endorsement)}


@register.inclusion_tag("compliance/_privacy_notice.html")
def privacy_notice(key, campaign=None, open=False):
    return {
        "notice": NOTICES[key],
        "controller": controller_for(campaign=campaign),
        "contact": "" if campaign is not None else contact_for(),
        "open": open,
    }
