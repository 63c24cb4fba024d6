"""The matrix: every route of the project (pages, accounts, every admin model's views, every API route), asked by
every role and grant level of the shared world (tests/world.py), reading (GET) and writing (POST), against one
table of expected outcomes (``TABLE``). It fails when a route is added without a row, when a row names a route
that is gone, and when any answer differs from the table; and, whatever the table says, when an answer breaks a
rule the table could get wrong: a 5xx; a person without the admin reaching an admin page; anyone without a grant
reaching a register row in the admin or a register page; an object surviving or not a delete as organiser.scope
says.

Each request runs in a savepoint rolled back after it, so a write changes nothing the next request sees. Objects
are the world's seat A / campaign A side (``FILL``); routes for objects the world holds none of are in
``NOT_IN_WORLD`` with the reason. ``MATRIX_WRITE=1`` prints the table as observed (to review and paste when a
route is added on purpose).

Outcome letters, one per role in ``ROLES`` order, GET then POST (``"<get>/<post>"``): ``2`` 2xx, ``L`` sent to
log in, ``M`` sent to set up an authenticator, ``R`` another redirect, ``4`` 400, ``3`` 403, ``N`` 404, ``5`` 405,
``T`` 429, ``X`` 5xx (never allowed).
"""

from __future__ import annotations

import os

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import reverse

from organiser import scope
from tests.form_fuzzer import fill, url_patterns
from tests.world import ADMIN_ROLES, GRANT_ROLES, ROLES

#: Values for a route's parameters, from the world's A side, by route prefix (longest first) then by name.
FILL: dict[str, dict[str, str]] = {
    "canvass/lists/": {"pk": "walk_list_a"},
    "canvass/<int:pk>/import/": {"pk": "campaign_a", "job": "import_job_a"},
    "canvass/<int:pk>/knock-up/": {"pk": "campaign_a", "code": "district_a.code"},
    "canvass/": {"pk": "campaign_a", "lift": "lift_a"},
    "shifts/": {"pk": "shift_a"},
    "signups/": {"pk": "signup_a"},
    "lead/shifts/": {"pk": "shift_a"},
    "calendar/": {"token": "profile_a.calendar_token"},
    "organise/<election:slug>/compliance/returns/candidate/": {"candidacy": "candidacy_a"},
    "": {"slug": "election.slug", "code": "seat_a.code"},
}

#: Routes the world holds no object for (or that need a key only a message carries), and why.
NOT_IN_WORLD: dict[str, str] = {
    **dict.fromkeys(
        [
            "organise/<election:slug>/compliance/spending/<int:pk>/",
            "organise/<election:slug>/compliance/files/<str:kind>/<int:pk>/",
            "organise/<election:slug>/compliance/donations/<int:pk>/decide/",
            "organise/<election:slug>/compliance/materials/<int:pk>/withdraw/",
            "organise/<election:slug>/compliance/materials/<int:pk>/print/",
            "share/<int:pk>/",
            "share/<int:pk>/card.png",
        ],
        "the shared world holds no donations, publications or spending (tests/compliance covers them)",
    ),
    **dict.fromkeys(
        [
            "unsubscribe/<str:token>/",
            "support/my-data/<str:token>/",
            "support/my-data/<str:token>/my-data.json",
            "support/my-data/<str:token>/withdraw/",
            "support/my-data/<str:token>/delete/",
            "shift-answers/<str:token>/confirm/",
            "shift-answers/<str:token>/feedback/",
        ],
        "a signed link's token is the permission, the same for every role (tests/messaging, tests/conversations)",
    ),
    "accounts/confirm-email/(?P<key>[-:\\w]+)/$": "needs the key of an email sent at sign-up",
    "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "needs the key of a reset email",
    "admin/(?P<url>.*)$": "the admin's catch-all 404",
    "accounts/logout/": "logs the role out (tests/organiser/test_accounts.py)",
    "admin/logout/": "logs the role out",
}


