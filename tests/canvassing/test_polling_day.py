"""Polling day, live (canvassing.pollingday): stations, the tellers' numbers exactly once, the committee-room
board with its ETag, where next, knock-up rounds, lifts and votes to win, against a real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from canvassing import services as canvassing_services
from canvassing.models import (
    AccessLog,
    Elector,
    GrantLevel,
    KnockUpRound,
    Lift,
    LiftStatus,
    PollingDayVote,
    PollingDistrict,
    PollingStation,
    TellerEntry,
    WalkList,
)
from canvassing.pollingday import selectors, services
from organiser import clock, scope
from tests.canvassing.conftest import grant, load_register
from tests.conftest import logged_in_client, make_user
from volunteers.models import Role, Shift, ShiftKind, Signup, VolunteerProfile


@pytest.fixture
def day(campaign, travel):
    """Ten in the morning of the campaign's polling day (UK time)."""
    return travel(clock.at(campaign.polling_day, dt.time(10)))


@pytest.fixture
def register(campaign, monkeypatch):
    """Three districts (KA, KB, KC) of 100 synthetic electors each."""
    from canvassing import synthetic

    monkeypatch.setattr(synthetic, "ELECTORS_PER_DISTRICT", 100)
    load_register(campaign, 300, seed=3)
    return {d.code: d for d in PollingDistrict.objects.filter(campaign=campaign)}


def station(campaign, name, *codes):
    return services.station_save(
        user=campaign.agent,
        campaign=campaign,
        name=name,
        districts=list(PollingDistrict.objects.filter(campaign=campaign, code__in=codes)),
    )


def typed(station_, numbers, *, at=None, entry_id=None):
    return {
        "id": entry_id or str(uuid.uuid4()),
        "station": station_.pk,
        "numbers": numbers,
        "taken_at": (at or clock.now()).isoformat(),
    }


def elector(campaign, code, number):
    return Elector.objects.get(campaign=campaign, polling_district__code=code, number=number, suffix=0)


def pledge(campaign, electors, intention="C"):
    """Record these electors as promises (C) or leans (L) at the door."""
    canvassing_services.responses_record(
        user=campaign.agent,
        entries=[
            {"id": str(uuid.uuid4()), "elector": e.pk, "outcome": "spoke", "intention": intention,
             "recorded_at": (clock.now() - dt.timedelta(days=3)).isoformat()}
            for e in electors
        ],
    )  # fmt: skip


# --- what a teller types ---------------------------------------------------------------------------------------


def test_numbers_one_by_one_or_as_ranges_checked_against_the_stations_districts():
    one = {"KA": 1}
    assert services.parse_numbers("124", one) == ([(1, 124, 0)], [])
    assert services.parse_numbers("ka-124/2, KA 7", one) == ([(1, 124, 2), (1, 7, 0)], [])
    assert services.parse_numbers("120-123", one)[0] == [(1, 120, 0), (1, 121, 0), (1, 122, 0), (1, 123, 0)]
    assert services.parse_numbers("KA 5 to 6; KA9..10", one)[0] == [(1, 5, 0), (1, 6, 0), (1, 9, 0), (1, 10, 0)]
    found, refused = services.parse_numbers("KB-12, hello, 30-20, 1-999", one)
    assert found == []
    assert [r["reason"] for r in refused] == [
        "this station serves KA, not KB",
        "not a poll number",
        "a range runs up, without /suffixes, at most 200",
        "a range runs up, without /suffixes, at most 200",
    ]
    two = {"KA": 1, "KB": 2}
    assert services.parse_numbers("KB 3, ka4", two)[0] == [(2, 3, 0), (1, 4, 0)]
    assert services.parse_numbers("12", two)[1] == [
        {"number": "12", "reason": "say the district: this station serves KA, KB"}
    ]


