"""Issue 10, High: grant levels are scope in the admin as everywhere. A staff seat organiser holding only a
canvasser grant sees in the admin no more than on the pages: no elector but those on their own lists, no
canvass response but their own; they cannot save the campaign (agent, retention), edit or delete survey
questions or intention codes, or delete walk lists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from canvassing.models import CandidateCampaign, Elector, IntentionCode, SurveyQuestion, WalkList


def changelist_ids(client, model: str) -> set[int]:
    response = client.get(reverse(f"admin:canvassing_{model}_changelist"))
    assert response.status_code == 200, response.status_code
    return {row.pk for row in response.context["cl"].result_list}


def test_a_canvasser_grant_shows_in_the_admin_only_the_electors_of_their_own_lists(world):
    client = world.client("grant_canvasser")
    listed = changelist_ids(client, "elector")
    mine = set(world.walk_list_a.entries.values_list("elector_id", flat=True))
    assert listed == mine
    assert len(listed) < Elector.objects.filter(campaign=world.campaign_a).count()
    page = client.get(reverse("admin:canvassing_elector_change", args=[world.elector_a_unlisted.pk]))
    assert page.status_code == 302  # "does not exist": out of scope


def test_a_canvasser_grant_shows_only_their_own_canvass_responses(world):
    client = world.client("grant_canvasser")
    assert changelist_ids(client, "canvassresponse") == {world.response_a.pk}
    client_teller = world.client("grant_teller")
    assert changelist_ids(client_teller, "canvassresponse") == set()


@pytest.mark.parametrize("role", ["grant_canvasser", "grant_teller", "grant_organiser"])
def test_only_the_agent_and_national_organisers_change_the_campaign(world, role):
    campaign = world.campaign_a
    client = world.client(role)
    url = reverse("admin:canvassing_candidatecampaign_change", args=[campaign.pk])
    data = {
        "endorsement": campaign.endorsement_id,
        "election": campaign.election_id,
        "constituency": campaign.constituency_id,
        "name": "Taken over",
        "agent": world.user(role).pk,
        "polling_day": campaign.polling_day.isoformat(),
        "retention_date": (campaign.polling_day.replace(year=campaign.polling_day.year + 1)).isoformat(),
        "votes_to_win": 1,
        "created_at_0": campaign.created_at.date().isoformat(),
        "created_at_1": "12:00:00",
    }
    client.post(url, data)
    campaign.refresh_from_db()
    assert campaign.name != "Taken over"
    assert campaign.agent == world.user("grant_agent")
    assert CandidateCampaign.objects.get(pk=campaign.pk).retention_date == world.campaign_a.retention_date


@pytest.mark.parametrize("role", ["grant_canvasser", "grant_teller"])
def test_canvassers_and_tellers_neither_edit_nor_delete_questions_codes_or_lists(world, role):
    client = world.client(role)
    question, code, walk_list = world.question_a, world.intention_a, world.other_list_a
    client.post(
        reverse("admin:canvassing_surveyquestion_change", args=[question.pk]),
        {"campaign": question.campaign_id, "key": question.key, "text": "Changed?", "kind": "text", "choices": "[]",
         "order": 0, "active": "on"},
    )  # fmt: skip
    client.post(reverse("admin:canvassing_surveyquestion_delete", args=[question.pk]), {"post": "yes"})
    client.post(
        reverse("admin:canvassing_intentioncode_change", args=[code.pk]),
        {"campaign": code.campaign_id, "code": code.code, "label": "Changed", "category": code.category, "order": 0},
    )
    client.post(reverse("admin:canvassing_intentioncode_delete", args=[code.pk]), {"post": "yes"})
    client.post(reverse("admin:canvassing_walklist_delete", args=[walk_list.pk]), {"post": "yes"})
    assert SurveyQuestion.objects.get(pk=question.pk).text == question.text
    assert IntentionCode.objects.get(pk=code.pk).label == code.label
    assert WalkList.objects.filter(pk=walk_list.pk).exists()
    for model in ("surveyquestion", "intentioncode", "walklist"):
        changelist = client.get(reverse(f"admin:canvassing_{model}_changelist"))
        if changelist.status_code == 200 and changelist.context.get("action_form"):
            actions = [name for name, _ in changelist.context["action_form"].fields["action"].choices]
            assert "delete_selected" not in actions, model
