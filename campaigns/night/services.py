"""Writes for election night: expected declaration times (a CSV, all or nothing, or one seat typed in), the
declarations the feed brought (recorded once, checked against count reports, announced once), and count
agents' reports from the hall (entered by one user, confirmed or rejected by a second).

Every way in (the board's forms, the admin, the replay command, the feed task) calls these."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse

from campaigns.importers.base import Column, CsvTable, decode
from campaigns.models import Candidacy, Constituency, CountReport, CountVote, Declaration, Election, ExpectedDeclaration
from campaigns.night import selectors
from campaigns.night.caching import results_changed
from messaging import rendering
from messaging.models import MessageKind, OutboxChannel
from messaging.services import first_name, outbox_row, outbox_write
from messaging.sms import is_e164
from organiser import clock, scope
from organiser.imports import ImportRejected, Problem

# --- expected declaration times ---------------------------------------------------------------------------------

COLUMNS = [
    Column("code", ("ONS ID", "ons_id", "code", "constituency code", "pcon24cd"), required=False),
    Column("name", ("Constituency", "Constituency name", "name", "seat"), required=False),
    Column("expected", ("Expected", "Expected at", "Expected declaration", "Declaration time", "time")),
]
TIME_RE = re.compile(r"^(\d{1,2})[:.](\d{2})$")
#: A bare time at or after this hour is on polling day; earlier, on the morning after.
NIGHT_STARTS = 12


def night_time(election: Election, written: str) -> dt.datetime:
    """``02:30`` (the morning after polling day), ``23:15`` (polling day) or an ISO date and time, in UK time."""
    written = written.strip()
    if match := TIME_RE.match(written):
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise ValueError("not a time of day")
        day = election.date if hour >= NIGHT_STARTS else election.date + dt.timedelta(days=1)
        return clock.at(day, dt.time(hour, minute))
    moment = dt.datetime.fromisoformat(written)
    if moment.year < 1900 or moment.year > 9000:
        raise ValueError("out of range")
    return moment if moment.tzinfo else clock.at(moment.date(), moment.time())


@transaction.atomic
def expected_declarations_import(*, user, election: Election, data: bytes) -> int:
    """Import expected declaration times from a CSV: a seat (its ONS code, or its name) and a time per row.
    All or nothing: every bad row is reported (ImportRejected) and nothing is written. Seats outside the
    user's scope are bad rows too. Returns how many seats' times were written."""
    if not scope.can_add(user, ExpectedDeclaration):
        raise PermissionDenied("Only organisers set expected declaration times.")
    table = CsvTable(decode(data), COLUMNS)
    problems = table.missing_problems()
    if not (table.has("code") or table.has("name")):
        problems.append(Problem(1, "", "the header needs a seat column: ONS ID or Constituency"))
    if problems:
        raise ImportRejected(problems)
    in_scope = scope.seats_in_scope(user)
    by_code = dict(in_scope.values_list("code", "id"))
    by_name = {name.casefold(): pk for name, pk in in_scope.values_list("name", "id")}
    found: dict[int, dt.datetime] = {}
    for number, row in table.rows:
        code, name, when = (table.get(row, key).strip() for key in ("code", "name", "expected"))
        seat_id = by_code.get(code.upper()) if code else by_name.get(name.casefold()) if name else None
        if seat_id is None:
            problems.append(Problem(number, "seat", f"no seat {(code or name)[:60]!r} in your seats"))
            continue
        try:
            found[seat_id] = night_time(election, when)
        except (ValueError, OverflowError):
            problems.append(
                Problem(number, "expected", f"{when[:60]!r} is not a time such as 02:30 or 2024-07-05T02:30")
            )
    if problems:
        raise ImportRejected(problems)
    now = clock.now()
    existing = ExpectedDeclaration.objects.filter(election=election, constituency_id__in=found)
    current = {e.constituency_id: e for e in existing}
    new, changed = [], []
    for seat_id, when in found.items():
        if seat_id in current:
            row = current[seat_id]
            row.expected_at, row.source, row.updated_by_id, row.updated_at = when, "imported", user.pk, now
            changed.append(row)
        else:
            new.append(
                ExpectedDeclaration(
                    election=election,
                    constituency_id=seat_id,
                    expected_at=when,
                    source="imported",
                    updated_by_id=getattr(user, "pk", None),
                    updated_at=now,
                )
            )
    ExpectedDeclaration.objects.bulk_create(new)
    ExpectedDeclaration.objects.bulk_update(changed, ["expected_at", "source", "updated_by_id", "updated_at"])
    return len(found)


@transaction.atomic
def expected_declaration_set(*, user, election: Election, seat: Constituency, expected_at: dt.datetime | None) -> None:
    """Type in (or clear, with None) one seat's expected declaration time."""
    if not scope.seats_in_scope(user).filter(pk=seat.pk).exists():
        raise PermissionDenied("That seat is not one of yours.")
    if expected_at is None:
        ExpectedDeclaration.objects.filter(election=election, constituency=seat).delete()
        return
    ExpectedDeclaration.objects.update_or_create(
        election=election,
        constituency=seat,
        defaults={"expected_at": expected_at, "source": "entered", "updated_by": user, "updated_at": clock.now()},
    )


