"""Writes of call assignments: making one from a segment, refreshing its people, giving each caller their next
person (never the same person to two callers), recording how a call went, the campaign's do-not-call list and the
TPS/CTPS file it licenses.

**Allocation.** ``call_next`` gives a caller the person they hold already, else claims the next one in one
statement: ``UPDATE … WHERE id = (SELECT … ORDER BY priority, available_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)``.
A row another caller is claiming at that instant is skipped, not waited for, and PostgreSQL re-checks the
conditions on the row's newest version before locking it, so two callers never hold the same person. A claim
lasts ``claim_minutes``: a caller who walks away leaves the person to be given to someone else after it.

**Who is offered** (PECR reg 21, docs/law.md P6c): someone whose number is on the campaign's do-not-call list or
on the TPS/CTPS file is not offered unless they gave us consent to calls (after the number was listed, for the
campaign's own list). That is checked in the claim itself, so a number listed a moment ago is never offered; a
refresh also marks such people *screened* with the reason, for the organiser.

**Outcomes.** Talked: done. No answer, busy, left a message: back after the assignment's cooldown, until
``max_attempts``. Call back at: back at that time, before anyone new. Wrong number: removed. Do not call: the
number goes on the do-not-call list, every consent to calls on that number is withdrawn, and the person is removed
from every assignment at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from conversations.models import (
    EARLIEST,
    LATEST,
    Call,
    CallAssignment,
    CallTarget,
    DoNotCall,
    Outcome,
    PreferenceList,
    Segment,
    TargetState,
    TPSNumber,
)
from conversations.selectors.segments import segment_people
from organiser import clock, scope
from volunteers.models import Consent, User
from volunteers.phones import normalise_phone

#: How far ahead a call-back may be asked for.
CALL_BACK_WITHIN = dt.timedelta(days=60)

#: A consent to calls held now by the target row ``t`` (its account or its supporter).
CALL_CONSENT = """(
    EXISTS (SELECT 1 FROM volunteers_consent AS k WHERE k.channel = 'calls' AND k.withdrawn_at IS NULL
            AND k.user_id = {t}.user_id{after})
    OR EXISTS (SELECT 1 FROM volunteers_consent AS k WHERE k.channel = 'calls' AND k.withdrawn_at IS NULL
               AND k.supporter_id = {t}.supporter_id{after}))"""

#: May the target row ``t`` be offered to a caller (PECR reg 21)? Not if its number is on the campaign's own
#: do-not-call list (unless they consented to calls since) or on the TPS/CTPS file (unless they consented).
MAY_CALL = f"""(
    NOT EXISTS (SELECT 1 FROM conversations_donotcall AS d WHERE d.phone = {{t}}.phone
                AND NOT {CALL_CONSENT.format(t="{t}", after=" AND k.given_at > d.created_at")})
    AND (NOT EXISTS (SELECT 1 FROM conversations_tpsnumber AS p WHERE p.phone = {{t}}.phone)
         OR {CALL_CONSENT.format(t="{t}", after="")}))"""  # noqa: S608 (fixed SQL, values are parameters)

#: The columns of a target that ``call_next`` returns (in this order).
TARGET_COLUMNS = (
    "id", "assignment_id", "user_id", "supporter_id", "name", "phone", "state", "reason", "priority",
    "available_at", "claimed_by_id", "claimed_until", "attempts", "last_outcome", "call_back_at",
)  # fmt: skip
_RETURNING = ", ".join(f"t.{column}" for column in TARGET_COLUMNS)

#: The person a caller holds still, else the next one claimed for them: one statement, one round trip. The claim's
#: one-time filter (nothing held) is checked before its subquery runs, so a caller who holds someone locks nothing.
NEXT = f"""
WITH held AS (
    SELECT {_RETURNING} FROM conversations_calltarget AS t
     WHERE t.claimed_by_id = %(caller)s AND t.assignment_id = %(assignment)s AND t.state = 'open'
       AND t.claimed_until > %(now)s
     ORDER BY t.id LIMIT 1
), claimed AS (
    UPDATE conversations_calltarget AS t
       SET claimed_by_id = %(caller)s, claimed_until = %(until)s
     WHERE NOT EXISTS (SELECT 1 FROM held) AND t.id = (
        SELECT c.id FROM conversations_calltarget AS c
         WHERE c.assignment_id = %(assignment)s AND c.state = 'open' AND c.available_at <= %(now)s
           AND (c.claimed_until IS NULL OR c.claimed_until <= %(now)s)
           AND {MAY_CALL.format(t="c")}
         ORDER BY c.priority, c.available_at, c.id
         LIMIT 1
         FOR UPDATE SKIP LOCKED)
    RETURNING {_RETURNING}
)
SELECT * FROM held UNION ALL SELECT * FROM claimed
"""  # noqa: S608 (fixed SQL, values are parameters)


def _check_hours(calls_from: dt.time, calls_until: dt.time) -> None:
    if calls_from < EARLIEST or calls_until > LATEST or calls_from >= calls_until:
        raise ValidationError(
            {"calls_until": ["Calling hours are within 08:00 to 21:00 UK time, and end after they start."]}
        )


def _check_seat(*, user, constituency, segment: Segment) -> None:
    if not scope.is_system(user) and not scope.restrict(Segment.objects.filter(pk=segment.pk), user).exists():
        raise ValidationError({"segment": ["Choose one of your segments."]})
    if constituency is None:
        if not (scope.is_system(user) or getattr(user, "is_national_organiser", False)):
            raise ValidationError({"segment": ["Choose a segment of one of your seats."]})
        return
    if segment.constituency_id not in (None, constituency.pk):
        raise ValidationError({"segment": ["That segment is of another seat."]})
    if not scope.is_system(user) and not scope.seats_in_scope(user).filter(pk=constituency.pk).exists():
        raise ValidationError({"segment": ["You can only make assignments in your own seats."]})


def callers_from_text(text: str) -> list[User]:
    """Active accounts from email addresses, one per line (or separated by commas); ValidationError naming each
    address that is not one."""
    addresses = [part.strip().lower() for part in str(text or "").replace(",", "\n").splitlines() if part.strip()]
    addresses = list(dict.fromkeys(addresses))[:200]
    users = {user.email.lower(): user for user in User.objects.filter(email__in=addresses, is_active=True)}
    if missing := [address for address in addresses if address not in users]:
        raise ValidationError({"callers": [f"No volunteer has these addresses: {', '.join(missing)[:300]}."]})
    return [users[address] for address in addresses]


@transaction.atomic
def assignment_create(
    *,
    user,
    name: str,
    segment: Segment,
    script: str,
    cooldown_hours: int = 24,
    max_attempts: int = 3,
    calls_from: dt.time = dt.time(10, 0),
    calls_until: dt.time = dt.time(20, 0),
    claim_minutes: int = 15,
    callers: Iterable[User] = (),
) -> CallAssignment:
    """A call assignment of the segment's seat (or, for a segment of every seat, national organisers'), with its
    people evaluated now; ValidationError (by field) for what is wrong, and nothing saved."""
    if not (scope.is_system(user) or scope.can_add(user, CallAssignment)):
        raise PermissionDenied("You cannot make call assignments.")
    constituency = segment.constituency
    _check_seat(user=user, constituency=constituency, segment=segment)
    _check_hours(calls_from, calls_until)
    assignment = CallAssignment(
        name=" ".join(str(name).split())[:200],
        constituency=constituency,
        segment=segment,
        script=str(script).strip(),
        cooldown_hours=cooldown_hours,
        max_attempts=max_attempts,
        calls_from=calls_from,
        calls_until=calls_until,
        claim_minutes=claim_minutes,
        created_by=None if scope.is_system(user) else user,
    )
    assignment.full_clean(exclude=["constituency", "segment", "created_by"])
    assignment.save()
    assignment.callers.set(list(callers))
    assignment_refresh(assignment=assignment, user=user)
    return assignment


@transaction.atomic
def assignment_update(*, assignment: CallAssignment, user, is_open: bool | None = None, callers=None) -> None:
    if not scope.can_change(user, assignment):
        raise PermissionDenied("You cannot change this assignment.")
    if is_open is not None:
        assignment.is_open = is_open
        assignment.save(update_fields=["is_open"])
    if callers is not None:
        assignment.callers.set(list(callers))


def people_table(cursor, *, segment: Segment, user, now: dt.datetime, consent: str | None = None) -> None:
    """The segment's people with a phone number now (as ``user`` sees them), in the temporary table
    ``call_people`` (user_id for volunteers, supporter_id for supporters, name, phone), dropped at commit;
    ``consent``: only those holding that consent now (``"sms"`` for texting)."""
    # Cast: a union with one side empty leaves the other's NULL columns untyped (text) in the subquery.
    people = segment_people(segment=segment, user=user, now=now).order_by()
    people_sql, people_params = people.query.sql_with_params()
    held = ""
    if consent:
        held = """ AND (
            (p.p_kind = 'volunteer' AND EXISTS (SELECT 1 FROM volunteers_consent AS k WHERE k.user_id = p.p_user_id
                AND k.channel = %s AND k.withdrawn_at IS NULL))
            OR (p.p_kind = 'supporter' AND EXISTS (SELECT 1 FROM volunteers_consent AS k
                WHERE k.supporter_id = p.p_supporter_id AND k.channel = %s AND k.withdrawn_at IS NULL)))"""
    cursor.execute(
        "CREATE TEMPORARY TABLE call_people (user_id bigint, supporter_id bigint, name text, phone text) ON COMMIT DROP"
    )
    cursor.execute(
        f"""
        INSERT INTO call_people
        SELECT CASE WHEN p.p_kind = 'volunteer' THEN p.p_user_id::bigint END,
               CASE WHEN p.p_kind = 'supporter' THEN p.p_supporter_id::bigint END,
               COALESCE(p.p_name, '')::text, p.p_phone::text
          FROM ({people_sql}) AS p
         WHERE COALESCE(p.p_phone, '') <> ''{held}
        """,  # noqa: S608 (the segment's query is compiled by the ORM; values are parameters)
        [*people_params, *([consent, consent] if consent else [])],
    )


#: Is the target row ``t`` one of the segment's people (``call_people``)? ``IN`` on each column apart, so that
#: PostgreSQL hashes each list once (an ``OR`` inside one ``EXISTS`` would compare every pair).
IN_PEOPLE = """
    (t.user_id IS NOT NULL AND t.user_id IN (SELECT user_id FROM call_people WHERE user_id IS NOT NULL))
    OR (t.supporter_id IS NOT NULL
        AND t.supporter_id IN (SELECT supporter_id FROM call_people WHERE supporter_id IS NOT NULL))"""


@dataclass
class Refreshed:
    added: int = 0
    dropped: int = 0
    screened: int = 0


def assignment_refresh(*, assignment: CallAssignment, user, now: dt.datetime | None = None) -> Refreshed:
    """Evaluate the segment again (as ``user`` sees it): new people with a number join, people who no longer
    match drop out (unless done or removed), and everyone still to call is screened against the do-not-call
    list and the TPS file. Set-based: a few statements whatever the size."""
    now = now or clock.now()
    result = Refreshed()
    with transaction.atomic(), connection.cursor() as cursor:
        people_table(cursor, segment=assignment.segment, user=user, now=now)
        cursor.execute("ANALYZE call_people")
        cursor.execute(
            """
            INSERT INTO conversations_calltarget
                (assignment_id, user_id, supporter_id, name, phone, state, reason, priority, available_at,
                 attempts, last_outcome)
            SELECT %s, user_id, supporter_id, LEFT(name, 200), LEFT(phone, 20), 'open', '', 1, %s, 0, ''
              FROM call_people
            ON CONFLICT DO NOTHING
            """,
            [assignment.pk, now],
        )
        result.added = cursor.rowcount
        cursor.execute(
            f"""
            UPDATE conversations_calltarget AS t SET state = 'dropped', reason = 'no longer in the segment',
                   claimed_by_id = NULL, claimed_until = NULL
             WHERE t.assignment_id = %s AND t.state IN ('open', 'screened') AND NOT ({IN_PEOPLE})
            """,  # noqa: S608 (fixed SQL)
            [assignment.pk],
        )
        result.dropped = cursor.rowcount
        cursor.execute(
            f"""
            UPDATE conversations_calltarget AS t SET state = 'open', reason = ''
             WHERE t.assignment_id = %s AND t.state = 'dropped' AND ({IN_PEOPLE})
            """,  # noqa: S608 (fixed SQL)
            [assignment.pk],
        )
        cursor.execute("DROP TABLE call_people")
    result.screened = screen(assignment_id=assignment.pk)
    CallAssignment.objects.filter(pk=assignment.pk).update(refreshed_at=now)
    return result


SCREEN = f"""
UPDATE conversations_calltarget AS t
   SET state = 'screened', claimed_by_id = NULL, claimed_until = NULL,
       reason = CASE WHEN EXISTS (SELECT 1 FROM conversations_donotcall AS d WHERE d.phone = t.phone)
                     THEN 'on our do-not-call list, and no consent to calls since'
                     ELSE 'on the TPS/CTPS list, and no consent to our calls (PECR reg 21)' END
 WHERE t.state = 'open' AND {{where}} AND NOT {MAY_CALL.format(t="t")}
