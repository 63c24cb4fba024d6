"""Nobody becomes anybody else (issue 10, High): no admin path sets another person's password or address, nobody
changes their own privileges, only a superuser makes a superuser, every privilege change is audited and emailed,
API tokens are stored hashed and shown once (never read or minted for another), grantees and staff need an
authenticator before register data, and the access log names the real actor, session or token."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken, AuditEntry
from accounts.tokens import digest_of, token_create
from canvassing.models import AccessLog, RegisterGrant
from tests.conftest import PASSWORD, logged_in_client, make_user
from volunteers.models import Role, SeatGrant, User


def _change_form(user: User, **changes) -> dict:
    """The admin change form's POST for ``user`` as it stands, with ``changes`` (an empty seat-grant inline)."""
    data = {
        "full_name": user.full_name,
        "role": user.role,
        "seat_grants-TOTAL_FORMS": "0",
        "seat_grants-INITIAL_FORMS": "0",
        "seat_grants-MIN_NUM_FORMS": "0",
        "seat_grants-MAX_NUM_FORMS": "1000",
    }
    for flag in ("is_staff", "is_active", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    for key, value in changes.items():
        if value is False:
            data.pop(key, None)
        else:
            data[key] = "on" if value is True else value
    return data


# --- passwords and addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["national_organiser", "superuser"])
def test_nobody_sets_another_persons_password_in_the_admin(world, role):
    victim = world.user("grant_agent")
    client = world.client(role)
    url = reverse("admin:auth_user_password_change", args=[victim.pk])
    assert client.get(url).status_code == 403
    posted = client.post(url, {"password1": "taken-over-account-1", "password2": "taken-over-account-1"})
    assert posted.status_code == 403
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD) and not victim.check_password("taken-over-account-1")
    page = client.get(reverse("admin:volunteers_user_change", args=[victim.pk])).content.decode()
    assert "password/" not in page and 'name="email"' not in page  # no password link, the address is read-only


def test_the_admin_mails_a_reset_link_to_the_owner_only(world, django_capture_on_commit_callbacks):
    victim = world.user("grant_agent")
    client = world.client("national_organiser")
    client.post(
        reverse("admin:volunteers_user_changelist"),
        {"action": "send_password_reset_email", "_selected_action": [victim.pk]},
    )
    resets = [message for message in mail.outbox if "/accounts/password/reset/key/" in message.body]
    assert [message.to for message in resets] == [[victim.email]]
    entry = AuditEntry.objects.get(subject=victim, what=AuditEntry.What.PASSWORD_RESET)
    assert entry.actor == world.user("national_organiser")