# --- declarations ----------------------------------------------------------------------------------------------

# Seats the feed has declared (a result with a winner and the time the feed first had it) and that no
# declaration records yet: recorded, once (the unique key holds against a concurrent run).
RECORD_FEED_SQL = """
INSERT INTO campaigns_declaration (election_id, constituency_id, source, declared_at, recorded_at)
SELECT r.election_id, r.constituency_id, 'feed', r.declared_at, %(now)s
FROM campaigns_result r
WHERE r.election_id = %(election)s AND r.winner_id IS NOT NULL AND r.declared_at IS NOT NULL
ON CONFLICT (election_id, constituency_id) DO NOTHING
RETURNING id
"""

# Confirmed count reports of seats the feed has now: agree when every candidate's votes are the feed's.
FEED_CHECK_SQL = """
WITH compared AS (
    SELECT cr.id,
        coalesce(jsonb_agg(jsonb_build_object('candidacy', c.id, 'name', p.name, 'count', v.votes, 'feed', c.votes)
            ORDER BY p.name) FILTER (WHERE c.votes IS DISTINCT FROM v.votes), '[]'::jsonb) AS differences,
        bool_and(c.votes IS NOT DISTINCT FROM v.votes) AND cr.valid_votes = sum(c.votes) AS agrees
    FROM campaigns_countreport cr
    JOIN campaigns_result r ON r.election_id = cr.election_id AND r.constituency_id = cr.constituency_id
        AND r.winner_id IS NOT NULL
    JOIN campaigns_countvote v ON v.report_id = cr.id
    JOIN campaigns_candidacy c ON c.id = v.candidacy_id
    JOIN campaigns_person p ON p.id = c.person_id
    WHERE cr.election_id = %(election)s AND cr.status = 'confirmed' {only}
    GROUP BY cr.id, cr.valid_votes
)
UPDATE campaigns_countreport cr
SET feed_check = CASE WHEN compared.agrees THEN 'agrees' ELSE 'differs' END,
    feed_differences = compared.differences, checked_at = %(now)s
FROM compared
WHERE cr.id = compared.id AND (cr.feed_check, cr.feed_differences)
    IS DISTINCT FROM (CASE WHEN compared.agrees THEN 'agrees' ELSE 'differs' END, compared.differences)
RETURNING cr.id
"""


def feed_check(*, election: Election, report_id: int | None = None) -> int:
    """Compare confirmed count reports with the feed where the feed has their seat; returns how many reports'
    verdict changed. One statement."""
    only = "AND cr.id = %(report)s" if report_id is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(
            FEED_CHECK_SQL.format(only=only), {"election": election.pk, "now": clock.now(), "report": report_id}
        )
        return cursor.rowcount


@transaction.atomic
def declarations_record(*, election: Election) -> list[int]:
    """After the feed brought results: record the seats it declared for the first time, check confirmed count
    reports against it, and announce the new declarations of endorsed seats (once each). Returns the new
    declarations' ids."""
    with connection.cursor() as cursor:
        cursor.execute(RECORD_FEED_SQL, {"election": election.pk, "now": clock.now()})
        new = [pk for (pk,) in cursor.fetchall()]
    if feed_check(election=election) or new:
        results_changed(election.slug)
    declaration_announce(election=election, declaration_ids=new)
    return new


# --- count agents ----------------------------------------------------------------------------------------------


def _require_seat(user, seat: Constituency) -> None:
    """Count reports are entered and confirmed by the seat's organisers (and national organisers)."""
    if not scope.seats_in_scope(user).filter(pk=seat.pk).exists():
        raise PermissionDenied("Only the seat's organisers and national organisers report its count.")