"""  # noqa: S608 (fixed SQL)
UNSCREEN = f"""
UPDATE conversations_calltarget AS t SET state = 'open', reason = ''
 WHERE t.state = 'screened' AND {{where}} AND {MAY_CALL.format(t="t")}
"""  # noqa: S608 (fixed SQL)


def screen(*, assignment_id: int | None = None) -> int:
    """Mark who may not be called now as screened, with the reason (and let back those who may again, having
    consented since); for one assignment or every open one. Returns how many are screened now."""
    where, params = ("t.assignment_id = %s", [assignment_id]) if assignment_id else ("TRUE", [])
    with connection.cursor() as cursor:
        cursor.execute(SCREEN.format(where=where), params)
        cursor.execute(UNSCREEN.format(where=where), params)
    screened = CallTarget.objects.filter(state=TargetState.SCREENED)
    return (screened.filter(assignment_id=assignment_id) if assignment_id else screened).count()


# --- calling ----------------------------------------------------------------------------------------------------


def may_call(user, assignment: CallAssignment) -> bool:
    """A caller of the assignment, or someone who may change it (its seat's organisers, national organisers)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return assignment.callers.filter(pk=user.pk).exists() or scope.can_change(user, assignment)


def within_hours(assignment: CallAssignment, now: dt.datetime) -> bool:
    local = clock.local(now).time()
    return assignment.calls_from <= local < assignment.calls_until


def call_next(*, assignment: CallAssignment, caller, now: dt.datetime | None = None) -> CallTarget | None:
    """The person ``caller`` is to call now: the one they hold, else the next one claimed for them (None when
    nobody is left to call now). ValidationError when the assignment is closed or outside its calling hours."""
    now = now or clock.now()
    if not assignment.is_open:
        raise ValidationError("This assignment is closed.", code="closed")
    if not within_hours(assignment, now):
        raise ValidationError(
            f"Calls are made from {assignment.calls_from:%H:%M} to {assignment.calls_until:%H:%M}, UK time.",
            code="outside_hours",
        )
    params = {
        "caller": caller.pk,
        "assignment": assignment.pk,
        "now": now,
        "until": now + dt.timedelta(minutes=assignment.claim_minutes),
    }
    with connection.cursor() as cursor:
        cursor.execute(NEXT, params)
        found = cursor.fetchone()
    if found is None:
        return None
    target = CallTarget(**dict(zip(TARGET_COLUMNS, found, strict=True)))
    target._state.adding, target._state.db = False, connection.alias
    return target


@transaction.atomic
def call_release(*, target: CallTarget, caller) -> None:
    """The caller gives the person back without calling (anyone may be given them at once)."""
    CallTarget.objects.filter(pk=target.pk, claimed_by=caller).update(claimed_by=None, claimed_until=None)


@transaction.atomic
def call_record(
    *,
    target: CallTarget,
    caller,
    outcome: str,
    call_back_at: dt.datetime | None = None,
    notes: str = "",
    now: dt.datetime | None = None,
) -> Call:
    """How the call went. Only the caller holding the person records it (after their claim ran out too, as long
    as nobody else was given the person since); ValidationError otherwise, and for a call-back without a time to
    come."""
    now = now or clock.now()
    target = CallTarget.objects.select_for_update().select_related("assignment").get(pk=target.pk)
    if target.claimed_by_id != caller.pk or target.state != TargetState.OPEN:
        raise ValidationError("This person is no longer yours to call: ask for the next one.", code="not_yours")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": ["Choose how the call went."]})
    if outcome == Outcome.CALL_BACK:
        if call_back_at is None:
            raise ValidationError({"call_back_at": ["Say when to call back."]})
        if not now < call_back_at <= now + CALL_BACK_WITHIN:
            raise ValidationError({"call_back_at": ["A call-back is a time in the next 60 days."]})
    else:
        call_back_at = None
    assignment = target.assignment
    call = Call.objects.create(
        target=target, caller=caller, outcome=outcome, notes=str(notes or "")[:2000], call_back_at=call_back_at,
        created_at=now,
    )  # fmt: skip
    target.claimed_by, target.claimed_until = None, None
    target.last_outcome = outcome
    target.priority = 1
    target.call_back_at = call_back_at
    if outcome == Outcome.TALKED:
        target.state = TargetState.DONE
    elif outcome in (Outcome.NO_ANSWER, Outcome.BUSY, Outcome.LEFT_MESSAGE):
        target.attempts += 1
        target.available_at = now + dt.timedelta(hours=assignment.cooldown_hours)
        if target.attempts >= assignment.max_attempts:
            target.state, target.reason = TargetState.DONE, f"no answer after {target.attempts} calls"
    elif outcome == Outcome.CALL_BACK:
        target.available_at, target.priority = call_back_at, 0
    elif outcome == Outcome.WRONG_NUMBER:
        target.state, target.reason = TargetState.REMOVED, "wrong number"
    target.save()
    if outcome == Outcome.DO_NOT_CALL:
        do_not_call_add(phone=target.phone, recorded_by=caller, reason=f"asked on a call ({assignment.name})"[:200])
    return call


@transaction.atomic
def do_not_call_add(*, phone: str, recorded_by=None, reason: str = "", now: dt.datetime | None = None) -> DoNotCall:
    """Never call this number again: it goes on the campaign's do-not-call list, every consent to calls given
    with it (supporters' and volunteers') is withdrawn now, and whoever has it is removed from every assignment."""
    now = now or clock.now()
    phone = normalise_phone(phone)
    entry, _ = DoNotCall.objects.get_or_create(
        phone=phone, defaults={"recorded_by": recorded_by, "reason": reason[:200], "created_at": now}
    )
    if entry.created_at > now:
        DoNotCall.objects.filter(pk=entry.pk).update(created_at=now)
    Consent.objects.filter(channel="calls", withdrawn_at__isnull=True, supporter__phone=phone).update(withdrawn_at=now)
    Consent.objects.filter(channel="calls", withdrawn_at__isnull=True, user__profile__phone=phone).update(
        withdrawn_at=now
    )
    CallTarget.objects.filter(phone=phone, state__in=[TargetState.OPEN, TargetState.SCREENED]).update(
        state=TargetState.REMOVED, reason="asked not to be called", claimed_by=None, claimed_until=None
    )
    return entry


# --- the TPS / CTPS file ----------------------------------------------------------------------------------------


@dataclass
class TPSImport:
    numbers: int = 0
    errors: list[str] = field(default_factory=list)
    screened: int = 0


MAX_TPS_ERRORS = 50


def tps_import(*, user, data: bytes, list_kind: str = PreferenceList.TPS) -> TPSImport:
    """Replace the campaign's copy of the TPS (or CTPS) file with this one: a text or CSV file with a number in
    the first column of each line (a header line is skipped). All or nothing: any bad line, and nothing changes,
    with every bad line reported (the first 50). Then everyone still to call is screened against it."""
    if not getattr(user, "is_national_organiser", False) and not scope.is_system(user):
        raise PermissionDenied("Only national organisers import the TPS file.")
    if list_kind not in PreferenceList.values:
        raise ValidationError({"list_kind": ["Choose TPS or CTPS."]})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": ["The file is not text (UTF-8): export it as CSV."]}) from None
    if "\x00" in text:
        raise ValidationError({"file": ["The file is not text: export it as CSV."]})
    result = TPSImport()
    numbers: set[str] = set()
    bad = 0
    for line_number, line in enumerate(text.splitlines(), start=1):
        # The first column, read by hand: a quoted or unusual line is a bad line here, never an exception.
        value = line.split(",", 1)[0].strip().strip('"').strip()[:64]
        if not value or (line_number == 1 and not any(ch.isdigit() for ch in value)):
            continue  # a blank line, or the header
        try:
            numbers.add(normalise_phone(value))
        except ValidationError:
            bad += 1
            if len(result.errors) < MAX_TPS_ERRORS:
                result.errors.append(f"Line {line_number}: {value[:40]!r} is not a UK phone number.")
    if bad:
        if bad > MAX_TPS_ERRORS:
            result.errors.append(f"…and {bad - MAX_TPS_ERRORS} more bad lines.")
        raise ValidationError({"file": result.errors})
    if not numbers:
        raise ValidationError({"file": ["The file holds no numbers."]})
    now = clock.now()
    with transaction.atomic():
        TPSNumber.objects.filter(list=list_kind).delete()
        existing = set(TPSNumber.objects.filter(phone__in=numbers).values_list("phone", flat=True))
        TPSNumber.objects.bulk_create(
            [TPSNumber(phone=phone, list=list_kind, imported_at=now) for phone in sorted(numbers - existing)],
            batch_size=5000,
        )
        result.numbers = len(numbers)
        result.screened = screen()
    return result
