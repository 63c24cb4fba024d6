"""What no request may bring (organiser/inputs.py), and the 500s of issue 10 that each shared check now turns
into a 4xx with its reason, tried as the person who found them, on the shared world."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.admin import helpers
from django.test import Client

from canvassing.models import WalkList
from organiser.inputs import BIGINT_MAX, NUL_REASON, attachment, object_id, object_ids
from volunteers.models import Signup, User, VolunteerProfile

# --- the parsers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (7, 7),
        (str(BIGINT_MAX), BIGINT_MAX),
        (str(BIGINT_MAX + 1), None),
        ("10000000000000000000", None),
        ("0", None),
        ("-3", None),
        ("²", None),  # passes str.isdigit(), fails int()
        ("١٢", None),  # Arabic-Indic digits: int() reads them, an id is ASCII
        ("1e3", None),
        ("", None),
        (None, None),
        ("1\x00", None),
    ],
)
def test_object_id_reads_only_a_bigint_in_ascii_digits(value, expected):
    assert object_id(value) == expected


def test_object_ids_keeps_the_ids_in_order():
    assert object_ids(["3", "²", "1", "x", str(10**19)]) == [3, 1]


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("roster-E14001300-2029-05-03.csv", 'attachment; filename="roster-E14001300-2029-05-03.csv"'),
        ('roster-evil.cmd"; filename=evil.cmd', 'attachment; filename="roster-evil.cmd-filename-evil.cmd"'),
        ("roster-a\r\nSet-Cookie: x=1-.csv", 'attachment; filename="roster-a-Set-Cookie-x-1-.csv"'),
        ("../../etc/passwd", 'attachment; filename="etc-passwd"'),
        ("", 'attachment; filename="download"'),
    ],
)
def test_attachment_names_are_safe_in_the_header(name, header):
    assert attachment(name) == header


# --- NUL characters ---------------------------------------------------------------------------------------------


def _nul_requests(world):
    campaign = world.campaign_a.pk
    return [
        ("anonymous", "get", "/calendar/%00/shifts.ics", {}),
        ("grant_agent", "get", f"/canvass/{campaign}/register/?pd=%00", {}),
        ("grant_agent", "get", f"/canvass/{campaign}/knock-up/%00/", {}),
        ("national_organiser", "get", "/admin/volunteers/shift/roster/?seat=%00", {}),
        ("national_organiser", "get", "/admin/messaging/outbox/preview-digest/?email=%00", {}),
        ("national_organiser", "get", "/admin/volunteers/user/?q=%00", {}),
        ("volunteer", "post", "/volunteer/profile/", {"full_name": "Jo\x00", "travel": "home"}),
        ("grant_agent", "post", f"/canvass/{campaign}/polling-day/", {"numbers": "1\x00"}),
        ("anonymous", "get", "/", {"HTTP_X_FORWARDED_HOST": "a\x00b"}),
    ]


@pytest.mark.parametrize("index", range(9))
def test_a_nul_anywhere_is_a_400_with_its_reason_and_changes_nothing(world, index):
    role, method, path, extra = _nul_requests(world)[index]
    client = world.client(role)
    response = client.get(path, **extra) if method == "get" else client.post(path, extra)
    assert response.status_code == 400, path
    assert NUL_REASON in response.content.decode()
    world.users["volunteer"].refresh_from_db()
    assert "\x00" not in world.users["volunteer"].full_name


def test_under_the_api_the_refusal_is_json(world):
    response = world.client("grant_agent").get("/api/v1/canvassing/electors/", {"polling_district": "\x00"})
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_REASON}


def test_a_session_cookie_holding_a_nul_is_forgotten_not_looked_up(world):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/volunteer/").status_code == 302  # to the login page: no session at all
    assert client.get("/").status_code == 200


# --- ids past 64 bits and digits that are not ASCII ---------------------------------------------------------------


@pytest.mark.parametrize("field", ["elector", "walk_list"])
def test_an_id_past_64_bits_on_the_responses_api_is_a_400(world, field):
    entry = {"id": str(uuid.uuid4()), "elector": world.elector_a.pk, "outcome": "not_home", field: 10**19}
    response = world.client("grant_canvasser").post(
        "/api/v1/canvassing/responses/", json.dumps(entry), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["entries"]["0"][field] == ["Ensure this value is less than or equal to 9223372036854775807."]


def test_the_responses_service_itself_reads_no_id_past_64_bits(world):
    from canvassing import services

    entry = {"id": str(uuid.uuid4()), "elector": 10**19, "outcome": "not_home", "walk_list": 10**19}
    result = services.responses_record(user=world.users["grant_canvasser"], entries=[entry])
    assert result.accepted == [] and result.rejected[0]["reason"] == "no elector"
    entry.update(elector=world.elector_a.pk)
    assert services.responses_record(user=world.users["grant_canvasser"], entries=[entry]).accepted == [entry["id"]]


def test_unicode_digits_in_a_merge_are_not_ids(world):
    before = WalkList.objects.filter(campaign=world.campaign_a).count()
    response = world.client("grant_agent").post(
        f"/canvass/{world.campaign_a.pk}/lists/merge/", {"lists": ["²", str(world.walk_list_a.pk)]}
    )
    assert response.status_code == 302
    assert WalkList.objects.filter(campaign=world.campaign_a).count() == before  # one list is no merge


def test_unicode_digits_in_a_check_in_are_a_400(world):
    response = world.client("team_lead").post(f"/lead/shifts/{world.shift_a.pk}/check-in/", {"signup": "²"})
    assert response.status_code == 400
    assert Signup.objects.get(pk=world.signup_a.pk).checked_in_at is None


# --- the admin ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["active=abc", "active=%00x", "skill=flying", "seat=E14001102", "free=never"])
def test_a_list_filter_value_it_does_not_offer_is_the_admins_invalid_lookup(world, query):
    response = world.client("seat_organiser").get(f"/admin/volunteers/volunteerprofile/?{query}")
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response.url.endswith("?e=1")


def test_a_list_filter_value_it_offers_still_filters(world):
    response = world.client("seat_organiser").get("/admin/volunteers/volunteerprofile/?active=7&seat=E14001300")
    assert response.status_code == 200


@pytest.mark.parametrize("seat", ["a\r\nb", 'evil.cmd"; filename=evil.cmd', "E14001102"])
def test_a_roster_seat_out_of_scope_or_forged_is_a_400(world, seat):
    response = world.client("seat_organiser").get("/admin/volunteers/shift/roster/", {"seat": seat, "format": "csv"})
    assert response.status_code == 400
    assert "not one of yours" in response.content.decode()


def test_the_roster_csv_of_a_seat_in_scope_has_a_plain_filename(world):
    response = world.client("seat_organiser").get(
        "/admin/volunteers/shift/roster/", {"seat": "E14001300", "format": "csv", "day": "2029-05-03"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="roster-E14001300-2029-05-03.csv"'


# --- JSON fields of the wrong shape -------------------------------------------------------------------------------


def test_a_seat_organiser_cannot_store_skills_that_are_not_a_list_of_skills(world):
    profile = world.profile_a
    url = f"/admin/volunteers/volunteerprofile/{profile.pk}/change/"
    client = world.client("seat_organiser")
    form = {"phone": "+447911123456", "postcode": "IG6 2AA", "home_constituency": world.seat_a.pk, "travel": "home"}
    response = client.post(url, {**form, "skills": "5"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    profile.refresh_from_db()
    assert profile.skills == ["canvassing"]
    assert client.post(url, {**form, "skills": ["driving", "canvassing"]}).status_code == 302
    profile.refresh_from_db()
    assert profile.skills == ["canvassing", "driving"] or sorted(profile.skills) == ["canvassing", "driving"]


def test_skills_stored_in_the_wrong_shape_break_no_reader(world):
    VolunteerProfile.objects.filter(pk=world.profile_a.pk).update(skills=5, languages={"a": 1})
    admin = world.client("seat_organiser")
    assert admin.get("/admin/volunteers/volunteerprofile/").status_code == 200
    assert admin.get(f"/admin/volunteers/volunteerprofile/{world.profile_a.pk}/change/").status_code == 200
    exported = admin.post(
        "/admin/volunteers/volunteerprofile/",
        {"action": "export_csv", helpers.ACTION_CHECKBOX_NAME: [world.profile_a.pk]},
    )
    assert exported.status_code == 200
    assert world.client("volunteer").get("/volunteer/").status_code == 200
    assert world.client("volunteer").get("/volunteer/profile/").status_code == 200


def test_the_model_validates_json_lists_for_any_writer():
    from django.core.exceptions import ValidationError

    from volunteers.models import validate_availability, validate_languages, validate_skills

    validate_skills(["driving"])
    for validator, value in (
        (validate_skills, 5),
        (validate_skills, ["flying"]),
        (validate_languages, [1]),
        (validate_availability, {"sat_morning": True}),
    ):
        with pytest.raises(ValidationError):
            validator(value)


# --- accounts -----------------------------------------------------------------------------------------------------


def test_a_campaign_agent_deleting_their_own_account_is_told_why_not(world):
    agent = world.users["grant_agent"]
    response = world.client("grant_agent").post("/volunteer/delete/", {"confirm": "DELETE"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be deleted while it is named on" in page and "national organiser" in page
    assert User.objects.filter(pk=agent.pk, is_active=True).exists()
    assert Signup.objects.filter(volunteer=agent).count() == Signup.objects.filter(volunteer=agent).count()
    assert world.client("grant_agent").get("/volunteer/").status_code == 200  # still logged in