@transaction.atomic
def count_report_enter(
    *,
    user,
    election: Election,
    seat: Constituency,
    votes: dict[int, int],
    valid_votes: int,
    rejected_ballots: int | None = None,
    electorate: int | None = None,
) -> CountReport:
    """A count agent's report of the declaration in the hall: every candidate's votes (``votes``: candidacy id
    to votes) and the total of valid votes announced. Checked: every candidate of the seat has a number and no
    other, the numbers add up to the total, the turnout is possible. It waits for a second user."""
    _require_seat(user, seat)
    candidacy_ids = set(Candidacy.objects.filter(election=election, constituency=seat).values_list("pk", flat=True))
    problems = []
    if not candidacy_ids:
        problems.append("No candidates are loaded for this seat.")
    if missing := candidacy_ids - set(votes):
        problems.append(f"Enter every candidate's votes ({len(missing)} missing).")
    if set(votes) - candidacy_ids:
        problems.append("Votes were given for someone who is not a candidate here.")
    if any(v is None or v < 0 for v in votes.values()):
        problems.append("Votes are whole numbers, 0 or more.")
    elif not problems and sum(votes.values()) != valid_votes:
        problems.append(
            f"The candidates' votes add up to {sum(votes.values()):,}, but the total of valid votes is {valid_votes:,}."
        )
    if electorate is not None and valid_votes + (rejected_ballots or 0) > electorate:
        problems.append("More ballots than electors: check the electorate.")
    if problems:
        raise ValidationError(problems)
    seat_reports = CountReport.objects.select_for_update().filter(election=election, constituency=seat)
    if seat_reports.filter(status=CountReport.Status.CONFIRMED).exists():
        raise ValidationError("This seat's count is confirmed already.")
    if seat_reports.filter(status=CountReport.Status.AWAITING).exists():
        raise ValidationError("A report of this seat awaits a second user: confirm or reject it first.")
    try:
        with transaction.atomic():
            report = CountReport.objects.create(
                election=election,
                constituency=seat,
                valid_votes=valid_votes,
                rejected_ballots=rejected_ballots,
                electorate=electorate,
                entered_by=user,
                entered_at=clock.now(),
            )
    except IntegrityError:
        raise ValidationError("A report of this seat awaits a second user: confirm or reject it first.") from None
    CountVote.objects.bulk_create(CountVote(report=report, candidacy_id=pk, votes=n) for pk, n in votes.items())
    return report


def _awaiting(user, report_id: int) -> CountReport:
    report = (
        CountReport.objects.select_for_update().select_related("constituency", "election").filter(pk=report_id).first()
    )
    if report is None:
        raise ValidationError("No such report.")
    _require_seat(user, report.constituency)
    if report.status != CountReport.Status.AWAITING:
        raise ValidationError(f"This report is {report.get_status_display().lower()} already.")
    return report


@transaction.atomic
def count_report_confirm(*, user, report_id: int) -> CountReport:
    """A second user confirms the report: the seat shows as declared (if the feed has not declared it first),
    the feed's figures are compared with it, and its declaration is announced once."""
    report = _awaiting(user, report_id)
    if report.entered_by_id == user.pk:
        raise PermissionDenied("A second user confirms: you entered this report.")
    now = clock.now()
    report.status, report.decided_by, report.decided_at = CountReport.Status.CONFIRMED, user, now
    report.save(update_fields=["status", "decided_by", "decided_at"])
    declaration, created = Declaration.objects.get_or_create(
        election=report.election,
        constituency=report.constituency,
        defaults={"source": Declaration.Source.COUNT, "declared_at": now, "recorded_at": now},
    )
    feed_check(election=report.election, report_id=report.pk)
    results_changed(report.election.slug)
    if created:
        declaration_announce(election=report.election, declaration_ids=[declaration.pk])
    report.refresh_from_db()
    return report


@transaction.atomic
def count_report_reject(*, user, report_id: int) -> CountReport:
    """Reject a report awaiting confirmation (its enterer may withdraw it too); another can be entered."""
    report = _awaiting(user, report_id)
    report.status, report.decided_by, report.decided_at = CountReport.Status.REJECTED, user, clock.now()
    report.save(update_fields=["status", "decided_by", "decided_at"])
    return report


# --- announcing a declaration ----------------------------------------------------------------------------------


