"""Volunteers' pages: joining, profile, home, find a shift, sign up and cancel, calendars, my data, check-in."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from organiser import clock
from tests.conftest import logged_in_client, make_user
from volunteers import services
from volunteers.models import Consent, ErasedAccount, Role, Signup, SignupStatus, User, VolunteerProfile

from .factories import ConstituencyFactory, ProfileFactory, ShiftFactory, SignupFactory, UserFactory, in_hours

pytestmark = pytest.mark.django_db

JOIN = {
    "full_name": "Amina Khan",
    "email": "amina@example.org",
    "password": "a-long-pass-phrase-42",
    "phone": "07911 123456",
    "postcode": "ig6 2aa",
    "email_consent": "on",
}


def test_join_finds_the_seat_from_the_postcode_and_records_consent(client, seat_a, postcode_lookup, mailoutbox):
    postcode_lookup.known["IG6 2AA"] = seat_a.code
    response = client.post(reverse("volunteers:join"), JOIN)
    assert response.status_code == 302
    user = User.objects.get(email="amina@example.org")
    assert user.role == Role.VOLUNTEER and user.check_password(JOIN["password"])
    profile = user.profile
    assert (profile.phone, profile.postcode, profile.home_constituency) == ("+447911123456", "IG6 2AA", seat_a)
    assert list(Consent.objects.filter(user=user).values_list("channel", flat=True)) == ["email"]
    assert "/join/" in Consent.objects.get(user=user).source
    assert not EmailAddress.objects.get(user=user).verified
    assert postcode_lookup.requests == ["IG6 2AA"]


def test_join_asks_for_the_seat_when_the_lookup_cannot_say_and_keeps_what_was_typed(client, seat_a, postcode_lookup):
    response = client.post(reverse("volunteers:join"), JOIN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "choose it" in page and 'name="home_constituency"' in page
    assert 'value="Amina Khan"' in page and 'value="amina@example.org"' in page and 'value="ig6 2aa"' in page
    assert 'value="a-long-pass-phrase-42"' not in page  # passwords are not echoed back
    response = client.post(reverse("volunteers:join"), {**JOIN, "home_constituency": seat_a.pk})
    assert response.status_code == 302
    assert User.objects.get(email="amina@example.org").profile.home_constituency == seat_a


def test_join_shows_errors_next_to_fields(client, seat_a):
    response = client.post(reverse("volunteers:join"), {**JOIN, "phone": "12", "postcode": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "does not look right" in page or "Enter a phone number" in page
    assert "Enter a UK postcode" in page
    assert not User.objects.exists()


def test_join_after_deletion_needs_confirmation(client, seat_a):
    ErasedAccount.objects.create(email_hash=services.email_hash("amina@example.org"))
    data = {**JOIN, "home_constituency": seat_a.pk}
    response = client.post(reverse("volunteers:join"), data)
    assert response.status_code == 200 and "was deleted" in response.content.decode()
    assert client.post(reverse("volunteers:join"), {**data, "rejoin": "on"}).status_code == 302


def test_profile_edit_saves_everything_and_keeps_typed_values_on_error(volunteer, seat_a, seat_b):
    client = logged_in_client(volunteer)
    data = {
        "full_name": "Sam Volunteer",
        "phone": "07911 123456",
        "postcode": "BB1 1AA",
        "home_constituency": seat_b.pk,
        "skills": ["canvassing", "driving"],
        "languages": ["ur", "en"],
        "availability": ["sat_morning", "sun_afternoon"],
        "travel": "chosen",
        "seats": [seat_a.pk],
        "sms_consent": "on",
    }
    bad = client.post(reverse("volunteers:profile"), {**data, "travel": "radius", "phone": "0"})
    page = bad.content.decode()
    assert bad.status_code == 200 and 'value="Sam Volunteer"' in page and 'value="BB1 1AA"' in page
    assert "How far" in page and "miles" in page
    assert client.post(reverse("volunteers:profile"), data).status_code == 302
    profile = VolunteerProfile.objects.get(user=volunteer)
    assert profile.skills == ["canvassing", "driving"] and profile.languages == ["en", "ur"]
    assert profile.home_constituency == seat_b and list(profile.seats.all()) == [seat_a]
    assert Consent.objects.get(user=volunteer).channel == "sms"
    assert profile.last_active_at is not None


def _seed_shifts(seat, n: int, volunteers: list[User]) -> None:
    for i in range(n):
        shift = ShiftFactory(constituency=seat, starts_at=in_hours(24 + i), ends_at=in_hours(26 + i), capacity=8)
        for volunteer in volunteers[: i % 4]:
            SignupFactory(shift=shift, volunteer=volunteer)


def test_volunteer_home_query_count_does_not_grow_with_data(django_assert_num_queries, seat_a):
    volunteer = UserFactory()
    ProfileFactory(user=volunteer, home_constituency=seat_a)
    client = logged_in_client(volunteer)
    url = reverse("volunteers:home")
    # session, user, then one query for the profile, my next shifts and shifts near me (a prepared statement:
    # the first request on a database connection also PREPAREs it)
    _seed_shifts(seat_a, 2, [volunteer])
    client.get(url)
    with django_assert_num_queries(3):
        small = client.get(url)
    _seed_shifts(seat_a, 30, [volunteer, *UserFactory.create_batch(3)])
    _seed_shifts(ConstituencyFactory(), 10, UserFactory.create_batch(3))
    with django_assert_num_queries(3):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert large.content.decode().count('class="shift-card"') == 10 + 5


def test_find_a_shift_query_count_does_not_grow_with_data(django_assert_num_queries, seat_a):
    volunteer = UserFactory()
    ProfileFactory(user=volunteer, home_constituency=seat_a)
    client = logged_in_client(volunteer)
    url = reverse("volunteers:shift_list")
    _seed_shifts(seat_a, 2, UserFactory.create_batch(3))
    # session, user, seat choices, ranked shifts (with the profile)
    with django_assert_num_queries(4):
        client.get(url)
    _seed_shifts(seat_a, 40, UserFactory.create_batch(3))
    with django_assert_num_queries(4):
        response = client.get(url, {"kind": "canvassing", "seat": seat_a.code})
    # A page at a time: the first 20 of 42, and the last page has the other 2, at the same cost.
    assert response.status_code == 200 and response.content.decode().count('class="shift-card"') == 20
    assert "Page 1 of 3" in response.content.decode()
    with django_assert_num_queries(4):
        last = client.get(url, {"kind": "canvassing", "seat": seat_a.code, "page": 3})
    assert last.content.decode().count('class="shift-card"') == 2 and "Previous page" in last.content.decode()


def test_find_a_shift_ranks_need_before_date(seat_a, seat_b):
    volunteer = UserFactory()
    ProfileFactory(user=volunteer, home_constituency=seat_a, skills=["canvassing"])
    soon_elsewhere = ShiftFactory(constituency=seat_b, starts_at=in_hours(3), ends_at=in_hours(5), minimum=0)
    home_short = ShiftFactory(constituency=seat_a, starts_at=in_hours(72), ends_at=in_hours(74), minimum=3)
    home_full = ShiftFactory(constituency=seat_a, starts_at=in_hours(50), ends_at=in_hours(52), capacity=1, minimum=1)
    SignupFactory(shift=home_full)
    needs_driver = ShiftFactory(
        constituency=seat_a, starts_at=in_hours(60), ends_at=in_hours(62), minimum=0, required_skills=["driving"]
    )
    home_ok = ShiftFactory(constituency=seat_a, starts_at=in_hours(80), ends_at=in_hours(82), minimum=0)
    from volunteers.selectors import shift_find_for_volunteer

    ranked = list(shift_find_for_volunteer(user=volunteer))
    assert ranked == [home_short, home_ok, needs_driver, soon_elsewhere, home_full]


def test_find_a_shift_ranks_target_seats_first_when_targets_exist(seat_a, seat_b, election):
    from django.apps import apps

    try:
        target = apps.get_model("campaigns", "Target")
    except LookupError:
        pytest.skip("campaigns has no Target model yet")
    volunteer = UserFactory()
    ProfileFactory(user=volunteer, home_constituency=None)
    plain = ShiftFactory(constituency=seat_a, starts_at=in_hours(3), ends_at=in_hours(5), minimum=0)
    targeted = ShiftFactory(constituency=seat_b, starts_at=in_hours(30), ends_at=in_hours(32), minimum=0)
    target.objects.create(election=election, constituency=seat_b, score=9, tier=1)
    from volunteers.selectors import shift_find_for_volunteer

    assert list(shift_find_for_volunteer(user=volunteer)) == [targeted, plain]


def test_shift_pages_need_a_login(client):
    shift = ShiftFactory()
    for url in (reverse("volunteers:home"), reverse("volunteers:shift_list"), f"/shifts/{shift.pk}/"):
        assert client.get(url).status_code == 302


def test_sign_up_ics_and_cancel_from_the_shift_page(volunteer):
    shift = ShiftFactory(capacity=1, meeting_point="Gants Hill; by the clock, north side")
    client = logged_in_client(volunteer)
    detail = reverse("volunteers:shift_detail", args=[shift.pk])
    assert "Sign up" in client.get(detail).content.decode()
    client.post(reverse("volunteers:shift_signup", args=[shift.pk]))
    signup = Signup.objects.get(shift=shift, volunteer=volunteer)
    assert signup.status == SignupStatus.CONFIRMED

    ics = client.get(reverse("volunteers:signup_ics", args=[signup.pk]))
    body = ics.content.decode()
    assert ics["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"UID:shift-{shift.pk}@" in body and "DTSTART:" in body
    assert "LOCATION:Gants Hill\\; by the clock\\, north side" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))

    client.post(reverse("volunteers:signup_cancel", args=[signup.pk]))
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CANCELLED


def test_overlap_is_warned_and_can_be_confirmed(volunteer, seat_a):
    first = ShiftFactory(constituency=seat_a, starts_at=in_hours(24), ends_at=in_hours(27))
    second = ShiftFactory(constituency=seat_a, starts_at=in_hours(25), ends_at=in_hours(26))
    services.signup_create(shift=first, volunteer=volunteer)
    client = logged_in_client(volunteer)
    response = client.post(reverse("volunteers:shift_signup", args=[second.pk]))
    assert response.status_code == 409 and "at the same time" in response.content.decode()
    assert not Signup.objects.filter(shift=second).exists()
    client.post(reverse("volunteers:shift_signup", args=[second.pk]), {"confirm_overlap": "yes"})
    assert Signup.objects.get(shift=second).status == SignupStatus.CONFIRMED


def test_someone_elses_signup_cannot_be_cancelled_or_downloaded(volunteer):
    other = SignupFactory()
    client = logged_in_client(volunteer)
    assert client.post(reverse("volunteers:signup_cancel", args=[other.pk])).status_code == 404
    assert client.get(reverse("volunteers:signup_ics", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == SignupStatus.CONFIRMED


def test_private_calendar_feed_works_until_revoked(volunteer):
    ProfileFactory(user=volunteer)
    SignupFactory(volunteer=volunteer, shift=ShiftFactory(title="Saturday doors"))
    token = VolunteerProfile.objects.get(user=volunteer).calendar_token
    feed = Client().get(reverse("volunteers:calendar_feed", args=[token]))
    assert feed.status_code == 200 and "SUMMARY:Saturday doors" in feed.content.decode()
    logged_in_client(volunteer).post(reverse("volunteers:calendar_rotate"), {"action": "revoke"})
    assert Client().get(reverse("volunteers:calendar_feed", args=[token])).status_code == 404
    assert Client().get(reverse("volunteers:calendar_feed", args=["guess"])).status_code == 404


def test_profile_shows_hours_from_attendance(volunteer):
    for hours in ("2.50", "3.00"):
        SignupFactory(volunteer=volunteer, status=SignupStatus.ATTENDED, hours=hours)
    SignupFactory(volunteer=volunteer, status=SignupStatus.NO_SHOW)
    page = logged_in_client(volunteer).get(reverse("volunteers:profile")).content.decode()
    assert "You have done 2 shifts: 5.5 hours" in page


def test_my_data_download_and_account_deletion(volunteer):
    ProfileFactory(user=volunteer, phone="+447911123456")
    client = logged_in_client(volunteer)
    response = client.get(reverse("volunteers:my_data"))
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    assert json.loads(response.content)["profile"]["phone"] == "+447911123456"

    assert client.post(reverse("volunteers:delete_account"), {"confirm": "nope"}).status_code == 200
    assert User.objects.filter(pk=volunteer.pk).exists()
    assert client.post(reverse("volunteers:delete_account"), {"confirm": "DELETE"}).status_code == 302
    assert not User.objects.filter(pk=volunteer.pk).exists()
    assert client.get(reverse("volunteers:home")).status_code == 302  # logged out


def test_lead_checks_people_in_but_not_on_someone_elses_shift(team_lead):
    shift = ShiftFactory(lead=team_lead, starts_at=in_hours(0.5), ends_at=in_hours(3))
    here, away = SignupFactory(shift=shift), SignupFactory(shift=shift)
    client = logged_in_client(team_lead)
    url = reverse("volunteers:check_in", args=[shift.pk])
    page = client.get(url).content.decode()
    assert here.volunteer.full_name in page
    client.post(url, {"signup": here.pk, "attended": "yes"})
    client.post(url, {"signup": away.pk, "attended": "no"})
    assert Signup.objects.get(pk=here.pk).status == SignupStatus.ATTENDED
    assert Signup.objects.get(pk=away.pk).status == SignupStatus.NO_SHOW

    assert client.post(url, {"signup": "x", "attended": "yes"}).status_code == 400
    assert client.post(url, {"signup": 10**9, "attended": "yes"}).status_code == 404

    other_lead = make_user(Role.TEAM_LEAD)
    assert logged_in_client(other_lead).get(url).status_code == 404
    assert logged_in_client(here.volunteer).get(url).status_code == 404


def test_check_in_page_query_count_is_constant(team_lead, django_assert_num_queries):
    shift = ShiftFactory(lead=team_lead, starts_at=in_hours(0.5), ends_at=in_hours(3), capacity=40)
    client = logged_in_client(team_lead)
    url = reverse("volunteers:check_in", args=[shift.pk])
    SignupFactory(shift=shift)
    # session, user, shift, sign-ups with people and profiles
    with django_assert_num_queries(4):
        client.get(url)
    for user in UserFactory.create_batch(15):
        ProfileFactory(user=user)
        SignupFactory(shift=shift, volunteer=user)
    with django_assert_num_queries(4):
        client.get(url)


def test_join_is_rate_limited_like_allauth_signup(client, settings, seat_a):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    statuses = [
        client.post(reverse("volunteers:join"), {**JOIN, "email": f"x{n}@example.org", "phone": "1"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_distance_counts_hex_map_steps_for_radius_travellers():
    home = ConstituencyFactory(hex_q=4, hex_r=3)
    neighbour = ConstituencyFactory(hex_q=5, hex_r=4)  # odd row 3 → (5, 4) is adjacent in odd-r layout
    two_away = ConstituencyFactory(hex_q=6, hex_r=3)
    far = ConstituencyFactory(hex_q=20, hex_r=-10)
    volunteer = UserFactory()
    ProfileFactory(user=volunteer, home_constituency=home, travel="radius", travel_miles=10)  # one step
    shifts = {
        seat.pk: ShiftFactory(constituency=seat, minimum=0, starts_at=in_hours(10 + n), ends_at=in_hours(12 + n))
        for n, seat in enumerate([far, two_away, neighbour])
    }
    from volunteers.selectors import shift_find_for_volunteer, volunteer_home

    ranked = shift_find_for_volunteer(user=volunteer)
    assert ranked[0] == shifts[neighbour.pk]
    assert [shift.constituency_id for shift in volunteer_home(user=volunteer).near] == [neighbour.pk]
    VolunteerProfile.objects.filter(user=volunteer).update(travel_miles=20)  # two steps
    assert {shift.constituency_id for shift in volunteer_home(user=volunteer).near} == {neighbour.pk, two_away.pk}


# --- what a volunteer is told about service messages; cancelling asks first ----------------------------------


def test_signing_up_says_the_confirmation_is_coming_without_marketing_consent(client, seat_a):
    page = client.get(reverse("volunteers:join")).content.decode()
    assert "Whatever you tick, we email you what you need for the shifts you sign up for" in page
    volunteer = make_user(Role.VOLUNTEER)  # no consent to anything
    shift = ShiftFactory()
    client = logged_in_client(volunteer)
    response = client.post(reverse("volunteers:shift_signup", args=[shift.pk]), follow=True)
    assert "We are emailing you the confirmation with a calendar file" in response.content.decode()
    from messaging.models import MessagePreference, Outbox

    assert Outbox.objects.filter(recipient=volunteer, kind="signup_confirmed").exists()
    MessagePreference.objects.create(user=volunteer, reminders=False)
    other = ShiftFactory(starts_at=in_hours(100), ends_at=in_hours(102))
    response = client.post(reverse("volunteers:shift_signup", args=[other.pk]), follow=True)
    assert "You turned shift emails off in Messages, so none will come" in response.content.decode()


def test_cancel_my_place_asks_before_it_cancels(volunteer):
    shift = ShiftFactory()
    client = logged_in_client(volunteer)
    client.post(reverse("volunteers:shift_signup", args=[shift.pk]))
    signup = Signup.objects.get(shift=shift, volunteer=volunteer)
    url = reverse("volunteers:signup_cancel", args=[signup.pk])
    assert f'href="{url}"' in client.get(reverse("volunteers:shift_detail", args=[shift.pk])).content.decode()
    page = client.get(url).content.decode()
    assert "Cancel your place?" in page and "Yes, cancel my place" in page and "No, keep my place" in page
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CONFIRMED  # looking at the question changes nothing
    client.post(url)
    signup.refresh_from_db()
    assert signup.status == SignupStatus.CANCELLED


# --- the team lead: team page, leading on the home page, check-in before it opens, walk-ins -----------------


def test_the_lead_sees_their_team_with_contacts_and_recent_activity(team_lead, seat_a, django_assert_num_queries):
    from volunteers.models import Team

    team = Team.objects.create(name="Barkingside doors", constituency=seat_a, lead=team_lead)
    regular, newcomer = ProfileFactory(phone="+447911123456").user, ProfileFactory().user
    team.members.add(regular, newcomer)
    past = ShiftFactory(constituency=seat_a, starts_at=in_hours(-72), ends_at=in_hours(-70))
    SignupFactory(shift=past, volunteer=regular, status=SignupStatus.ATTENDED)
    SignupFactory(
        shift=ShiftFactory(constituency=seat_a, starts_at=in_hours(30), ends_at=in_hours(32)), volunteer=regular
    )
    client = logged_in_client(team_lead)
    client.get(reverse("volunteers:team"))
    with django_assert_num_queries(4):  # session, user, teams, members with their activity
        page = client.get(reverse("volunteers:team")).content.decode()
    assert "Barkingside doors" in page and "2 members" in page
    assert f'href="mailto:{regular.email}"' in page and 'href="tel:+447911123456"' in page
    assert "1 shift lately" in page and "last came" in page and "next shift" in page
    assert "No shifts lately" in page and "no shift booked" in page
    assert logged_in_client(regular).get(reverse("volunteers:team")).status_code == 403


def test_the_leads_home_shows_the_shifts_they_lead(team_lead):
    led = ShiftFactory(lead=team_lead, title="Saturday doors", starts_at=in_hours(26), ends_at=in_hours(28))
    page = logged_in_client(team_lead).get(reverse("volunteers:home")).content.decode()
    assert "Shifts I lead" in page and "Saturday doors" in page
    assert reverse("volunteers:check_in", args=[led.pk]) in page


def test_check_in_says_when_it_opens_and_its_buttons_do_nothing_before(team_lead):
    shift = ShiftFactory(lead=team_lead, starts_at=in_hours(24), ends_at=in_hours(26))
    signup = SignupFactory(shift=shift)
    client = logged_in_client(team_lead)
    url = reverse("volunteers:check_in", args=[shift.pk])
    page = client.get(url).content.decode()
    assert "Check-in opens at" in page and "two hours before the start" in page
    assert page.count('disabled aria-describedby="check-in-closed"') == 3  # Here, No-show, Add as here
    client.post(url, {"signup": signup.pk, "attended": "yes"})
    assert Signup.objects.get(pk=signup.pk).status == SignupStatus.CONFIRMED


def test_a_walk_in_is_added_as_here_and_shown_as_chosen(team_lead):
    shift = ShiftFactory(lead=team_lead, starts_at=in_hours(0.5), ends_at=in_hours(3), capacity=1)
    SignupFactory(shift=shift)  # the shift is full
    client = logged_in_client(team_lead)
    url = reverse("volunteers:check_in", args=[shift.pk])
    data = {
        "action": "walk_in",
        "walk_in-full_name": "Yusuf Ali",
        "walk_in-email": "Yusuf@Example.org",
        "walk_in-phone": "07911 123456",
    }
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    assert "Yusuf Ali: added as here." in page
    walk_in = User.objects.get(email="yusuf@example.org")
    assert walk_in.profile.phone == "+447911123456" and not walk_in.has_usable_password()
    assert not Consent.objects.filter(user=walk_in).exists()  # nothing assumed
    signup = Signup.objects.get(shift=shift, volunteer=walk_in)
    assert signup.status == SignupStatus.ATTENDED and signup.checked_in_by == team_lead
    assert 'aria-pressed="true"' in page and "✓ Here" in page
    # The same person again is refused with a reason; nothing changes.
    page = client.post(url, data, follow=True).content.decode()
    assert "is already on this shift" in page
    assert Signup.objects.filter(shift=shift).count() == 2


# --- the short profile's seat picker; find a shift by the times a volunteer is free ---------------------------


def test_the_profile_adds_a_seat_by_name_and_lists_only_the_chosen_ones(volunteer, seat_a, seat_b):
    client = logged_in_client(volunteer)
    data = {"full_name": "Sam", "postcode": "", "travel": "chosen", "seats": [seat_a.pk]}
    unknown = client.post(reverse("volunteers:profile"), {**data, "seats_add": "Nowhere North"})
    assert unknown.status_code == 200
    assert "We do not know a constituency called “Nowhere North”" in unknown.content.decode()
    assert client.post(reverse("volunteers:profile"), {**data, "seats_add": "  blackburn "}).status_code == 302
    profile = VolunteerProfile.objects.get(user=volunteer)
    assert set(profile.seats.all()) == {seat_a, seat_b}
    page = client.get(reverse("volunteers:profile")).content.decode()
    # The chosen seats are ticked boxes; every seat is only a suggestion in the list, not a 650-line select.
    assert page.count('name="seats"') == 2 and '<datalist id="seat-names">' in page
    assert '<select name="seats"' not in page


def test_find_a_shift_puts_the_times_a_volunteer_is_free_first_among_equals(seat_a):
    volunteer = UserFactory()
    today = clock.local().date()
    next_saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 + 7)
    ProfileFactory(user=volunteer, home_constituency=seat_a, availability=["sat_morning"])
    friday_evening = clock.at(next_saturday - dt.timedelta(days=1), dt.time(19))
    saturday_morning = clock.at(next_saturday, dt.time(10))
    busy = ShiftFactory(constituency=seat_a, minimum=0, starts_at=friday_evening)
    free = ShiftFactory(constituency=seat_a, minimum=0, starts_at=saturday_morning)
    from volunteers.selectors import ShiftFilters, shift_find_for_volunteer

    ranked = shift_find_for_volunteer(user=volunteer)
    assert ranked == [free, busy] and ranked[0].free and not ranked[1].free
    assert shift_find_for_volunteer(user=volunteer, filters=ShiftFilters(free_only=True)) == [free]
    page = logged_in_client(volunteer).get(reverse("volunteers:shift_list"), {"free": "on"}).content.decode()
    assert page.count('class="shift-card"') == 1 and "When you are free" in page
