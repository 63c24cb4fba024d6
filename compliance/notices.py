"""Privacy notices, one per place Organiser collects personal data (UK GDPR Arts 13 and 14; ICO guidance for
the use of personal data in political campaigning, "Collecting personal data"). Every string is marked for
translation, so the notices follow the visitor's language once translations exist.

The controller is the campaign for what volunteers and supporters give it, and the endorsed candidate's
campaign (its election agent) for register data recorded on the doorstep and by tellers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Notice:
    key: str
    title: str
    collect: str
    why: str
    basis: str
    who: str
    how_long: str
    register: bool = False


NOTICES = {
    "join": Notice(
        "join",
        _("How we use what you tell us"),
        _(
            "Your name, email, password, mobile number, postcode (for your constituency) and, later, your skills, "
            "languages and when you are free."
        ),
        _(
            "To organise volunteering: to offer you shifts where you are needed, confirm and remind you of the "
            "shifts you sign up to, and run the teams you join. Campaign emails and texts only if you tick the boxes."
        ),
        _(
            "Our legitimate interests in organising the people who asked to help; your consent for campaign emails "
            "and texts (you can withdraw it at any time)."
        ),
        _("Organisers of the campaign and of the seats you volunteer in, and the lead of a shift you join."),
        _("Until you delete your account (from your profile); what remains is a count of shifts done."),
    ),
    "support": Notice(
        "support",
        _("How we use what you tell us"),
        _(
            "Your name, email, mobile number, postcode (for your constituency), what you agreed to and when (and, "
            "at the door, which canvasser recorded it). Nothing from the electoral register is kept with it."
        ),
        _(
            "To keep you up to date with the campaign and ask for your help, only in the ways you agree to: email, "
            "texts, calls, being asked to volunteer."
        ),
        _("Your consent, which you can withdraw at any time (unsubscribe, reply STOP, or from the link to your data)."),
        _("The campaign's national organisers and the organisers of your constituency."),
        _(
            "Until you ask us to delete it: ask for a link to your data on our website, where you can see, download "
            "and delete it."
        ),
    ),
    "doorstep": Notice(
        "doorstep",
        _("Tell the elector before you record anything"),
        _(
            "Whether we spoke, what they say about how they will vote, and their answers to our questions, next "
            "to their entry in the electoral register."
        ),
        _("To help the candidate's campaign contact electors and get its supporters to vote."),
        _(
            "The candidate's campaign's task of democratic engagement; how they intend to vote is sensitive "
            "(political opinions) and is seen only by those the agent grants."
        ),
        _("Only canvassers and organisers granted by the candidate's agent; never exported beyond them."),
        _("Destroyed after polling day, on the date the agent has set."),
        register=True,
    ),
    "tellers": Notice(
        "tellers",
        _("Poll numbers are register data"),
        _("The elector numbers of people who have voted, from the numbers tellers collect."),
        _("To stop knocking on the doors of people who have already voted."),
        _("The candidate's campaign's task of democratic engagement."),
        _("Only users the candidate's agent granted on this register."),
        _("Destroyed with the register after polling day."),
        register=True,
    ),
}


def controller_for(*, campaign=None, election=None) -> str:
    """Who is responsible: the candidate's campaign for register data, else the campaign (as set in its
    promoter details, or its name)."""
    if campaign is not None:
        agent = getattr(campaign, "agent", None)
        agent_name = str(agent) if agent else ""
        return _("%(campaign)s (the candidate's campaign; agent %(agent)s)") % {
            "campaign": campaign.name,
            "agent": agent_name,
        }
    from compliance.imprints import current_election
    from compliance.models import PromoterDetails

    election = election or current_election()
    details = PromoterDetails.objects.filter(election=election).first() if election else None
    if details and details.controller_name:
        return details.controller_name
    return settings.CAMPAIGN_NAME


def contact_for(election=None) -> str:
    from compliance.imprints import current_election
    from compliance.models import PromoterDetails

    election = election or current_election()
    details = PromoterDetails.objects.filter(election=election).first() if election else None
    return details.controller_contact if details else ""
