"""Segments evaluated: the one filter over volunteers and supporters, and the querysets it gives.

``SegmentFilter`` is a segment's filter (its JSON form is ``Segment.filters``); every way in (the admin, the API,
and next the call assignments) parses it here and evaluates it here, afresh each time:

- ``segment_volunteers(filters=..., user=...)``: a queryset of ``VolunteerProfile`` (active accounts);
- ``segment_supporters(filters=..., user=...)``: a queryset of ``Supporter``;
- ``segment_people(segment=..., user=...)``: both as one queryset of rows of the same shape (``PERSON_FIELDS``:
  kind, person_id, user_id, supporter_id, name, email, phone, seat_id, last_active_at), a ``UNION ALL`` ordered
  by name, to list, count, page or insert from in one statement.

Each is limited to what ``user`` may see (``organiser.scope``: a seat organiser only their seats' people) and,
for a segment of one seat, to that seat. What each criterion means:

- ``population``: volunteers, supporters, or both (a supporter linked to a volunteer's account counts once, as
  the volunteer);
- ``seats``: home seat (volunteers) or seat (supporters) is one of these GSS codes;
- ``skills``: volunteers with every one of these skills (supporters have none, so none match);
- ``languages``: volunteers who speak any of these;
- ``active_within_days``: active on the site (volunteers) or told us something (supporters) within so many days;
- ``min_shifts_done``: volunteers who attended at least so many shifts;
- ``consents``: hold every one of these consents now (email, sms, calls, volunteering);
- ``tags``: supporters tagged with any of these (volunteers have no tags).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from campaigns.postcodes import GSS_CODE_RE
from conversations.models import TAG_RE, Population, Segment, Supporter
from organiser import clock, scope
from volunteers.models import Channel, Consent, Language, SignupStatus, Skill, VolunteerProfile

#: The columns of ``segment_people``'s rows, in order.
PERSON_FIELDS = ("kind", "person_id", "user_id", "supporter_id", "name", "email", "phone", "seat_id", "last_active_at")

MAX_ITEMS = 50
MAX_DAYS = 3660


@dataclass(frozen=True)
class SegmentFilter:
    """What people must match (see the module docstring); empty criteria match everyone in scope."""

    population: str = Population.EVERYONE
    seats: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    active_within_days: int | None = None
    min_shifts_done: int | None = None
    consents: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())

    @classmethod
    def from_json(cls, data) -> SegmentFilter:
        """Parse a segment's JSON; ValidationError naming every bad criterion (nothing is guessed)."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise ValidationError({"filters": ['Filters must be an object, e.g. {"skills": ["driving"]}.']})
        errors: dict[str, list[str]] = {}
        known = set(cls.__dataclass_fields__)
        for name in sorted(set(data) - known):
            errors[str(name)[:50]] = [f"Not a filter; the filters are: {', '.join(sorted(known))}."]

        def choices(name: str, allowed, check=None) -> tuple[str, ...]:
            value = data.get(name) or []
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                errors[name] = ['A list of values, e.g. ["..."].']
                return ()
            if len(value) > MAX_ITEMS:
                errors[name] = [f"At most {MAX_ITEMS} values."]
                return ()
            bad = [item for item in value if (item not in allowed if allowed is not None else not check(item))]
            if bad:
                errors[name] = [f"Not valid: {', '.join(bad)[:200]}."]
                return ()
            return tuple(dict.fromkeys(value))

        def whole(name: str, low: int, high: int) -> int | None:
            value = data.get(name)
            if value is None or value == "":
                return None
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors[name] = [f"A whole number from {low} to {high}."]
                return None
            return value

        population = data.get("population") or Population.EVERYONE
        if population not in Population.values:
            errors["population"] = [f"One of: {', '.join(Population.values)}."]
        parsed = cls(
            population=population if population in Population.values else Population.EVERYONE,
            seats=choices("seats", None, lambda code: bool(GSS_CODE_RE.fullmatch(code))),
            skills=choices("skills", set(Skill.values)),
            languages=choices("languages", set(Language.values)),
            active_within_days=whole("active_within_days", 1, MAX_DAYS),
            min_shifts_done=whole("min_shifts_done", 0, 10_000),
            consents=choices("consents", set(Channel.values)),
            tags=choices("tags", None, lambda tag: bool(TAG_RE.match(tag))),
        )
        if errors:
            raise ValidationError(errors)
        return parsed

    def to_json(self) -> dict:
        """The JSON stored on the segment: only the criteria that are set."""
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in asdict(self).items()
            if value not in ((), None) and not (name == "population" and value == Population.EVERYONE)
        }

    @property
    def wants_volunteers(self) -> bool:
        return self.population != Population.SUPPORTERS and not self.tags

    @property
    def wants_supporters(self) -> bool:
        return (
            self.population != Population.VOLUNTEERS
            and not self.skills
            and not self.languages
            and not self.min_shifts_done
        )


def _consent_held(channel: str, *, owner: str, outer: str) -> Exists:
    """Holds an active consent to ``channel`` (``owner``: "user" or "supporter", matched to ``outer``)."""
    return Exists(Consent.objects.filter(**{owner: OuterRef(outer)}, channel=channel, withdrawn_at__isnull=True))