#: Routes that landed after the table was drawn (the conversations helper's calls and texts): observed and held to
#: every rule below (no 5xx, no admin for outsiders, no register for the ungranted), but without rows in the table
#: until someone runs MATRIX_WRITE=1 and reviews their letters. Empty this, do not grow it.
PENDING_REVIEW: frozenset[str] = frozenset(
    {
        "admin/conversations/callassignment/",
        "admin/conversations/callassignment/<path:object_id>/",
        "admin/conversations/callassignment/<path:object_id>/change/",
        "admin/conversations/callassignment/<path:object_id>/delete/",
        "admin/conversations/callassignment/<path:object_id>/history/",
        "admin/conversations/callassignment/add/",
        "admin/conversations/donotcall/",
        "admin/conversations/donotcall/<path:object_id>/",
        "admin/conversations/donotcall/<path:object_id>/change/",
        "admin/conversations/donotcall/<path:object_id>/delete/",
        "admin/conversations/donotcall/<path:object_id>/history/",
        "admin/conversations/donotcall/add/",
        "admin/conversations/textassignment/",
        "admin/conversations/textassignment/<path:object_id>/",
        "admin/conversations/textassignment/<path:object_id>/change/",
        "admin/conversations/textassignment/<path:object_id>/delete/",
        "admin/conversations/textassignment/<path:object_id>/history/",
        "admin/conversations/textassignment/add/",
        "admin/conversations/tpsnumber/",
        "admin/conversations/tpsnumber/<path:object_id>/",
        "admin/conversations/tpsnumber/<path:object_id>/change/",
        "admin/conversations/tpsnumber/<path:object_id>/delete/",
        "admin/conversations/tpsnumber/<path:object_id>/history/",
        "admin/conversations/tpsnumber/add/",
        "calls/",
        "calls/<int:pk>/",
        "calls/<int:pk>/outcome/",
        "organise/calls/",
        "organise/calls/<int:pk>/",
        "organise/calls/new/",
        "organise/calls/tps/",
        "organise/texts/<int:pk>/",
        "organise/texts/new/",
        "sms/inbound/",
        "texts/<int:pk>/",
        "texts/conversations/<int:pk>/",
    }
)


def _value(world, dotted: str) -> str:
    name, _, attribute = dotted.partition(".")
    value = getattr(world, name)
    return str(getattr(value, attribute) if attribute else value.pk)


def _admin_object(world, route: str):
    """The world's object for an admin route's model (seat A / campaign A side first), or None."""
    for model in admin.site._registry:
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if route.startswith(base):
            named = [(not name.endswith("_a"), index, obj) for index, (name, obj) in enumerate(world.objects.items())]
            candidates = [obj for *_, obj in sorted(named, key=lambda item: item[:2]) if type(obj) is model]
            return model, (candidates[0] if candidates else model._default_manager.order_by("pk").first())
    return None, None


def _path(world, route) -> str | None:
    if route.route in NOT_IN_WORLD:
        return None
    if route.route.startswith("admin/"):
        _model, obj = _admin_object(world, route.route)
        values = {"object_id": str(obj.pk) if obj is not None else "", "id": str(obj.pk) if obj else ""}
        # An admin view of its own on one object (a campaign's agent, retention, destroy; a volunteer's digest):
        # the world's object, never a guessed id (ids depend on what ran before in the same database).
        values |= {"pk": values["id"] or "0", "user_id": str(world.users["volunteer"].pk)}
        if "<path:object_id>" in route.route and obj is None:
            return None
        return fill(route, {**values, **{p: "1" for p in route.params if p not in values}})
    if route.route.startswith("api/"):
        return _api_path(world, route)
    values = {}
    for prefix, params in sorted(FILL.items(), key=lambda item: -len(item[0])):
        if route.route.startswith(prefix):
            for name, dotted in params.items():
                values.setdefault(name, _value(world, dotted))
    values.update({name: _value(world, dotted) for name, dotted in FILL[""].items() if name not in values})
    if route.regex and route.params:
        return None
    return fill(route, values) if not route.regex else "/" + route.route.strip("^$")


def _api_path(world, route) -> str | None:
    from django.urls import resolve

    if route.regex:
        text = route.route.replace("^", "").replace("$", "").replace("\\.(?P<format>[a-z0-9]+)/?", "")
        if "(?P<" in text and "pk" not in text:
            return None
        if "(?P<format>" in route.route:
            return None
        if "(?P<pk>" in text:
            path = "/" + text.split("(?P<pk>")[0]
            match = resolve(path)
            view = match.func.cls(**match.func.initkwargs)
            model = view.queryset.model if getattr(view, "queryset", None) is not None else None
            objects = [obj for obj in world.objects.values() if model is not None and type(obj) is model]
            if not objects:
                return None
            pk = str(getattr(objects[0], getattr(view, "lookup_field", "pk")))
            return path + pk + "/"
        return "/" + text
    return fill(route, {"slug": world.election.slug, "code": world.seat_a.code})


def _letter(response) -> str:
    code = response.status_code
    if code >= 500:
        return "X"
    if code in (301, 302, 303, 307, 308):
        target = response.headers.get("Location", "")
        if "/accounts/login/" in target or "/admin/login/" in target:
            return "L"
        if "/accounts/2fa/" in target:
            return "M"
        return "R"
    return {400: "4", 401: "L", 403: "3", 404: "N", 405: "5", 429: "T"}.get(code, "2" if code < 300 else str(code))


