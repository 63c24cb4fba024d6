"""Services: grants, doorstep responses (exactly once, two canvassers, pace), walk lists, polling day, retention."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from canvassing import selectors, services
from canvassing.models import (
    AccessLog,
    CandidateCampaign,
    CanvassResponse,
    Elector,
    GrantLevel,
    IntentionCode,
    KnockUpSheet,
    PollingDistrict,
    SurveyQuestion,
    WalkList,
    WalkListEntry,
)
from organiser import clock, scope
from tests.canvassing.conftest import grant, load_register
from tests.conftest import make_user
from volunteers.models import Role, Team


def entry(elector, outcome="spoke", intention="", at=None, **extra):
    return {
        "id": str(uuid.uuid4()),
        "elector": elector.pk,
        "outcome": outcome,
        "intention": intention,
        "recorded_at": (at or clock.now()).isoformat(),
        **extra,
    }


# --- grants -------------------------------------------------------------------------------------------


def test_only_the_agent_grants_and_the_agents_grant_stays(campaign, agent):
    organiser = grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER)
    with pytest.raises(PermissionDenied):
        services.register_grant_create(
            campaign=campaign, user=make_user(Role.VOLUNTEER), level="canvasser", granted_by=organiser
        )
    with pytest.raises(ValidationError):
        services.register_grant_revoke(campaign=campaign, user=agent, revoked_by=agent)
    services.register_grant_revoke(campaign=campaign, user=organiser, revoked_by=agent)
    assert services.grant_level(organiser, campaign) is None


def test_a_register_is_only_for_an_endorsed_candidate_and_retention_follows_polling_day(election, seat_a):
    from campaigns.models import Candidacy, Endorsement, Person

    person = Person.objects.create(key="test:x", name="X")
    candidacy = Candidacy.objects.create(election=election, constituency=seat_a, person=person)
    proposed = Endorsement.objects.create(election=election, constituency=seat_a, candidacy=candidacy)
    agent = make_user(Role.SEAT_ORGANISER)
    day = clock.today() + dt.timedelta(days=60)
    with pytest.raises(ValidationError):
        services.candidate_campaign_create(
            user=scope.system("tests"), endorsement=proposed, agent=agent, polling_day=day, retention_date=day
        )
    proposed.status = Endorsement.Status.ENDORSED
    with pytest.raises(ValidationError):
        services.candidate_campaign_create(
            user=scope.system("tests"), endorsement=proposed, agent=agent, polling_day=day, retention_date=day
        )


# --- doorstep responses ---------------------------------------------------------------------------------


def test_a_resent_entry_is_stored_once(campaign, canvasser):
    load_register(campaign, 50)
    elector = Elector.objects.filter(campaign=campaign).first()
    sent = entry(elector, intention="C")
    first = services.responses_record(user=canvasser, entries=[sent])
    again = services.responses_record(user=canvasser, entries=[sent, sent])
    assert first.accepted == [sent["id"]] and again.accepted == [sent["id"], sent["id"]]
    assert CanvassResponse.objects.filter(client_id=sent["id"]).count() == 1
    elector.refresh_from_db()
    assert elector.current_outcome == "spoke" and elector.current_intention.code == "C"


def test_electors_of_a_campaign_not_granted_are_rejected(campaign, other_campaign, canvasser):
    load_register(other_campaign, 20)
    foreign = Elector.objects.filter(campaign=other_campaign).first()
    result = services.responses_record(user=canvasser, entries=[entry(foreign), {"id": "nonsense"}])
    assert result.accepted == [] and len(result.rejected) == 2
    assert not CanvassResponse.objects.exists()


def survey(campaign) -> None:
    """The campaign's questions, one of each kind (the defaults ask "issue" and "poster")."""
    SurveyQuestion.objects.update_or_create(
        campaign=campaign,
        key="issue",
        defaults={"text": "Main issue?", "kind": "choice", "choices": ["Housing", "Gaza"]},
    )
    SurveyQuestion.objects.update_or_create(
        campaign=campaign, key="poster", defaults={"text": "Window poster?", "kind": "yes_no"}
    )
    SurveyQuestion.objects.update_or_create(campaign=campaign, key="said", defaults={"text": "Else?", "kind": "text"})


