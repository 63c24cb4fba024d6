"""The shared world itself: every role exists with what it is said to be, and each role's client is that role."""

import pytest

from canvassing.models import GrantLevel, RegisterGrant
from tests.world import ADMIN_ROLES, GRANT_ROLES, ROLES, grant_level_of


def test_every_grant_level_has_a_role():
    assert {grant_level_of(role) for role in GRANT_ROLES} == set(GrantLevel.values)


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_client_is_that_role(world, role):
    response = world.client(role).get("/api/v1/me/")
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    assert response.json()["email"] == world.user(role).email
    user = world.user(role)
    assert (user.is_staff and user.is_organiser) is (role in ADMIN_ROLES)
    level = RegisterGrant.objects.filter(user=user, campaign=world.campaign_a).values_list("level", flat=True).first()
    assert level == grant_level_of(role)


def test_writes_of_one_test_are_gone_in_the_next_part_one(world):
    world.team_a.name = "renamed in a test"
    world.team_a.save()


def test_writes_of_one_test_are_gone_in_the_next_part_two(world):
    world.team_a.refresh_from_db()
    assert world.team_a.name == "Ilford North doors"