def test_an_account_added_in_the_admin_has_no_password_its_owner_sets_one(world):
    client = world.client("national_organiser")
    response = client.post(
        reverse("admin:volunteers_user_add"),
        {"email": "New.Organiser@world.example.org", "full_name": "New", "role": Role.SEAT_ORGANISER,
         "password1": "chosen-by-someone-else-1", "password2": "chosen-by-someone-else-1"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    made = User.objects.get(email="new.organiser@world.example.org")
    assert not made.has_usable_password()
    assert [message.to for message in mail.outbox if "/password/reset/key/" in message.body] == [[made.email]]


# --- privileges -----------------------------------------------------------------------------------------------


def test_nobody_changes_their_own_privileges(world):
    me = world.user("national_organiser")
    client = world.client("national_organiser")
    client.post(reverse("admin:volunteers_user_change", args=[me.pk]), _change_form(me, is_superuser=True))
    me.refresh_from_db()
    assert not me.is_superuser
    superuser = world.user("superuser")
    client = world.client("superuser")
    client.post(
        reverse("admin:volunteers_user_change", args=[superuser.pk]),
        _change_form(superuser, role=Role.VOLUNTEER, is_staff=False),
    )
    superuser.refresh_from_db()
    assert superuser.role == Role.NATIONAL_ORGANISER and superuser.is_staff


def test_only_a_superuser_makes_a_superuser(world):
    target = world.user("volunteer")
    world.client("national_organiser").post(
        reverse("admin:volunteers_user_change", args=[target.pk]), _change_form(target, is_superuser=True)
    )
    target.refresh_from_db()
    assert not target.is_superuser
    world.client("superuser").post(
        reverse("admin:volunteers_user_change", args=[target.pk]), _change_form(target, is_superuser=True)
    )
    target.refresh_from_db()
    assert target.is_superuser
    entry = AuditEntry.objects.get(subject=target, what=AuditEntry.What.SUPERUSER)
    assert (entry.actor, entry.before, entry.after) == (world.user("superuser"), "no", "yes")


def test_privilege_changes_are_audited_and_emailed_to_the_person_and_national_organisers(
    world, django_capture_on_commit_callbacks
):
    target = world.user("volunteer")
    actor = world.user("national_organiser")
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("national_organiser").post(
            reverse("admin:volunteers_user_change", args=[target.pk]),
            _change_form(
                target, role=Role.SEAT_ORGANISER, is_staff=True, **{
                    "seat_grants-TOTAL_FORMS": "1", "seat_grants-0-constituency": str(world.seat_b.pk),
                }
            ),
        )  # fmt: skip
    assert response.status_code == 302, (response.context["adminform"].form.errors, response.context["errors"])
    entries = AuditEntry.objects.filter(subject=target).order_by("pk")
    assert {(e.what, e.before, e.after) for e in entries} == {
        ("role", "volunteer", "seat_organiser"),
        ("is_staff", "no", "yes"),
        ("seat_grant", "", f"+ {world.seat_b}"),
    }
    assert {e.actor for e in entries} == {actor} and {e.actor_name for e in entries} == {actor.email}
    assert all(e.route.startswith("/admin/volunteers/user/") for e in entries)
    told = {address for message in mail.outbox for address in message.to}
    national = set(
        User.objects.filter(role=Role.NATIONAL_ORGANISER, is_active=True).values_list("email", flat=True)
    ) | {world.user("superuser").email}
    assert told == {target.email, *national}
    assert all("If this was not expected" in message.body for message in mail.outbox)


def test_grants_made_outside_the_admin_are_audited_too(world):
    from organiser import audit, scope

    person = world.user("team_lead")
    with audit.acting_as(scope.system("a command")):
        SeatGrant.objects.create(user=person, constituency=world.seat_a)
    grant = RegisterGrant.objects.create(user=person, campaign=world.campaign_a, level="teller")
    grant.level = "canvasser"
    grant.save()
    grant.delete()
    entries = AuditEntry.objects.filter(subject_name=person.email).exclude(what="account").order_by("pk")
    rows = list(entries.values_list("what", "actor_name"))
    assert rows[0] == ("seat_grant", "system: a command")
    assert [what for what, _ in rows] == ["seat_grant", "register_grant", "register_grant", "register_grant"]


# --- API tokens -----------------------------------------------------------------------------------------------


def test_a_token_is_stored_hashed_shown_once_and_works_as_its_owner(world):
    owner = world.user("grant_agent")
    client = world.client("grant_agent")
    page = client.post(reverse("account_tokens"), {"name": "my phone"})
    assert page.status_code == 200
    key = page.context["key"]
    assert key and key in page.content.decode()
    token = ApiToken.objects.get(user=owner, name="my phone")
    assert token.digest == digest_of(key) and key not in (token.digest, token.prefix)
    again = client.get(reverse("account_tokens"))
    assert key not in again.content.decode() and token.prefix in again.content.decode()
    assert again["Cache-Control"].startswith("max-age=0") or "no-store" in again["Cache-Control"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").json()["email"] == owner.email
    api.credentials(HTTP_AUTHORIZATION=f"Token {key[:-1]}x")
    assert api.get("/api/v1/me/").status_code in (401, 403)  # refused (403: the session scheme answers first)


def test_nobody_mints_or_reads_a_token_for_someone_else(world):
    victim = world.user("grant_agent")
    for role in ("national_organiser", "superuser"):
        with pytest.raises(PermissionDenied):
            token_create(user=world.user(role), owner=victim)
    token, key = token_create(user=victim, owner=victim)
    client = world.client("superuser")
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    listed = client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])).content.decode()
    assert token.prefix in listed
    for page in (listed, detail):
        assert key not in page and token.digest not in page
    # A seat organiser sees no one else's tokens at all.
    other = world.client("seat_organiser").get(reverse("admin:accounts_apitoken_changelist"))
    assert token.prefix not in other.content.decode()


def test_a_revoked_token_stops_working(world):
    owner = world.user("volunteer")
    token, key = token_create(user=owner, owner=owner)
    world.client("volunteer").post(reverse("account_tokens"), {"revoke": str(token.pk)})
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code in (401, 403)  # refused (403: the session scheme answers first)


# --- MFA and the real actor ------------------------------------------------------------------------------------


def test_a_grantee_without_an_authenticator_is_sent_to_set_one_up_and_their_token_reaches_nothing(world):
    person = make_user(Role.VOLUNTEER, email="no-mfa-canvasser@world.example.org")
    RegisterGrant.objects.create(user=person, campaign=world.campaign_a, level="organiser")
    client = logged_in_client(person)
    response = client.get(reverse("canvassing:register", args=[world.campaign_a.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("mfa_activate_totp"))
    _token, key = token_create(user=person, owner=person)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/canvassing/electors/").json()["count"] == 0


def test_the_access_log_names_the_tokens_owner_and_the_token(world):
    owner = world.user("grant_agent")
    token, key = token_create(user=owner, owner=owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/canvassing/electors/").json()["count"] > 0
    entry = AccessLog.objects.filter(route__startswith="/api/v1/canvassing/electors/").latest("pk")
    assert entry.user == owner and entry.actor == owner.email and entry.via == f"token {token.prefix}"