def test_survey_answers_are_checked_against_each_questions_kind(campaign, canvasser):
    load_register(campaign, 20)
    survey(campaign)
    a, b, c = Elector.objects.filter(campaign=campaign)[:3]
    good = entry(a, answers={"issue": "Housing", "poster": "yes", "said": " Potholes "})
    bad = entry(
        b, answers={"issue": "Tax", "poster": "maybe", "said": ["a", "list"], "favourite_colour": "x", "unasked": None}
    )
    long_text = entry(c, answers={"said": "x" * (services.ANSWER_MAX_LENGTH + 1)})
    result = services.responses_record(user=canvasser, entries=[good, bad, long_text])
    assert result.accepted == [good["id"]]
    rejected = {r["id"]: r for r in result.rejected}
    assert rejected[bad["id"]]["answers"] == {
        "issue": "'Tax' is not one of the choices: Housing, Gaza",
        "poster": "'maybe' is not yes or no",
        "said": "a free-text answer must be text",
        "favourite_colour": "no such question in this campaign's survey",
        "unasked": "no such question in this campaign's survey",
    }
    assert rejected[long_text["id"]]["answers"] == {"said": f"longer than {services.ANSWER_MAX_LENGTH} characters"}
    stored = CanvassResponse.objects.get()
    assert stored.answers == {"issue": "Housing", "poster": "Yes", "said": "Potholes"}
    # Resent after the survey changed: stored once, still accepted (exactly once), never rejected.
    SurveyQuestion.objects.filter(key="issue").update(choices=["Schools"])
    again = services.responses_record(user=canvasser, entries=[good, bad])
    assert again.accepted == [good["id"]] and [r["id"] for r in again.rejected] == [bad["id"]]
    assert CanvassResponse.objects.count() == 1


def test_answers_to_a_retired_question_are_kept_and_blank_answers_dropped(campaign, canvasser):
    load_register(campaign, 10)
    survey(campaign)
    SurveyQuestion.objects.filter(key="poster").update(active=False)
    sent = entry(Elector.objects.filter(campaign=campaign).first(), answers={"poster": True, "issue": ""})
    assert services.responses_record(user=canvasser, entries=[sent]).accepted == [sent["id"]]
    assert CanvassResponse.objects.get().answers == {"poster": "Yes"}


def test_answers_given_after_an_entry_was_sent_complete_that_entry(campaign, canvasser):
    load_register(campaign, 10)
    survey(campaign)
    a, b = Elector.objects.filter(campaign=campaign)[:2]
    first = entry(a, intention="C")
    assert services.responses_record(user=canvasser, entries=[first]).accepted == [first["id"]]
    later = entry(a, intention="C", answers={"issue": "Housing"}, note="wants a poster", completes=first["id"])
    assert services.responses_record(user=canvasser, entries=[later, later]).accepted == [later["id"]] * 2
    stored = CanvassResponse.objects.get()  # one row for the door's conversation, not two
    assert str(stored.client_id) == first["id"]
    assert (stored.answers, stored.note) == ({"issue": "Housing"}, "wants a poster")
    a.refresh_from_db()
    assert a.current_intention.code == "C"
    # An entry and its completion in one batch (the phone was offline): the completion applies after it.
    offline = entry(b, intention="L")
    completion = entry(b, intention="L", answers={"poster": "no"}, completes=offline["id"])
    assert services.responses_record(user=canvasser, entries=[completion, offline]).rejected == []
    assert CanvassResponse.objects.get(elector=b).answers == {"poster": "No"}
    # Another canvasser cannot complete someone else's entry, nor an entry of another elector.
    other = grant(campaign)
    foreign = entry(a, answers={"issue": "Gaza"}, completes=first["id"])
    wrong_elector = entry(b, answers={"issue": "Gaza"}, completes=first["id"])
    assert [r["reason"] for r in services.responses_record(user=other, entries=[foreign]).rejected] == [
        "the entry it completes was not recorded"
    ]
    assert len(services.responses_record(user=canvasser, entries=[wrong_elector]).rejected) == 1
    assert CanvassResponse.objects.get(elector=a).answers == {"issue": "Housing"}
    assert CanvassResponse.objects.count() == 2