def test_tellers_numbers_are_recorded_once_whoever_types_them_and_however_often_sent(campaign, register, day):
    teller = grant(campaign, GrantLevel.TELLER)
    other_teller = grant(campaign, GrantLevel.TELLER)
    school = station(campaign, "St Mary's School", "KA")
    first = typed(school, "KA-1, 2, 3-5")
    result = services.teller_entries_record(user=teller, entries=[first, typed(school, "KB-7, 99999")])
    assert result.accepted == [first["id"], result.accepted[1]] and result.rejected == []
    assert (result.recorded, result.duplicates) == (5, 0)
    assert sorted(r["reason"] for r in result.refused) == ["not on the register", "this station serves KA, not KB"]
    # The phone lost the answer and sends the same entry again, and another teller types an overlapping range.
    again = services.teller_entries_record(user=teller, entries=[first])
    assert again.accepted == [first["id"]] and (again.recorded, again.duplicates) == (0, 0)
    overlap = services.teller_entries_record(user=other_teller, entries=[typed(school, "4-6, 6")])
    assert (overlap.recorded, overlap.duplicates) == (1, 3)
    assert PollingDayVote.objects.filter(campaign=campaign).count() == 6
    assert set(PollingDayVote.objects.values_list("station_id", flat=True)) == {school.pk}
    assert TellerEntry.objects.count() == 3
    stored = TellerEntry.objects.get(client_id=first["id"])
    assert (stored.recorded, stored.duplicates, stored.entered_by) == (5, 0, teller)
    # Counted per station and per hour (of the time the numbers were taken).
    services.teller_entries_record(
        user=teller, entries=[typed(school, "KA 20", at=clock.now() - dt.timedelta(hours=2))]
    )
    hours = dict(selectors.station_hours(school))
    assert hours["08:00"] == 1 and hours["10:00"] == 6 and sum(hours.values()) == 7
    assert min(hours) == "07:00" and max(hours) == "21:00"


def test_a_phone_clock_from_another_day_or_the_future_is_not_believed(campaign, register, day):
    teller = grant(campaign, GrantLevel.TELLER)
    school = station(campaign, "School", "KA")
    services.teller_entries_record(
        user=teller,
        entries=[typed(school, "1", at=clock.now() + dt.timedelta(hours=3)),
                 typed(school, "2", at=clock.now() - dt.timedelta(days=1))],
    )  # fmt: skip
    assert set(PollingDayVote.objects.values_list("taken_at", flat=True)) == {clock.now()}


def test_a_station_of_a_register_not_held_is_rejected_whole(campaign, other_campaign, register, day):
    load_register(other_campaign, 50, seed=4)
    theirs = station(other_campaign, "Their school", "KA")
    teller = grant(campaign, GrantLevel.TELLER)
    result = services.teller_entries_record(
        user=teller, entries=[typed(theirs, "1"), {"id": "x"}, {"id": str(uuid.uuid4())}]
    )
    assert result.accepted == [] and len(result.rejected) == 3
    assert result.rejected[0]["reason"] == "no entry id"
    assert not PollingDayVote.objects.exists() and not TellerEntry.objects.exists()


