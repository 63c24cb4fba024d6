"""Supporters recorded at the door: only with the elector's explicit agreement, with consents naming the canvasser,
the wording read out and the doorstep entry; exactly once per entry id; merged into an existing supporter; held
outside the register, so destroying the register leaves them."""

from __future__ import annotations

import uuid

from conversations.models import Supporter, SupporterSource
from conversations.services.supporters import doorstep_supporters_record
from organiser import scope
from volunteers.models import Consent


def _entry(**supporter) -> dict:
    payload = {"agreed": True, "agrees": ["email", "sms"], "full_name": "Rukhsana Begum",
               "email": "rukhsana@example.org", "phone": "07911 123457", **supporter}  # fmt: skip
    return {"id": str(uuid.uuid4()), "supporter": payload}


def test_a_canvasser_records_a_supporter_with_their_agreement_exactly_once(world):
    canvasser = world.user("grant_canvasser")
    entry = _entry()
    seat = world.campaign_a.constituency_id
    result = doorstep_supporters_record(user=canvasser, entries=[entry], seat_of={entry["id"]: seat})
    assert result.recorded == [entry["id"]], result.rejected
    supporter = Supporter.objects.get(email="rukhsana@example.org")
    assert (supporter.source, supporter.recorded_by, supporter.constituency_id) == (
        SupporterSource.DOORSTEP, canvasser, seat
    )  # fmt: skip
    assert supporter.phone == "+447911123457" and str(supporter.doorstep_entry) == entry["id"]
    consents = Consent.objects.filter(supporter=supporter).order_by("channel")
    assert [c.channel for c in consents] == ["email", "sms"]
    assert all(c.recorded_by == canvasser and c.source == f"doorstep entry {entry['id']}" for c in consents)
    assert "may text me" in consents[1].wording

    again = doorstep_supporters_record(user=canvasser, entries=[entry], seat_of={entry["id"]: seat})
    assert again.recorded == [entry["id"]]  # a resend from the phone's queue
    assert Supporter.objects.filter(email="rukhsana@example.org").count() == 1
    assert Consent.objects.filter(supporter=supporter).count() == 2


def test_without_explicit_agreement_or_with_bad_details_nothing_is_recorded(world):
    canvasser = world.user("grant_canvasser")
    entries = [
        _entry(agreed=False),
        _entry(agreed="yes"),
        _entry(agrees=["email"], email="not-an-email"),
        _entry(agrees=["sms"], phone="", email="x@example.org"),
        _entry(agrees=[]),
        {"id": str(uuid.uuid4()), "supporter": "yes please"},
    ]
    result = doorstep_supporters_record(user=canvasser, entries=entries, seat_of={})
    assert result.recorded == []
    assert [r["id"] for r in result.rejected] == [e["id"] for e in entries]
    assert "explicitly agreed" in result.rejected[0]["reason"] and "email" in result.rejected[2]["reason"]
    assert not Supporter.objects.filter(email__in=["rukhsana@example.org", "x@example.org"]).exists()


def test_someone_already_a_supporter_is_not_duplicated(world):
    canvasser = world.user("grant_canvasser")
    entry = _entry(email="Supporter-A@world.example.org", agrees=["calls"], full_name="")
    doorstep_supporters_record(user=canvasser, entries=[entry], seat_of={entry["id"]: world.seat_b.pk})
    supporter = world.supporter_a
    supporter.refresh_from_db()
    assert supporter.constituency == world.seat_a  # their own seat stays
    held = set(Consent.objects.filter(supporter=supporter, withdrawn_at__isnull=True).values_list("channel", flat=True))
    assert held == {"email", "calls"}
    assert Supporter.objects.filter(email__iexact="supporter-a@world.example.org").count() == 1


def test_destroying_the_register_leaves_the_supporters_it_met(world):
    canvasser = world.user("grant_canvasser")
    entry = _entry()
    doorstep_supporters_record(user=canvasser, entries=[entry], seat_of={entry["id"]: world.campaign_a.constituency_id})
    from canvassing.models import CanvassResponse, Elector
    from canvassing.services import register_destroy

    register_destroy(campaign=world.campaign_a, user=scope.system("test: retention"), route="test")
    assert not Elector.objects.filter(campaign=world.campaign_a).exists()
    assert not CanvassResponse.objects.filter(campaign=world.campaign_a).exists()
    supporter = Supporter.objects.get(email="rukhsana@example.org")
    assert Consent.objects.filter(supporter=supporter, withdrawn_at__isnull=True).count() == 2
    related = {f.related_model._meta.label for f in Supporter._meta.get_fields() if f.is_relation and f.related_model}
    assert not any(label.startswith("canvassing.") for label in related)


def _post(world, role: str, entries: list[dict]):
    from django.urls import reverse

    return world.client(role).post(
        reverse("api:canvass-responses"), {"entries": entries}, content_type="application/json"
    )


def test_the_doorstep_api_records_the_supporter_with_the_entry_exactly_once(world):
    elector = world.elector_a
    entry = {"id": str(uuid.uuid4()), "elector": elector.pk, "outcome": "spoke", "walk_list": world.walk_list_a.pk,
             "supporter": {"agreed": True, "agrees": ["sms", "volunteering"], "full_name": "Rukhsana Begum",
                           "phone": "07911 123457"}}  # fmt: skip
    for _ in range(2):  # the phone resends the batch after a lost answer
        response = _post(world, "grant_canvasser", [entry])
        assert response.status_code == 200, response.content
        assert response.json()["accepted"] == [entry["id"]] and response.json()["supporters_rejected"] == []
    supporter = Supporter.objects.get(phone="+447911123457")
    assert supporter.constituency_id == world.campaign_a.constituency_id and supporter.email == ""
    assert supporter.recorded_by == world.user("grant_canvasser")
    assert Consent.objects.filter(supporter=supporter).count() == 2


def test_a_supporter_that_cannot_be_recorded_is_said_and_the_entry_still_stored(world):
    from canvassing.models import CanvassResponse

    bad = {"id": str(uuid.uuid4()), "elector": world.elector_a.pk, "outcome": "spoke",
           "supporter": {"agreed": True, "agrees": ["email"], "phone": "07911 123457"}}  # fmt: skip
    response = _post(world, "grant_canvasser", [bad]).json()
    assert response["accepted"] == [bad["id"]]
    [refused] = response["supporters_rejected"]
    assert refused["id"] == bad["id"] and "email" in refused["reason"]
    assert CanvassResponse.objects.filter(client_id=bad["id"]).exists()
    assert not Supporter.objects.filter(phone="+447911123457").exists()


def test_no_supporter_from_an_entry_the_canvasser_may_not_record(world):
    entry = {"id": str(uuid.uuid4()), "elector": world.elector_b.pk, "outcome": "spoke",
             "supporter": {"agreed": True, "agrees": ["email"], "email": "someone@example.org"}}  # fmt: skip
    response = _post(world, "grant_canvasser", [entry]).json()
    assert response["accepted"] == [] and response["rejected"][0]["id"] == entry["id"]
    assert not Supporter.objects.filter(email="someone@example.org").exists()
    not_agreed = {**entry, "elector": world.elector_a.pk, "id": str(uuid.uuid4()),
                  "supporter": {"agreed": False, "agrees": ["email"], "email": "someone@example.org"}}  # fmt: skip
    assert _post(world, "grant_canvasser", [not_agreed]).json()["supporters_rejected"][0]["id"] == not_agreed["id"]
    assert not Supporter.objects.filter(email="someone@example.org").exists()
