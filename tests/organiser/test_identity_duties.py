"""Separation of duties (issue 10): the register's early destruction and a shortened retention date wait 48
hours (cancellable, everyone told) and are only the agent's and national organisers' acts; seat organisers make
no national decision in the admin (endorsements once past proposal, targets, elections); the admin's choice lists
and autocomplete answers offer only people and seats in the user's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from campaigns.models import Endorsement, EndorsementEvent, Target
from canvassing import services
from canvassing.models import CandidateCampaign, Elector
from organiser import clock, scope


def _destroy(world, role):
    campaign = world.campaign_a
    return world.client(role).post(
        reverse("admin:canvassing_candidatecampaign_destroy", args=[campaign.pk]), {"confirmation": campaign.name}
    )


def test_early_destruction_waits_is_told_to_everyone_and_can_be_cancelled(world, django_capture_on_commit_callbacks):
    campaign = world.campaign_a
    with django_capture_on_commit_callbacks(execute=True):
        response = _destroy(world, "grant_agent")
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.destroyed_at is None and Elector.objects.filter(campaign=campaign).exists()
    wait = campaign.retention_pending_from - clock.now()
    assert dt.timedelta(hours=47) < wait <= dt.timedelta(hours=48)
    told = {address for message in mail.outbox if "destroyed early" in message.subject for address in message.to}
    assert {world.user("grant_agent").email, world.user("national_organiser").email} <= told
    # Before the wait is over the daily job destroys nothing; a national organiser may cancel it.
    services.registers_destroy_expired(now=clock.now() + dt.timedelta(hours=47))
    assert Elector.objects.filter(campaign=campaign).exists()
    world.client("national_organiser").post(
        reverse("admin:canvassing_candidatecampaign_retention", args=[campaign.pk]), {"cancel_pending": "1"}
    )
    services.registers_destroy_expired(now=clock.now() + dt.timedelta(hours=49))
    campaign.refresh_from_db()
    assert campaign.destroyed_at is None and Elector.objects.filter(campaign=campaign).exists()


def test_early_destruction_applies_once_the_wait_is_over(world):
    campaign = world.campaign_a
    _destroy(world, "national_organiser")
    assert services.registers_destroy_expired(now=clock.now() + dt.timedelta(hours=49)) == [campaign.pk]
    campaign.refresh_from_db()
    assert campaign.destroyed_at is not None and not Elector.objects.filter(campaign=campaign).exists()


def test_nobody_destroys_a_register_at_once_by_hand(world):
    with pytest.raises(PermissionDenied) as refused:
        services.register_destroy(campaign=world.campaign_a, user=world.user("grant_agent"), route="test")
    assert "only the retention job destroys" in str(refused.value)
    assert Elector.objects.filter(campaign=world.campaign_a).exists()


@pytest.mark.parametrize("role", ["seat_organiser", "grant_organiser", "grant_canvasser", "grant_teller"])
def test_no_one_but_the_agent_and_national_organisers_destroys_or_shortens(world, role):
    campaign = world.campaign_a
    assert _destroy(world, role).status_code in (403, 404)
    shorter = campaign.polling_day + dt.timedelta(days=1)
    response = world.client(role).post(
        reverse("admin:canvassing_candidatecampaign_retention", args=[campaign.pk]),
        {"retention_date": shorter.isoformat(), "confirmed": "on"},
    )
    assert response.status_code in (403, 404)
    refreshed = CandidateCampaign.objects.get(pk=campaign.pk)
    assert refreshed.retention_pending_date is None and refreshed.retention_date == campaign.retention_date
    assert not scope.may_control(world.user(role), campaign, "destroy")


def test_a_shortened_retention_date_waits(world):
    campaign = world.campaign_a
    shorter = campaign.polling_day + dt.timedelta(days=1)
    services.campaign_retention_set(
        user=world.user("national_organiser"), campaign=campaign, retention_date=shorter, confirmed=True
    )
    campaign.refresh_from_db()
    assert campaign.retention_date != shorter and campaign.retention_pending_date == shorter


# --- national decisions -----------------------------------------------------------------------------------------


def test_seat_organisers_make_no_national_decision_in_the_admin(world):
    client = world.client("seat_organiser")
    endorsement, target = world.endorsement_a, world.target_a
    event = EndorsementEvent.objects.create(endorsement=endorsement, status="endorsed", candidacy=world.candidacy_a)
    for name, obj in (("endorsement", endorsement), ("target", target)):
        delete = client.post(reverse(f"admin:campaigns_{name}_delete", args=[obj.pk]), {"post": "yes"})
        assert delete.status_code in (403, 302), name
        assert type(obj).objects.filter(pk=obj.pk).exists(), name
    assert not scope.can_delete(world.user("national_organiser"), event)  # history stays, whoever asks
    assert not scope.can_change(world.user("seat_organiser"), event)
    client.post(reverse("admin:campaigns_target_change", args=[target.pk]), {"score": "99", "tier": "1"})
    target.refresh_from_db()
    assert target.score != 99
    election = world.election
    client.post(reverse("admin:campaigns_election_change", args=[election.pk]), {"name": "renamed"})
    election.refresh_from_db()
    assert election.name != "renamed"
    assert not scope.can_change(world.user("seat_organiser"), endorsement)
    assert not scope.can_delete(world.user("seat_organiser"), endorsement)
    assert not scope.can_change(world.user("seat_organiser"), target)
    # National organisers still decide, but nobody deletes an endorsement's history.
    assert scope.can_change(world.user("national_organiser"), target)
    assert not scope.can_delete(world.user("national_organiser"), endorsement)
    assert Endorsement.objects.filter(pk=endorsement.pk).exists() and Target.objects.filter(pk=target.pk).exists()


def test_a_seat_organiser_still_edits_a_proposal_of_their_seat(world):
    Endorsement.objects.filter(pk=world.endorsement_a.pk).update(status=Endorsement.Status.PROPOSED)
    world.endorsement_a.refresh_from_db()
    assert scope.can_change(world.user("seat_organiser"), world.endorsement_a)
    assert not scope.can_change(world.user("seat_organiser"), world.endorsement_b)


# --- choice lists ------------------------------------------------------------------------------------------------


def _autocomplete(world, role, model, field, term=""):
    query = {"app_label": "volunteers", "model_name": model, "field_name": field, "term": term}
    response = world.client(role).get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200
    return {int(row["id"]) for row in response.json()["results"]}


def test_admin_choice_lists_and_autocomplete_offer_only_people_and_seats_in_scope(world):
    seat_organiser = world.user("seat_organiser")
    in_scope = set(scope.people_in_scope(seat_organiser).values_list("pk", flat=True))
    outsiders = {world.other_volunteer.pk, world.other_organiser.pk, world.user("national_organiser").pk}
    assert not in_scope & outsiders
    leads = _autocomplete(world, "seat_organiser", "team", "lead")
    assert leads and leads <= in_scope and world.user("team_lead").pk in leads
    assert not _autocomplete(world, "seat_organiser", "team", "lead", term="world.example.org") & outsiders
    assert _autocomplete(world, "seat_organiser", "team", "constituency") == {world.seat_a.pk}
    page = world.client("seat_organiser").get(reverse("admin:volunteers_team_change", args=[world.team_a.pk]))
    members = {int(str(value)) for value, _ in page.context["adminform"].form.fields["members"].choices if value}
    assert members <= in_scope and not members & outsiders
    # A national organiser is offered everyone.
    assert outsiders <= _autocomplete(world, "national_organiser", "team", "lead")


# --- the Medium findings that are about scope ------------------------------------------------------------


def test_a_seat_organiser_opens_no_register_campaign_and_names_no_agent(world):
    from campaigns.models import Endorsement

    before = CandidateCampaign.objects.count()
    Endorsement.objects.filter(pk=world.endorsement_a.pk).update(status=Endorsement.Status.ENDORSED)
    response = world.client("seat_organiser").post(
        reverse("admin:canvassing_candidatecampaign_add"),
        {"endorsement": world.endorsement_b.pk, "agent": world.user("seat_organiser").pk, "polling_day": "2030-05-02",
         "retention_date": "2030-06-02", "votes_to_win": "1"},
    )  # fmt: skip
    assert response.status_code in (302, 403)  # refused (the admin says why on the page it returns to)
    assert CandidateCampaign.objects.count() == before


def test_the_digest_preview_escapes_a_volunteers_own_name(world):
    from volunteers.models import User

    hostile = '<meta http-equiv="refresh" content="0;url=https://evil.example/">Ann'
    User.objects.filter(pk=world.user("volunteer").pk).update(full_name=hostile)
    page = world.client("national_organiser").get(
        reverse("admin:messaging_digest_preview"), {"email": world.user("volunteer").email}
    )
    assert page.status_code == 200
    assert hostile not in page.content.decode() and "evil.example" not in page.content.decode().split("&quot;")[0]