def _recipients(seat_id: int) -> tuple[list, list]:
    """The seat's organisers (seat grants), and its volunteers (living there or in one of its teams) who have
    agreed to email or SMS, with the channel each is reached by: SMS where they agreed to it and gave a
    mobile, else email."""
    from volunteers.models import Consent, Role, SeatGrant, Team, User

    active_consents = Consent.objects.filter(withdrawn_at__isnull=True, user__isnull=False)
    sms = set(active_consents.filter(channel="sms").values_list("user_id", flat=True))
    email = set(active_consents.filter(channel="email").values_list("user_id", flat=True))
    organisers = list(
        User.objects.filter(
            is_active=True, pk__in=SeatGrant.objects.filter(constituency_id=seat_id).values("user_id")
        ).select_related("profile")
    )
    organiser_ids = {u.pk for u in organisers}
    teams = Team.objects.filter(constituency_id=seat_id)
    volunteers = [
        u
        for u in User.objects.filter(
            Q(profile__home_constituency_id=seat_id)
            | Q(pk__in=teams.values("members"))
            | Q(pk__in=teams.values("lead_id")),
            is_active=True,
            role__in=[Role.VOLUNTEER, Role.TEAM_LEAD],
        )
        .select_related("profile")
        .distinct()
        if u.pk not in organiser_ids and (u.pk in sms or u.pk in email)
    ]

    def channel(user) -> str:
        phone = getattr(getattr(user, "profile", None), "phone", "")
        return OutboxChannel.SMS if user.pk in sms and is_e164(phone) else OutboxChannel.EMAIL

    return [(u, channel(u)) for u in organisers], [(u, channel(u)) for u in volunteers]


def _percent(share: float | None) -> str:
    return f"{share * 100:.1f}%" if share is not None else "an unknown share"


def declaration_announce(*, election: Election, declaration_ids: list[int]) -> list[int]:
    """Write, in the caller's transaction, the messages announcing these declarations of endorsed seats: to
    the seat's organisers (a service message) and to its volunteers who opted in (campaign content, consent
    checked again when sent). The key is the declaration's id, so each person hears of it once however often
    this runs. Returns the outbox ids written."""
    declarations = list(
        Declaration.objects.filter(pk__in=declaration_ids, notified_at__isnull=True).select_related("constituency")
    )
    if not declarations:
        return []
    seats = Constituency.objects.filter(pk__in=[d.constituency_id for d in declarations])
    rows_by_seat = {r.id: r for r in selectors.board_rows(election=election, seats=seats)}
    outbox = []
    for declaration in declarations:
        row = rows_by_seat.get(declaration.constituency_id)
        if row is None or not row.endorsed_name or not row.declared:
            continue
        context = {
            "seat": row.name,
            "result_text": row.result_text,
            "candidate": row.endorsed_name,
            "place_text": row.place_text or "unplaced",
            "share_text": _percent(row.ours_share),
            "majority": f"{row.majority:,}" if row.majority is not None else "",
            "winner": row.winner,
            "url": rendering.absolute(reverse("campaigns:public_seat", args=[election.slug, row.code])),
        }
        organisers, volunteers = _recipients(declaration.constituency_id)
        groups = ((MessageKind.SEAT_DECLARED_ORGANISER, organisers), (MessageKind.SEAT_DECLARED, volunteers))
        for kind, people in groups:
            outbox += [
                outbox_row(
                    recipient_id=user.pk,
                    kind=kind,
                    key=f"declared:{declaration.pk}",
                    channel=channel,
                    constituency_id=declaration.constituency_id,
                    context={"name": first_name(user), "declaration": context},
                )
                for user, channel in people
            ]
    ids = outbox_write(outbox)
    Declaration.objects.filter(pk__in=[d.pk for d in declarations]).update(notified_at=clock.now())
    return ids


# --- a rehearsal ---------------------------------------------------------------------------------------------------


@transaction.atomic
def night_reset(*, election: Election) -> dict:
    """Before a rehearsal: the election as it was at the close of poll. Its results, declarations and count
    reports are deleted and its candidates' votes cleared (the candidates, endorsements and targets stay); a
    replay of the results brings them all back. Returns what was cleared."""
    from campaigns.models import Result

    cleared = {
        "results": Result.objects.filter(election=election).delete()[0],
        "declarations": Declaration.objects.filter(election=election).delete()[0],
        "count reports": CountReport.objects.filter(election=election).delete()[0],
    }
    results_changed(election.slug)
    cleared["candidates' votes"] = (
        Candidacy.objects.filter(election=election)
        .filter(Q(votes__isnull=False) | Q(elected=True))
        .update(votes=None, elected=False)
    )
    return cleared