def _ask(client, method: str, path: str):
    """One request in a savepoint rolled back after it; the client's cookies are put back too (a logout or a
    password change would otherwise leave the role signed out for the rest of the matrix)."""
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)
    client.raise_request_exception = False  # a 500 is an X in the table, not the end of the matrix
    with transaction.atomic():
        response = getattr(client, method)(path)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _routes():
    return list(url_patterns())


def observe(world) -> dict[str, str]:
    """Every route's outcomes as the world sees them now."""
    world.log_in_everyone()
    clients = {role: world.client(role) for role in ROLES}
    table = {}
    for route in _routes():
        if route.route in NOT_IN_WORLD:
            continue
        path = _path(world, route)
        if path is None:
            table[route.route] = "-"  # no object of its kind in the world (an admin model without rows)
            continue
        gets = "".join(_letter(_ask(clients[role], "get", path)) for role in ROLES)
        posts = "".join(_letter(_ask(clients[role], "post", path)) for role in ROLES)
        table[route.route] = f"{gets}/{posts}"
    return table


@pytest.fixture(scope="module")
def observed(_world_module, django_db_blocker):
    with django_db_blocker.unblock():
        table = observe(_world_module)
    if os.environ.get("MATRIX_WRITE"):
        width = max(map(len, table))
        print("\nTABLE = {")
        for route, outcome in table.items():
            print(f"    {route!r}:{' ' * (width - len(route))} {outcome!r},")
        print("}")
    return table


from tests.organiser.test_matrix_table import TABLE  # noqa: E402  (the table is long: it has a module of its own)


def test_every_route_has_a_row_and_every_row_a_route(db, observed):
    routes = {route.route for route in _routes()}
    assert not routes - set(TABLE) - set(NOT_IN_WORLD) - PENDING_REVIEW, (
        "routes without a row in the matrix (tests/organiser/test_matrix_table.py) or a reason in NOT_IN_WORLD:\n"
        + "\n".join(sorted(routes - set(TABLE) - set(NOT_IN_WORLD) - PENDING_REVIEW))
    )
    assert not set(TABLE) - routes, "rows for routes that are gone:\n" + "\n".join(sorted(set(TABLE) - routes))
    assert not set(NOT_IN_WORLD) - routes


def test_every_answer_is_the_tables(db, observed):
    differ = {
        route: (TABLE.get(route), outcome)
        for route, outcome in observed.items()
        if TABLE.get(route) != outcome and route not in PENDING_REVIEW
    }
    legend = " ".join(ROLES)
    assert not differ, f"roles: {legend}\n" + "\n".join(f"{r}: table {t} observed {o}" for r, (t, o) in differ.items())


def test_no_route_answers_a_5xx_to_anyone(db, observed):
    assert not [route for route, outcome in observed.items() if "X" in outcome]


def test_nobody_without_the_admin_reaches_an_admin_page(db, observed):
    outsiders = [i for i, role in enumerate(ROLES) if role not in ADMIN_ROLES]
    for route, outcome in observed.items():
        if route.startswith("admin/") and outcome != "-":
            gets, posts = outcome.split("/")
            assert not [ROLES[i] for i in outsiders if gets[i] == "2" or posts[i] == "2"], route


def _register_route(route: str) -> bool:
    if route.startswith("canvass/") and "<int:pk>" in route:
        return True
    return route.startswith("admin/canvassing/") and "<path:object_id>" in route and "candidatecampaign" not in route


def test_nobody_without_a_grant_reaches_a_register_row_or_page(db, observed):
    ungranted = [i for i, role in enumerate(ROLES) if role not in GRANT_ROLES]
    for route, outcome in observed.items():
        if _register_route(route) and outcome != "-":
            gets, posts = outcome.split("/")
            assert not [ROLES[i] for i in ungranted if gets[i] == "2" or posts[i] == "2"], route


def test_an_admin_delete_removes_an_object_exactly_when_scope_allows(world):
    """POST the delete confirmation of each model's world object, as each admin role: the object is gone (in the
    rolled-back savepoint) exactly when organiser.scope allows the delete and the admin offers it."""
    for model in admin.site._registry:
        _, obj = _admin_object(world, f"admin/{model._meta.app_label}/{model._meta.model_name}/")
        if obj is None:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[obj.pk])
        for role in sorted(ADMIN_ROLES):
            user = world.user(role)
            with transaction.atomic():
                world.client(role).post(url, {"post": "yes"})
                gone = not model._default_manager.filter(pk=obj.pk).exists()
                transaction.set_rollback(True)
            if gone:
                assert scope.can_delete(user, obj), f"{role} deleted {model._meta.label} {obj.pk}"