def test_two_canvassers_on_one_elector_both_kept_the_latest_is_current(campaign, canvasser):
    load_register(campaign, 20)
    other = grant(campaign)
    elector = Elector.objects.filter(campaign=campaign).first()
    now = clock.now()
    # The later visit arrives first (the earlier phone was offline): the later recorded_at still wins.
    services.responses_record(user=other, entries=[entry(elector, "spoke", "L", at=now - dt.timedelta(minutes=5))])
    services.responses_record(user=canvasser, entries=[entry(elector, "spoke", "U", at=now - dt.timedelta(hours=1))])
    elector.refresh_from_db()
    assert elector.responses.count() == 2
    assert elector.current_intention.code == "L"
    # A later "not home" changes the outcome but leaves the intention last given.
    services.responses_record(user=canvasser, entries=[entry(elector, "not_home", at=now)])
    elector.refresh_from_db()
    assert (elector.current_outcome, elector.current_intention.code) == ("not_home", "L")


def test_implausible_pace_is_flagged_not_dropped(campaign, canvasser):
    load_register(campaign, 400)
    doors = list(Elector.objects.filter(campaign=campaign).order_by("property_key").distinct("property_key")[:30])
    start = clock.now() - dt.timedelta(minutes=3)
    services.responses_record(
        user=canvasser,
        entries=[entry(e, "not_home", at=start + dt.timedelta(seconds=4 * i)) for i, e in enumerate(doors)],
    )
    assert CanvassResponse.objects.count() == 30
    flagged = selectors.flagged_responses(campaign)
    assert flagged.count() == 30 - services.PACE_DOORS
    assert "doors in 2 minutes" in flagged.first().flag_reason
    # A normal pace is not flagged.
    calm = grant(campaign)
    services.responses_record(
        user=calm,
        entries=[entry(e, "spoke", at=start - dt.timedelta(hours=2, minutes=2 * i)) for i, e in enumerate(doors)],
    )
    assert CanvassResponse.objects.filter(recorded_by=calm, flagged=True).count() == 0


def test_a_phone_clock_in_the_future_is_brought_back_to_now(campaign, canvasser):
    load_register(campaign, 10)
    elector = Elector.objects.filter(campaign=campaign).first()
    services.responses_record(user=canvasser, entries=[entry(elector, at=clock.now() + dt.timedelta(days=3))])
    assert CanvassResponse.objects.get().recorded_at <= clock.now()


# --- walk lists ---------------------------------------------------------------------------------------


def cut(campaign, **kwargs):
    return services.walk_lists_cut(campaign=campaign, user=campaign.agent, **kwargs)