def test_the_api_takes_a_queued_batch_and_a_resend(campaign, register, day):
    teller = grant(campaign, GrantLevel.TELLER)
    school = station(campaign, "School", "KA")
    client = logged_in_client(teller)
    batch = {"entries": [typed(school, "10"), typed(school, "11-12")]}
    url = reverse("api:teller-entries")
    answer = client.post(url, batch, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["recorded"] == 3 and len(answer.json()["accepted"]) == 2
    again = client.post(url, batch, content_type="application/json").json()
    assert again["recorded"] == 0 and again["accepted"] == answer.json()["accepted"]
    assert PollingDayVote.objects.count() == 3
    assert client.post(url, {"entries": []}, content_type="application/json").status_code == 400
    outsider = logged_in_client(make_user(Role.NATIONAL_ORGANISER, mfa=True))
    refused = outsider.post(url, {"entries": [typed(school, "13")]}, content_type="application/json").json()
    assert refused["accepted"] == [] and PollingDayVote.objects.count() == 3


def test_the_tellers_screen_holds_stations_only_and_names_a_tellers_own_station_first(campaign, register, day, seat_a):
    teller = grant(campaign, GrantLevel.TELLER)
    hall = station(campaign, "Avenue Hall", "KB")
    school = station(campaign, "Zion School", "KA", "KC")
    shift = Shift.objects.create(
        kind=ShiftKind.TELLING, constituency=seat_a, starts_at=clock.now(), ends_at=clock.now() + dt.timedelta(hours=3),
        meeting_point="Zion School gate",
    )  # fmt: skip
    school.shifts.add(shift)
    Signup.objects.create(shift=shift, volunteer=teller)
    page = logged_in_client(teller).get(reverse("canvassing:tellers", args=[campaign.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.index("Zion School") < body.index("Avenue Hall") and "your shift" in body
    assert '"districts": ["KA", "KC"]' in body
    assert not any(e.surname in body for e in Elector.objects.filter(campaign=campaign)[:50] if len(e.surname) > 4)
    stations_page = logged_in_client(campaign.agent).get(reverse("canvassing:stations", args=[campaign.pk]))
    assert str(teller) in stations_page.content.decode() and hall.name in stations_page.content.decode()


def test_a_station_serves_its_own_campaigns_districts_and_opens_before_it_closes(campaign, other_campaign, register):
    load_register(other_campaign, 20, seed=9)
    with pytest.raises(ValidationError, match="another campaign"):
        services.station_save(
            user=campaign.agent, campaign=campaign, name="X",
            districts=list(PollingDistrict.objects.filter(campaign=other_campaign)),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="close after"):
        services.station_save(
            user=campaign.agent, campaign=campaign, name="X", districts=[register["KA"]],
            opens_at=dt.time(22), closes_at=dt.time(7),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.station_save(
            user=grant(campaign, GrantLevel.TELLER), campaign=campaign, name="X", districts=[register["KA"]]
        )
    response = logged_in_client(campaign.agent).post(
        reverse("canvassing:stations", args=[campaign.pk]),
        {"name": "Library", "districts": [register["KA"].pk], "opens_at": "07:00", "closes_at": "22:00"},
    )
    assert response.status_code == 302
    assert PollingStation.objects.get(name="Library").opens_at == dt.time(7)


# --- the board ----------------------------------------------------------------------------------------------


def test_the_board_counts_promises_leans_and_who_of_them_voted_and_answers_304_when_unchanged(campaign, register, day):
    ka = list(Elector.objects.filter(campaign=campaign, polling_district__code="KA").order_by("number")[:10])
    pledge(campaign, ka[:6], "C")
    pledge(campaign, ka[6:10], "L")
    school = station(campaign, "School", "KA")
    services.teller_entries_record(
        user=campaign.agent, entries=[typed(school, f"{ka[0].number}, {ka[6].number}, {ka[0].number + 5000}")]
    )
    state = selectors.board(campaign)
    row = next(d for d in state.districts if d.code == "KA")
    assert (row.promises, row.leans, row.promises_voted, row.leans_voted) == (6, 4, 1, 1)
    assert state.total.pledges_not_voted == 8 and state.total.voted == 2
    assert sum(d.target for d in state.districts) == campaign.votes_to_win
    hour = next(h for h in state.hours if h["hour"] == "10:00")
    assert (
        hour["numbers"] == 2 and hour["now"] and next(h for h in state.hours if h["hour"] == "11:00")["numbers"] is None
    )

    client = logged_in_client(campaign.agent)
    url = reverse("canvassing:committee_room", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Committee room" in page.content and b"Where next" in page.content
    live = client.get(url, HTTP_HX_REQUEST="true")
    assert live.status_code == 200 and b"<html" not in live.content
    tag = live["ETag"]
    assert f'data-etag="{tag.replace(chr(34), "&quot;")}"'.encode() in page.content
    unchanged = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=tag)
    assert unchanged.status_code == 304 and unchanged["ETag"] == tag and unchanged.content == b""
    services.teller_entries_record(user=campaign.agent, entries=[typed(school, str(ka[1].number))])
    changed = client.get(url, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag
    district = client.get(url, {"pd": "KA"})
    assert b"district KA" in district.content


def test_the_board_is_for_the_campaigns_organisers_only(campaign, register, day):
    url = reverse("canvassing:committee_room", args=[campaign.pk])
    for level in (GrantLevel.TELLER, GrantLevel.CANVASSER):
        assert logged_in_client(grant(campaign, level)).get(url).status_code == 403
    for outsider in (make_user(Role.NATIONAL_ORGANISER, mfa=True), make_user(Role.VOLUNTEER)):
        assert logged_in_client(outsider).get(url, HTTP_HX_REQUEST="true").status_code == 404
    assert logged_in_client(grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER)).get(url).status_code == 200


def test_the_board_costs_the_same_queries_at_any_size(campaign, register, day, django_assert_max_num_queries):
    client = logged_in_client(campaign.agent)
    url = reverse("canvassing:committee_room", args=[campaign.pk])
    client.get(url)
    pledge(campaign, Elector.objects.filter(campaign=campaign)[:300])
    school = station(campaign, "School", "KA", "KB", "KC")
    services.teller_entries_record(user=campaign.agent, entries=[typed(school, "KA 1-150"), typed(school, "KB 1-150")])
    with django_assert_max_num_queries(20):
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200


# --- where next and knock-up rounds --------------------------------------------------------------------------


def test_where_next_ranks_promises_left_per_door_within_the_volunteers_reach_and_says_why(campaign, register, day):
    ka = list(Elector.objects.filter(campaign=campaign, polling_district__code="KA").order_by("number")[:40])
    kb = list(Elector.objects.filter(campaign=campaign, polling_district__code="KB").order_by("number")[:10])
    pledge(campaign, ka)
    pledge(campaign, kb)
    school = station(campaign, "School", "KA")
    services.teller_entries_record(
        user=campaign.agent, entries=[typed(school, "KA " + ", ".join(str(e.number) for e in ka[:35]))]
    )
    ranked = selectors.where_next(selectors.board(campaign), volunteers=2)
    assert [w.code for w in ranked] == ["KB", "KA"]  # 10 promises left in KB against 5 in KA
    assert ranked[0].promises_left == 10 and "10 promises and 0 leans not yet voted" in ranked[0].reasoning
    assert "of the 2 volunteers free" in ranked[0].reasoning and ranked[0].score > ranked[1].score
    nobody = selectors.where_next(selectors.board(campaign), volunteers=0)
    assert "no volunteer free now" in nobody[0].reasoning


def test_knock_up_rounds_leave_out_who_voted_since_and_go_to_the_volunteers(campaign, register, day, seat_a):
    ka = list(Elector.objects.filter(campaign=campaign, polling_district__code="KA").order_by("number")[:30])
    pledge(campaign, ka[:20], "C")
    pledge(campaign, ka[20:], "L")
    knocker = grant(campaign, GrantLevel.CANVASSER)
    first = services.knock_up_round_cut(
        user=campaign.agent, campaign=campaign, districts=[register["KA"]], volunteers=[knocker], doors=10
    )
    lists = list(WalkList.objects.filter(knock_up_round=first))
    assert first.number == 1 and lists and all(wl.volunteer == knocker for wl in lists)
    assert sum(wl.electors_count for wl in lists) == 30 and all(wl.name.startswith("Round 1 · KA") for wl in lists)
    # Between rounds: tellers take five numbers, a door says "already voted", another "won't vote".
    school = station(campaign, "School", "KA")
    services.teller_entries_record(
        user=campaign.agent, entries=[typed(school, ", ".join(str(e.number) for e in ka[:5]))]
    )
    canvassing_services.responses_record(
        user=knocker,
        entries=[{"id": str(uuid.uuid4()), "elector": ka[5].pk, "outcome": "already_voted", "walk_list": lists[0].pk},
                 {"id": str(uuid.uuid4()), "elector": ka[6].pk, "outcome": "wont_vote", "walk_list": lists[0].pk},
                 {"id": str(uuid.uuid4()), "elector": ka[7].pk, "outcome": "reminded", "walk_list": lists[0].pk}],
    )  # fmt: skip
    second = services.knock_up_round_cut(user=campaign.agent, campaign=campaign, districts=[register["KA"]])
    second_ids = set(WalkList.objects.filter(knock_up_round=second).values_list("entries__elector_id", flat=True))
    assert second.number == 2 and len(second_ids) == 23 and ka[7].pk in second_ids
    assert not second_ids & {e.pk for e in ka[:7]}
    state = selectors.board(campaign)
    by_number = {r.number: r for r in state.rounds}
    assert by_number[1].lists == len(lists) and by_number[1].lists_out == len(lists)
    assert by_number[1].knocked == 3 and by_number[1].voted_since == 6
    assert next(d for d in state.districts if d.code == "KA").pledges_voted == 6  # the tellers' five and the door's one
    # The knock-up list on the phone says what the door can say today.
    data = logged_in_client(knocker).get(reverse("canvassing:walk_list_data", args=[lists[0].pk])).json()
    assert data["knock_up"] is True and "needs_lift" in data["outcomes"]


def test_a_round_is_sent_from_the_board_with_its_reasoning(campaign, register, day, seat_a):
    pledge(campaign, Elector.objects.filter(campaign=campaign, polling_district__code="KB")[:8])
    volunteer = grant(campaign, GrantLevel.CANVASSER)
    shift = Shift.objects.create(
        kind=ShiftKind.KNOCK_UP, constituency=seat_a, starts_at=clock.now() - dt.timedelta(hours=1),
        ends_at=clock.now() + dt.timedelta(hours=2), meeting_point="Committee room",
    )  # fmt: skip
    Signup.objects.create(shift=shift, volunteer=volunteer)
    client = logged_in_client(campaign.agent)
    url = reverse("canvassing:committee_room", args=[campaign.pk])
    page = client.get(url)
    assert b"1</strong> volunteers out now" in page.content
    form = page.context["round_form"]
    assert form.initial["districts"] == [str(register["KB"].pk)] and form.initial["volunteers"] == [str(volunteer.pk)]
    sent = client.post(
        reverse("canvassing:knock_up_round", args=[campaign.pk]),
        {"districts": [register["KB"].pk], "volunteers": [volunteer.pk], "doors": 40},
    )
    assert sent.status_code == 302
    knock_round = KnockUpRound.objects.get(campaign=campaign)
    assert knock_round.reasoning[0]["district"] == "KB" and "8 promises" in knock_round.reasoning[0]["why"]
    assert WalkList.objects.get(knock_up_round=knock_round).volunteer == volunteer
    # The volunteer now holds a list of the latest round: not free for the next.
    assert list(selectors.volunteers_free(campaign)) == []
    bad = client.post(reverse("canvassing:knock_up_round", args=[campaign.pk]), {"districts": ["nonsense"]})
    assert bad.status_code == 302 and KnockUpRound.objects.count() == 1


# --- lifts ----------------------------------------------------------------------------------------------------


def test_a_lift_asked_for_at_the_door_goes_to_a_driver_who_sees_the_pick_up_once_accepted(
    campaign, register, day, seat_a
):
    knocker = grant(campaign, GrantLevel.CANVASSER)
    someone = Elector.objects.filter(campaign=campaign).exclude(address_1="").first()
    canvassing_services.responses_record(
        user=knocker,
        entries=[{"id": str(uuid.uuid4()), "elector": someone.pk, "outcome": "needs_lift", "note": "after 2pm"}],
    )
    driver = make_user(Role.VOLUNTEER)
    VolunteerProfile.objects.create(user=driver, home_constituency=seat_a, skills=["driving"])
    walker = make_user(Role.VOLUNTEER)
    VolunteerProfile.objects.create(user=walker, home_constituency=seat_a, skills=["canvassing"])
    agent = logged_in_client(campaign.agent)
    page = agent.get(reverse("canvassing:lifts", args=[campaign.pk]))
    assert page.status_code == 200 and someone.name.encode() in page.content
    lift = Lift.objects.get(campaign=campaign)
    assert lift.status == LiftStatus.OPEN and lift.note == "after 2pm" and someone.address_1 in lift.pick_up
    agent.get(reverse("canvassing:lifts", args=[campaign.pk]))
    assert Lift.objects.count() == 1  # collected once per doorstep entry
    assert AccessLog.objects.filter(campaign=campaign, detail__list="lifts").exists()
    change = reverse("canvassing:lift_change", args=[campaign.pk, lift.pk])
    agent.post(change, {"action": "offer", "driver": walker.pk})
    lift.refresh_from_db()
    assert lift.status == LiftStatus.OPEN  # not a driver
    agent.post(change, {"action": "offer", "driver": driver.pk})
    lift.refresh_from_db()
    assert (lift.status, lift.driver) == (LiftStatus.OFFERED, driver)
    mine = logged_in_client(driver)
    offered = mine.get(reverse("canvassing:my_lifts_driver")).content.decode()
    assert someone.address_1 not in offered and someone.surname not in offered and "Accept" in offered
    assert (
        logged_in_client(walker)
        .post(reverse("canvassing:my_lift_answer", args=[lift.pk]), {"action": "accept"})
        .status_code
        == 404
    )
    mine.post(reverse("canvassing:my_lift_answer", args=[lift.pk]), {"action": "accept"})
    accepted = mine.get(reverse("canvassing:my_lifts_driver")).content.decode()
    assert someone.address_1 in accepted and someone.surname not in accepted
    mine.post(reverse("canvassing:my_lift_answer", args=[lift.pk]), {"action": "done"})
    lift.refresh_from_db()
    assert lift.status == LiftStatus.DONE
    assert selectors.board(campaign).lifts == {"done": 1}
    # The driver holds no grant: the campaign's pages stay closed to them.
    assert mine.get(reverse("canvassing:lifts", args=[campaign.pk])).status_code == 404


def test_a_lift_asked_for_on_the_phone(campaign, register, day):
    someone = Elector.objects.filter(campaign=campaign, polling_district__code="KB").first()
    client = logged_in_client(campaign.agent)
    url = reverse("canvassing:lifts", args=[campaign.pk])
    bad = client.post(url, {"elector": "ZZ-1", "wanted_at": "14:00"})
    assert bad.status_code == 200 and b"No elector with that poll number" in bad.content
    client.post(url, {"elector": f"kb-{someone.number}", "wanted_at": "14:30", "pick_up": "The side door"})
    lift = Lift.objects.get()
    assert lift.elector == someone and lift.pick_up == "The side door"
    assert clock.local(lift.wanted_at).time() == dt.time(14, 30)


# --- votes to win ---------------------------------------------------------------------------------------------


def test_votes_to_win_is_suggested_from_the_results_with_reasoning_and_the_agent_may_override(campaign, register):
    from campaigns.models import Candidacy, NotionalResult, NotionalVote, Person, Result

    winner = Candidacy.objects.create(
        election=campaign.election, constituency=campaign.constituency,
        person=Person.objects.create(key="test:winner", name="The winner"), votes=15_000,
    )  # fmt: skip
    Result.objects.create(
        election=campaign.election, constituency=campaign.constituency, electorate=75_000, valid_votes=45_000,
        winner=winner, majority=500,
    )  # fmt: skip
    notional = NotionalResult.objects.create(
        election=campaign.election, constituency=campaign.constituency, electorate=70_000, total_votes=49_000,
        majority=3000, winner="LAB",
    )  # fmt: skip
    NotionalVote.objects.create(notional_result=notional, party_abbreviation="LAB", votes=19_600, share=0.4)
    NotionalVote.objects.create(notional_result=notional, party_abbreviation="CON", votes=16_600, share=0.3388)
    suggestion = selectors.votes_to_win_suggestion(campaign)
    # Shares 33.3% (2024) and 40.0% (notional): 40% is the bar. Turnouts 60% and 70%: 65% of 300 = 195.
    assert suggestion.votes == 79  # floor(195 x 0.4) + 1
    assert "40.0%" in suggestion.reasoning[1] and "300 electors" in suggestion.reasoning[2]
    assert sum(v for _, _, v in suggestion.districts) == 79 and len(suggestion.districts) == 3
    client = logged_in_client(campaign.agent)
    url = reverse("canvassing:votes_to_win", args=[campaign.pk])
    page = client.get(url)
    assert b"How the suggestion is worked out" in page.content and b"79" in page.content
    client.post(url, {"action": "suggested"})
    campaign.refresh_from_db()
    assert campaign.votes_to_win == 79
    client.post(url, {"action": "own", "votes": "1800"})
    campaign.refresh_from_db()
    assert campaign.votes_to_win == 1800
    assert client.post(url, {"action": "own", "votes": "-4"}).status_code == 200
    organiser = grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER)
    assert logged_in_client(organiser).post(url, {"action": "own", "votes": "5"}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.votes_to_win == 1800


def test_without_results_the_suggestion_says_what_is_missing(campaign):
    suggestion = selectors.votes_to_win_suggestion(campaign)
    assert suggestion.votes is None
    assert "No declared result" in suggestion.reasoning[0] and "not loaded yet" in suggestion.reasoning[-1]


# --- destruction -------------------------------------------------------------------------------------------------


def test_destroying_the_register_takes_polling_days_rows_with_it(campaign, register, day):
    school = station(campaign, "School", "KA")
    services.teller_entries_record(user=campaign.agent, entries=[typed(school, "1-3")])
    pledge(campaign, Elector.objects.filter(campaign=campaign, polling_district__code="KA")[:5])
    services.knock_up_round_cut(user=campaign.agent, campaign=campaign, districts=[register["KA"]])
    services.lift_request(
        user=campaign.agent, campaign=campaign, elector=Elector.objects.first(), wanted_at=clock.now()
    )
    canvassing_services.register_destroy(campaign=campaign, user=scope.system("retention job"), route="test")
    for model in (PollingStation, TellerEntry, PollingDayVote, KnockUpRound, Lift, WalkList):
        assert not model.objects.filter(campaign=campaign).exists(), model


def test_what_no_text_column_holds_is_refused_not_a_500(campaign, register, day):
    school = station(campaign, "School", "KA")
    teller = grant(campaign, GrantLevel.TELLER)
    result = services.teller_entries_record(
        user=teller,
        entries=[typed(school, "12\ud800"), {**typed(school, "13"), "taken_at": "0001-01-01T00:00:00-23:59"}],
    )
    assert [r["reason"] for r in result.rejected] == ["not a poll number"] and result.recorded == 1
    with pytest.raises(ValidationError):
        services.teller_entries_record(user=teller, entries=[typed(school, "1")] * (services.MAX_TELLER_BATCH + 1))