def _shifts_done():
    from volunteers.models import Signup

    done = (
        Signup.objects.filter(volunteer_id=OuterRef("user_id"), status=SignupStatus.ATTENDED)
        .order_by()
        .values("volunteer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(done, output_field=IntegerField()), 0)


def segment_volunteers(
    *, filters: SegmentFilter, user, seat=None, now: dt.datetime | None = None
) -> QuerySet[VolunteerProfile]:
    """The volunteers (profiles of active accounts) who match ``filters``, within ``user``'s scope and ``seat``."""
    profiles = scope.restrict(VolunteerProfile.objects.filter(user__is_active=True), user)
    if not filters.wants_volunteers:
        return profiles.none()
    now = now or clock.now()
    if seat is not None:
        profiles = profiles.filter(home_constituency=seat)
    if filters.seats:
        profiles = profiles.filter(home_constituency__code__in=filters.seats)
    if filters.skills:
        profiles = profiles.filter(skills__contains=list(filters.skills))
    if filters.languages:
        condition = Q()
        for language in filters.languages:
            condition |= Q(languages__contains=[language])
        profiles = profiles.filter(condition)
    if filters.active_within_days:
        profiles = profiles.filter(last_active_at__gte=now - dt.timedelta(days=filters.active_within_days))
    if filters.min_shifts_done:
        profiles = profiles.annotate(shifts_done=_shifts_done()).filter(shifts_done__gte=filters.min_shifts_done)
    for channel in filters.consents:
        profiles = profiles.filter(_consent_held(channel, owner="user", outer="user_id"))
    return profiles


def segment_supporters(
    *, filters: SegmentFilter, user, seat=None, now: dt.datetime | None = None
) -> QuerySet[Supporter]:
    """The supporters who match ``filters``, within ``user``'s scope and ``seat``. With the population "everyone", a
    supporter whose account is one of the matching volunteers is left out (they are in as the volunteer)."""
    supporters = scope.restrict(Supporter.objects.all(), user)
    if not filters.wants_supporters:
        return supporters.none()
    now = now or clock.now()
    if seat is not None:
        supporters = supporters.filter(constituency=seat)
    if filters.seats:
        supporters = supporters.filter(constituency__code__in=filters.seats)
    if filters.active_within_days:
        supporters = supporters.filter(last_active_at__gte=now - dt.timedelta(days=filters.active_within_days))
    if filters.tags:
        condition = Q()
        for tag in filters.tags:
            condition |= Q(tags__contains=[tag])
        supporters = supporters.filter(condition)
    for channel in filters.consents:
        supporters = supporters.filter(_consent_held(channel, owner="supporter", outer="pk"))
    if filters.wants_volunteers:
        volunteers = segment_volunteers(filters=filters, user=user, seat=seat, now=now)
        supporters = supporters.exclude(Q(user_id__isnull=False) & Q(user_id__in=volunteers.values("user_id")))
    return supporters


def _as_people(queryset: QuerySet, kind: str, columns: dict) -> QuerySet:
    annotations = {"kind": Value(kind), **columns}
    return (
        queryset.order_by()
        .annotate(**{f"p_{name}": value for name, value in annotations.items()})
        .values(*(f"p_{name}" for name in PERSON_FIELDS))
    )


def segment_filters(segment: Segment) -> SegmentFilter:
    """The segment's filter (a segment saved through the services always parses)."""
    return SegmentFilter.from_json(segment.filters)


def segment_people(*, segment: Segment, user, now: dt.datetime | None = None) -> QuerySet:
    """Everyone the segment holds now, for ``user``: one queryset of dicts keyed ``p_<field>`` for each of
    ``PERSON_FIELDS``, volunteers and supporters together, ordered by name (then kind and id)."""
    filters = segment_filters(segment)
    now = now or clock.now()
    seat = segment.constituency
    volunteers = _as_people(
        segment_volunteers(filters=filters, user=user, seat=seat, now=now),
        "volunteer",
        {
            "person_id": F("pk"),
            "user_id": F("user_id"),
            "supporter_id": Value(None, output_field=IntegerField()),
            "name": F("user__full_name"),
            "email": F("user__email"),
            "phone": F("phone"),
            "seat_id": F("home_constituency_id"),
            "last_active_at": F("last_active_at"),
        },
    )
    supporters = _as_people(
        segment_supporters(filters=filters, user=user, seat=seat, now=now),
        "supporter",
        {
            "person_id": F("pk"),
            "user_id": F("user_id"),
            "supporter_id": F("pk"),
            "name": F("full_name"),
            "email": F("email"),
            "phone": F("phone"),
            "seat_id": F("constituency_id"),
            "last_active_at": F("last_active_at"),
        },
    )
    return volunteers.union(supporters, all=True).order_by("p_name", "p_kind", "p_person_id")


def segment_counts(*, segment: Segment, user, now: dt.datetime | None = None) -> dict[str, int]:
    """How many volunteers and supporters the segment holds now, for ``user`` (two counting queries)."""
    filters = segment_filters(segment)
    seat = segment.constituency
    return {
        "volunteers": segment_volunteers(filters=filters, user=user, seat=seat, now=now).count(),
        "supporters": segment_supporters(filters=filters, user=user, seat=seat, now=now).count(),
    }


def segments_visible_to(user) -> QuerySet[Segment]:
    return scope.restrict(Segment.objects.select_related("constituency", "created_by"), user)