def test_walk_lists_keep_households_and_blocks_together_at_about_n_doors(campaign):
    load_register(campaign, 5000, seed=3)
    result = cut(campaign, doors=60)
    lists = list(WalkList.objects.filter(campaign=campaign))
    assert len(lists) == result.lists > result.doors // 90
    electors = Elector.objects.filter(campaign=campaign).exclude(property_key="")
    assert result.electors == electors.count() == WalkListEntry.objects.count()
    # Households never split, blocks of flats in one list.
    per_household = Counter()
    per_block = Counter()
    for property_key, district, street, number, wl in (
        WalkListEntry.objects.values_list(
            "elector__property_key",
            "walk_list__polling_district",
            "elector__street",
            "elector__house_number",
            "walk_list",
        )
        .order_by()
        .distinct()
    ):
        per_household[property_key] += 1
        per_block[(district, street, number, wl)] += 0
    assert max(per_household.values()) == 1
    blocks = Counter(block[:3] for block in per_block)
    assert max(blocks.values()) == 1
    # About N doors: only a block of flats at a list's end makes it longer.
    sizes = sorted(w.doors for w in lists)
    assert sizes[len(sizes) // 2] in range(50, 90)
    # Each list is in one polling district, in walking order: odd side up, even side down.
    first = lists[0]
    numbers = list(
        WalkListEntry.objects.filter(walk_list=first)
        .order_by("position")
        .values_list("elector__street", "elector__house_number")
    )
    street = numbers[0][0]
    on_street = [n for s, n in numbers if s == street and n]
    odd = [n for n in on_street if n % 2]
    even = [n for n in on_street if not n % 2]
    assert on_street == sorted(odd) + sorted(even, reverse=True)
    assert {w.polling_district_id for w in lists} == set(PollingDistrict.objects.values_list("pk", flat=True))


def test_recut_with_filters_replaces_a_districts_lists(campaign, canvasser):
    load_register(campaign, 800, seed=6)
    district = PollingDistrict.objects.get(campaign=campaign)
    cut(campaign, doors=40)
    electors = list(Elector.objects.filter(campaign=campaign).exclude(property_key="").order_by("pk")[:30])
    services.responses_record(user=canvasser, entries=[entry(e, "spoke", "L") for e in electors[:10]])
    services.responses_record(user=canvasser, entries=[entry(e, "spoke", "A") for e in electors[10:20]])
    Elector.objects.filter(pk__in=[e.pk for e in electors[20:30]]).update(postal_voter=True)

    leans = cut(campaign, doors=40, polling_district=district, filters=["leans_and_undecided"])
    assert leans.electors == 10 and WalkList.objects.filter(campaign=campaign).count() == leans.lists
    postal = cut(campaign, doors=40, filters=["postal_voters"])
    assert postal.electors == 10
    fresh = cut(campaign, doors=40, filters=["not_canvassed"])
    assert fresh.electors == Elector.objects.filter(campaign=campaign).exclude(property_key="").count() - 20
    with pytest.raises(ValidationError):
        cut(campaign, filters=["ethnicity"])


def test_merge_and_split(campaign):
    load_register(campaign, 600, seed=8)
    cut(campaign, doors=30)
    first, second, third = WalkList.objects.order_by("sequence")[:3]
    total = first.electors_count + second.electors_count
    merged = services.walk_lists_merge(walk_lists=[second, first], user=campaign.agent)
    assert merged.pk == first.pk and merged.electors_count == total
    assert not WalkList.objects.filter(pk=second.pk).exists()
    positions = list(WalkListEntry.objects.filter(walk_list=merged).values_list("position", flat=True))
    assert sorted(positions) == list(range(1, total + 1))
    half = services.walk_list_split(walk_list=merged, user=campaign.agent)
    merged.refresh_from_db()
    assert merged.electors_count + half.electors_count == total
    keys_first = set(WalkListEntry.objects.filter(walk_list=merged).values_list("elector__property_key", flat=True))
    keys_second = set(WalkListEntry.objects.filter(walk_list=half).values_list("elector__property_key", flat=True))
    assert not keys_first & keys_second
    assert abs(merged.doors - half.doors) <= max(merged.doors, half.doors) // 2
    other = WalkList.objects.exclude(polling_district=third.polling_district).first()
    if other:
        with pytest.raises(ValidationError):
            services.walk_lists_merge(walk_lists=[third, other], user=campaign.agent)


def test_assignment_and_my_lists(campaign, canvasser, seat_a):
    load_register(campaign, 300, seed=2)
    cut(campaign, doors=30)
    one, two, _three = WalkList.objects.order_by("sequence")[:3]
    stranger = make_user(Role.VOLUNTEER)
    with pytest.raises(ValidationError):
        services.walk_list_assign(walk_list=one, volunteer=stranger, user=campaign.agent)
    with pytest.raises(PermissionDenied):
        services.walk_list_assign(walk_list=one, volunteer=canvasser, user=canvasser)
    services.walk_list_assign(walk_list=one, volunteer=canvasser, user=campaign.agent)
    team = Team.objects.create(name="Doors", constituency=seat_a)
    team.members.add(canvasser, stranger)
    services.walk_list_assign(walk_list=two, team=team, user=campaign.agent)
    assert set(selectors.my_walk_lists(canvasser)) == {one, two}
    # A team member without a grant on the register sees none of it.
    assert list(selectors.my_walk_lists(stranger)) == []


def test_a_team_member_takes_one_of_the_teams_lists(campaign, canvasser, seat_a):
    load_register(campaign, 300, seed=2)
    cut(campaign, doors=30)
    pooled, other = WalkList.objects.order_by("sequence")[:2]
    colleague = grant(campaign)
    team = Team.objects.create(name="Doors", constituency=seat_a)
    team.members.add(canvasser, colleague)
    services.walk_list_assign(walk_list=pooled, team=team, user=campaign.agent)
    # The team's list is in both members' lists until one takes it; then it is theirs, still seen by the other.
    assert pooled in selectors.my_walk_lists(colleague) and pooled in selectors.my_walk_lists(canvasser)
    services.walk_list_take(walk_list=pooled, volunteer=canvasser)
    pooled.refresh_from_db()
    assert (pooled.volunteer, pooled.team) == (canvasser, team)
    with pytest.raises(ValidationError, match="has taken this list already"):
        services.walk_list_take(walk_list=pooled, volunteer=colleague)
    assert pooled in selectors.my_walk_lists(colleague)
    with pytest.raises(ValidationError, match="not given to you"):
        services.walk_list_take(walk_list=other, volunteer=colleague)


# --- polling day ------------------------------------------------------------------------------------------


def test_tellers_numbers_and_knock_up(campaign, canvasser):
    load_register(campaign, 200, seed=4)
    ka = PollingDistrict.objects.get(campaign=campaign, code="KA")
    electors = list(Elector.objects.filter(campaign=campaign, suffix=0).order_by("number")[:6])
    services.responses_record(user=canvasser, entries=[entry(e, "spoke", "C") for e in electors[:3]])
    services.responses_record(user=canvasser, entries=[entry(e, "spoke", "L") for e in electors[3:5]])
    services.responses_record(user=canvasser, entries=[entry(electors[5], "spoke", "LAB")])
    assert set(selectors.knock_up(campaign, ka)) == set(electors[:5])

    result = services.poll_numbers_record(
        user=canvasser,
        campaign=campaign,
        polling_district=ka,
        numbers=[str(electors[0].number), f"KA-{electors[1].number}", f"KB-{electors[2].number}", "99999", "12/ab", ""],
    )
    assert result.recorded == 2 and result.duplicates == 0
    assert [reason for _, reason in result.rejected] == [
        "not in polling district KA",
        "not a poll number",
        "not on the register",
    ]
    again = services.poll_numbers_record(
        user=canvasser, campaign=campaign, polling_district=ka, numbers=[str(electors[0].number)] * 2
    )
    assert (again.recorded, again.duplicates) == (0, 2)
    assert set(selectors.knock_up(campaign, ka)) == set(electors[2:5])
    assert services.knock_up_sheets_generate(campaign=campaign, user=campaign.agent) == 1
    sheet = KnockUpSheet.objects.get(polling_district=ka)
    assert set(sheet.elector_ids) == {e.pk for e in electors[2:5]}


def test_postal_chase_list(campaign, canvasser):
    load_register(campaign, 100, seed=4)
    a, b, c, d = Elector.objects.filter(campaign=campaign).order_by("number")[:4]
    Elector.objects.filter(pk__in=[a.pk, b.pk, c.pk, d.pk]).update(postal_voter=True)
    services.responses_record(
        user=canvasser, entries=[entry(a, "spoke", "C"), entry(b, "spoke", "A"), entry(c, "do_not_contact")]
    )
    assert list(selectors.postal_chase(campaign)) == [a, d]


# --- progress -----------------------------------------------------------------------------------------------


def test_progress_counts_doors_contacts_and_promises(campaign, canvasser):
    load_register(campaign, 3000, seed=4)
    household = list(Elector.objects.filter(campaign=campaign, polling_district__code="KA").order_by("number")[:2])
    assert household[0].property_key == household[1].property_key
    services.responses_record(
        user=canvasser, entries=[entry(household[0], "spoke", "C"), entry(household[1], "spoke", "L")]
    )
    away = Elector.objects.filter(campaign=campaign, polling_district__code="KB").first()
    services.responses_record(user=canvasser, entries=[entry(away, "not_home")])
    report = selectors.progress(campaign)
    ka, kb = report.districts
    assert (ka.doors_knocked, ka.doors_spoken, ka.electors_spoken, ka.promises, ka.leans) == (1, 1, 2, 1, 1)
    assert (kb.doors_knocked, kb.contact_rate) == (1, 0)
    assert report.total.electors == 3000 and report.total.doors_knocked == 2 and report.total.contact_rate == 0.5
    assert report.promises_share_of_target == 1 / 500
    assert {code: n for code, _, _, n in report.intentions}["L"] == 1


# --- retention ------------------------------------------------------------------------------------------------


def test_destroy_removes_register_data_and_logs_it(campaign, canvasser):
    load_register(campaign, 300)
    cut(campaign, doors=30)
    services.responses_record(user=canvasser, entries=[entry(Elector.objects.first(), "spoke", "C")])
    assert services.registers_destroy_expired(today=campaign.retention_date - dt.timedelta(days=1)) == []
    assert services.registers_destroy_expired(today=campaign.retention_date) == [campaign.pk]
    assert not Elector.objects.exists() and not CanvassResponse.objects.exists() and not WalkList.objects.exists()
    assert not PollingDistrict.objects.exists()
    log = AccessLog.objects.get(action="destroy")
    assert log.electors == 300 and log.campaign_id == campaign.pk
    assert CandidateCampaign.objects.get().destroyed_at is not None
    assert IntentionCode.objects.filter(campaign=campaign).exists()  # configuration, not register data


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_destroys_expired_registers_on_a_real_worker(celery_worker, election, seat_a, seat_b):
    from canvassing.tasks import destroy_expired_registers
    from tests.canvassing.conftest import make_campaign

    today = clock.today()
    expired = make_campaign(election, seat_a)
    current = make_campaign(election, seat_b, polling_day=today + dt.timedelta(days=10))
    load_register(expired, 200, seed=1)  # before its retention date came: no import is taken after it
    load_register(current, 100, seed=2)
    CandidateCampaign.objects.filter(pk=expired.pk).update(
        polling_day=today - dt.timedelta(days=40), retention_date=today - dt.timedelta(days=1)
    )

    destroy_expired_registers.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not AccessLog.objects.filter(action="destroy").exists():
        time.sleep(0.2)
    log = AccessLog.objects.get(action="destroy")
    assert (log.campaign_id, log.electors, log.user) == (expired.pk, 200, None)
    assert log.route == "task:canvassing.tasks.destroy_expired_registers"
    assert not Elector.objects.filter(campaign=expired).exists()
    assert Elector.objects.filter(campaign=current).count() == 100


def test_the_schedule_runs_both_jobs_with_expiry():
    from organiser.celery import collect_beat_schedule

    schedule = collect_beat_schedule()
    for name in ("canvassing-destroy-expired-registers", "canvassing-regenerate-knock-up-sheets"):
        assert schedule[name]["options"]["expires"] > 0
