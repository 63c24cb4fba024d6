"""The main navigation: one list of links per role, the same on every page (base.html renders it).

Who sees what: the public the endorsements, the results and how to join; a volunteer their shifts, walk lists,
profile and messages; a team lead those and their team and check-in; organisers (seat and national) their
home, the seat pages, the hex map, targets, canvassing and the admin. No query: the role is on the user row
the request has already loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from volunteers.models import Role


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


PUBLIC = [
    (_("Who we endorse"), "campaigns:find"),
    (_("Results"), "campaigns:latest"),
    (_("Support us"), "conversations:support"),
    (_("Volunteer"), "volunteers:join"),
    (_("Log in"), "account_login"),
]
VOLUNTEER = [
    (_("My shifts"), "volunteers:home"),
    (_("Find a shift"), "volunteers:shift_list"),
    (_("Walk lists"), "canvassing:my_lists"),
    ("Calls", "conversations:my_calls"),
    (_("Profile"), "volunteers:profile"),
    (_("Messages"), "messaging:preferences"),
]
TEAM_LEAD = [
    (_("My shifts"), "volunteers:home"),
    (_("My team"), "volunteers:team"),
    (_("Check-in"), "volunteers:lead_shifts"),
    (_("Find a shift"), "volunteers:shift_list"),
    (_("Walk lists"), "canvassing:my_lists"),
    ("Calls", "conversations:my_calls"),
    (_("Profile"), "volunteers:profile"),
    (_("Messages"), "messaging:preferences"),
]
ORGANISER = [
    (_("Organiser home"), "organiser_home"),
    (_("Seats"), "campaigns:latest_seats"),
    (_("Hex map"), "campaigns:latest_map"),
    (_("Targets"), "campaigns:latest_targets"),
    (_("Results night"), "campaigns:latest_night"),
    (_("Canvassing"), "canvassing:campaigns"),
    (_("Admin"), "admin:index"),
    (_("Account"), "account_email"),
]


def role_of(user) -> str:
    """``public``, ``volunteer``, ``team_lead``, ``seat_organiser`` or ``national_organiser``."""
    if not user.is_authenticated:
        return "public"
    if user.is_national_organiser:
        return Role.NATIONAL_ORGANISER
    if user.is_organiser:
        return Role.SEAT_ORGANISER
    return Role.TEAM_LEAD if user.role == Role.TEAM_LEAD else Role.VOLUNTEER


LINKS = {
    "public": PUBLIC,
    Role.VOLUNTEER: VOLUNTEER,
    Role.TEAM_LEAD: TEAM_LEAD,
    Role.SEAT_ORGANISER: ORGANISER,
    Role.NATIONAL_ORGANISER: ORGANISER,
}

HOMES = {
    "public": "home",
    Role.VOLUNTEER: "volunteers:home",
    Role.TEAM_LEAD: "volunteers:home",
    Role.SEAT_ORGANISER: "organiser_home",
    Role.NATIONAL_ORGANISER: "organiser_home",
}


def home_url(user) -> str:
    """Where this person's day starts: their role's home."""
    return reverse(HOMES[role_of(user)])


def links_for(user, path: str) -> list[Link]:
    links = []
    for label, name in LINKS[role_of(user)]:
        url = reverse(name)
        links.append(Link(label, url, current=path == url or (url != "/" and path.startswith(url))))
    # Only the longest match is the current page (``/volunteer/`` and ``/volunteer/profile/``).
    best = max((link for link in links if link.current), key=lambda link: len(link.url), default=None)
    return [Link(link.label, link.url, link is best) for link in links]
