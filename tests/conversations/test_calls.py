"""Call assignments (conversations.services.calls): made from a segment within the maker's scope; each caller given
a person nobody else holds (concurrent claims on real PostgreSQL connections), released when abandoned; outcomes
with their cooldown and call-backs at their time; "do not call" everywhere at once; the TPS file imported all or
nothing and honoured unless the person consented to calls."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from conversations.models import Call, CallTarget, DoNotCall, Outcome, Segment, TargetState, TPSNumber
from conversations.services import calls as services
from conversations.services import supporters as supporter_services
from organiser import clock
from tests.conftest import make_user
from tests.volunteers.factories import ProfileFactory
from volunteers.models import Consent, Role

NOON = "2027-03-10T12:00:00Z"  # a Wednesday, 12:00 UK time (GMT)


def _supporter(name: str, phone: str, seat, agrees=("sms",)):
    return supporter_services.supporter_sign_up(
        full_name=name, phone=phone, constituency=seat, agrees=list(agrees), source="test"
    ).supporter


@pytest.fixture
def people(db, seat_a, seat_b):
    return {
        "amina": _supporter("Amina Khan", "07911 100001", seat_a),
        "ben": _supporter("Ben Cole", "07911 100002", seat_a, agrees=("sms", "calls")),
        "cath": _supporter("Cath Day", "07911 100003", seat_a),
        "dev": ProfileFactory(home_constituency=seat_a, phone="+447911100004", user__full_name="Dev Patel"),
        "far": _supporter("Far Away", "07911 100009", seat_b),
    }


@pytest.fixture
def segment(seat_a):
    return Segment.objects.create(name="Seat A everyone", constituency=seat_a, filters={})


@pytest.fixture
def assignment(travel, seat_organiser, segment, people):
    travel(NOON)
    return services.assignment_create(
        user=seat_organiser, name="Saturday's canvass", segment=segment, script="Hello {name}, can you help?"
    )


def test_an_assignment_holds_the_segments_people_with_a_number_of_its_seat_only(assignment, people):
    targets = {target.name: target for target in assignment.targets.all()}
    assert set(targets) == {"Amina Khan", "Ben Cole", "Cath Day", "Dev Patel"}
    assert targets["Dev Patel"].user_id == people["dev"].user_id and targets["Dev Patel"].supporter_id is None
    assert targets["Amina Khan"].supporter_id == people["amina"].pk and targets["Amina Khan"].user_id is None
    assert {target.state for target in targets.values()} == {TargetState.OPEN}


def test_a_seat_organiser_makes_assignments_only_of_their_seats_segments(travel, seat_organiser, seat_b, people):
    other = Segment.objects.create(name="Seat B", constituency=seat_b, filters={})
    national = Segment.objects.create(name="All", filters={})
    for segment in (other, national):
        with pytest.raises(ValidationError) as refused:
            services.assignment_create(user=seat_organiser, name="x", segment=segment, script="Hi")
        assert "segment" in refused.value.message_dict
    volunteer = make_user(Role.VOLUNTEER)
    with pytest.raises(PermissionDenied):
        services.assignment_create(user=volunteer, name="x", segment=other, script="Hi")


def test_calling_hours_are_within_8_to_21_uk_time(seat_organiser, segment):
    for start, end in ((dt.time(7, 59), dt.time(12)), (dt.time(10), dt.time(21, 1)), (dt.time(12), dt.time(11))):
        with pytest.raises(ValidationError) as refused:
            services.assignment_create(
                user=seat_organiser, name="x", segment=segment, script="Hi", calls_from=start, calls_until=end
            )
        assert "calls_until" in refused.value.message_dict


def test_outside_calling_hours_nobody_is_given(assignment, travel, seat_organiser):
    travel("2027-03-10T20:30:00Z")  # 20:30 UK time, after the assignment's 20:00
    with pytest.raises(ValidationError) as refused:
        services.call_next(assignment=assignment, caller=seat_organiser)
    assert refused.value.code == "outside_hours"


def test_a_caller_keeps_the_person_they_hold_and_two_callers_never_share_one(assignment, seat_organiser):
    second = make_user(Role.VOLUNTEER)
    assignment.callers.add(second)
    first = services.call_next(assignment=assignment, caller=seat_organiser)
    assert services.call_next(assignment=assignment, caller=seat_organiser) == first  # asked again: the same
    other = services.call_next(assignment=assignment, caller=second)
    assert other is not None and other != first


def test_an_abandoned_claim_goes_back_after_its_minutes(assignment, seat_organiser, travel):
    second = make_user(Role.VOLUNTEER)
    held = services.call_next(assignment=assignment, caller=seat_organiser)
    given = {services.call_next(assignment=assignment, caller=make_user(Role.VOLUNTEER)).pk for _ in range(3)}
    assert held.pk not in given and services.call_next(assignment=assignment, caller=second) is None
    travel.shift(dt.timedelta(minutes=assignment.claim_minutes, seconds=1))
    assert services.call_next(assignment=assignment, caller=second).pk in given | {held.pk}
    # The first caller's claim ran out and someone else may hold the person now: recording is refused then.
    taken = CallTarget.objects.get(pk=held.pk)
    if taken.claimed_by_id != seat_organiser.pk:
        with pytest.raises(ValidationError):
            services.call_record(target=held, caller=seat_organiser, outcome=Outcome.TALKED)


def test_outcomes_cooldown_attempts_and_call_backs_at_their_time(assignment, seat_organiser, travel):
    caller = seat_organiser
    first = services.call_next(assignment=assignment, caller=caller)
    services.call_record(target=first, caller=caller, outcome=Outcome.NO_ANSWER)
    first.refresh_from_db()
    assert first.state == TargetState.OPEN and first.attempts == 1
    assert first.available_at == clock.now() + dt.timedelta(hours=24)
    second = services.call_next(assignment=assignment, caller=caller)
    assert second != first  # inside their cooldown: not offered
    call_back = clock.now() + dt.timedelta(hours=2)
    services.call_record(target=second, caller=caller, outcome=Outcome.CALL_BACK, call_back_at=call_back)
    third = services.call_next(assignment=assignment, caller=caller)
    assert third not in (first, second)
    services.call_record(target=third, caller=caller, outcome=Outcome.TALKED)
    travel.shift(dt.timedelta(hours=2))
    # The call-back is due: it comes before anyone not yet called.
    assert services.call_next(assignment=assignment, caller=caller) == second
    with pytest.raises(ValidationError) as refused:
        services.call_record(target=second, caller=caller, outcome=Outcome.CALL_BACK, call_back_at=None)
    assert "call_back_at" in refused.value.message_dict
    assert Call.objects.filter(caller=caller).count() == 3
    assert CallTarget.objects.get(pk=third.pk).state == TargetState.DONE


def test_unanswered_max_attempts_times_is_done(assignment, seat_organiser, travel):
    target = services.call_next(assignment=assignment, caller=seat_organiser)
    for _ in range(assignment.max_attempts):
        CallTarget.objects.filter(pk=target.pk).update(claimed_by=seat_organiser)
        services.call_record(target=target, caller=seat_organiser, outcome=Outcome.BUSY)
    target.refresh_from_db()
    assert target.state == TargetState.DONE and "no answer after 3" in target.reason


def test_do_not_call_removes_the_person_everywhere_and_withdraws_their_consent(
    assignment, seat_organiser, segment, people
):
    other = services.assignment_create(user=seat_organiser, name="Polling day", segment=segment, script="Hi")
    ben_here = assignment.targets.get(supporter=people["ben"])
    CallTarget.objects.filter(pk=ben_here.pk).update(claimed_by=seat_organiser, claimed_until=clock.now())
    services.call_record(target=ben_here, caller=seat_organiser, outcome=Outcome.DO_NOT_CALL)
    assert DoNotCall.objects.filter(phone="+447911100002").exists()
    assert set(CallTarget.objects.filter(supporter=people["ben"]).values_list("state", flat=True)) == {
        TargetState.REMOVED
    }
    assert not Consent.objects.filter(supporter=people["ben"], channel="calls", withdrawn_at__isnull=True).exists()
    assert Consent.objects.filter(supporter=people["ben"], channel="sms", withdrawn_at__isnull=True).exists()
    given = [services.call_next(assignment=other, caller=make_user(Role.VOLUNTEER)) for _ in range(4)]
    assert people["ben"].pk not in {target.supporter_id for target in given if target}


def test_a_number_listed_a_moment_ago_is_never_offered_even_before_a_refresh(assignment, seat_organiser, people):
    DoNotCall.objects.create(phone="+447911100001")  # Amina's number, listed by hand
    TPSNumber.objects.create(phone="+447911100003")  # Cath's, on the TPS, no consent to calls
    TPSNumber.objects.create(phone="+447911100002")  # Ben's: he consented to calls, so he is offered
    given = set()
    while target := services.call_next(assignment=assignment, caller=make_user(Role.VOLUNTEER)):
        given.add(target.name)
    assert given == {"Ben Cole", "Dev Patel"}
    services.screen(assignment_id=assignment.pk)
    reasons = dict(assignment.targets.filter(state=TargetState.SCREENED).values_list("name", "reason"))
    assert "do-not-call" in reasons["Amina Khan"] and "TPS" in reasons["Cath Day"]


def test_the_tps_file_is_imported_all_or_nothing_every_bad_line_reported(
    assignment, national_organiser, seat_organiser
):
    with pytest.raises(ValidationError) as refused:
        services.tps_import(user=national_organiser, data=b"number\n07911 100003\nnot a phone\n12\n")
    assert refused.value.message_dict["file"] == [
        "Line 3: 'not a phone' is not a UK phone number.",
        "Line 4: '12' is not a UK phone number.",
    ]
    assert not TPSNumber.objects.exists()
    with pytest.raises(PermissionDenied):
        services.tps_import(user=seat_organiser, data=b"07911 100003\n")
    for spoiled in (b"\x00\x01PK", b"07911 100003\rnope\r", b'"' + b"9" * 200_000, b"\xff\xfe"):
        with pytest.raises(ValidationError):
            services.tps_import(user=national_organiser, data=spoiled)
    result = services.tps_import(user=national_organiser, data=b"number\n07911 100003\n+44 7911 100002\n\n")
    assert result.numbers == 2
    assert set(TPSNumber.objects.values_list("phone", flat=True)) == {"+447911100003", "+447911100002"}
    states = dict(assignment.targets.values_list("name", "state"))
    assert states["Cath Day"] == TargetState.SCREENED  # no consent to calls
    assert states["Ben Cole"] == TargetState.OPEN  # consented to calls
    services.tps_import(user=national_organiser, data=b"07911 100001\n")  # a new file replaces the old
    assert list(TPSNumber.objects.values_list("phone", flat=True)) == ["+447911100001"]
    states = dict(assignment.targets.values_list("name", "state"))
    assert states["Cath Day"] == TargetState.OPEN and states["Amina Khan"] == TargetState.SCREENED


def test_people_who_stop_matching_drop_out_and_return(assignment, seat_organiser, segment, people):
    segment.filters = {"consents": ["calls"]}
    segment.save()
    result = services.assignment_refresh(assignment=assignment, user=seat_organiser)
    assert result.dropped == 3
    assert list(assignment.targets.filter(state=TargetState.OPEN).values_list("name", flat=True)) == ["Ben Cole"]
    segment.filters = {}
    segment.save()
    services.assignment_refresh(assignment=assignment, user=seat_organiser)
    assert assignment.targets.filter(state=TargetState.OPEN).count() == 4


@pytest.mark.django_db(transaction=True)
def test_many_callers_at_once_on_their_own_connections_never_get_the_same_person(travel, seat_a):
    travel(NOON)
    organiser = make_user(Role.SEAT_ORGANISER, seats=(seat_a,))
    for n in range(40):
        _supporter(f"Person {n}", f"07911 2{n:05d}", seat_a)
    segment = Segment.objects.create(name="All of A", constituency=seat_a, filters={})
    assignment = services.assignment_create(user=organiser, name="Rush", segment=segment, script="Hi")
    callers = [make_user(Role.VOLUNTEER) for _ in range(8)]
    assignment.callers.set(callers)
    given: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(callers))

    def work(caller):
        try:
            start.wait()
            while target := services.call_next(assignment=assignment, caller=caller):
                given.append((target.pk, caller.pk))
                services.call_record(target=target, caller=caller, outcome=Outcome.TALKED)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(caller,)) for caller in callers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    people = [target for target, _ in given]
    assert len(people) == 40 and len(set(people)) == 40  # everyone once, nobody twice
    assert len({caller for _, caller in given}) > 1  # the work was shared
    assert Call.objects.count() == 40


def test_a_segment_of_volunteers_only_makes_an_assignment_too(travel, seat_organiser, seat_a, people):
    """A segment that holds no supporters (a skill): the union of people has one side only, its NULLs untyped."""
    travel(NOON)
    drivers = Segment.objects.create(name="Drivers", constituency=seat_a, filters={"population": "volunteers"})
    assignment = services.assignment_create(user=seat_organiser, name="Drivers", segment=drivers, script="Hi")
    assert list(assignment.targets.values_list("name", flat=True)) == ["Dev Patel"]
    supporters = Segment.objects.create(name="Supporters", constituency=seat_a, filters={"population": "supporters"})
    other = services.assignment_create(user=seat_organiser, name="Supporters", segment=supporters, script="Hi")
    assert other.targets.count() == 3
