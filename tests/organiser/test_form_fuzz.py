"""Fuzz every page's forms and every URL pattern as each role and grant level: no 5xx, no traceback page.

As each role of the shared world (tests/world.py: the platform's roles and a grantee per register grant
level) the fuzzer (tests/form_fuzzer.py) crawls from the home page and every route without parameters, posts
every form it finds as a browser would and then with hostile values, and makes query values hostile; every
URL pattern is also fetched with hostile path values. Each request runs in a savepoint rolled back after it.

It is seeded and its size is fixed, so a run is the same run every time. ``FUZZ_PROFILE=ci`` (the default)
keeps it to a couple of minutes on two cores: each role visits up to ``CI_PAGES`` pages, routes nobody has
reached first; a form gets three hostile sets (and one with every choice outside its options) from the first
role that finds it and one from each role after; each route gets one hostile path value, the roles taking
turns. ``FUZZ_PROFILE=long`` visits every page shape of every role, posts every hostile set to every form as
every role and fetches every route with every hostile path value as every role (tens of minutes).
``FUZZ_SEED`` changes the seed.
"""

from __future__ import annotations

import os

import pytest

from messaging.rendering import unsubscribe_token
from tests.form_fuzzer import HOSTILE, HOSTILE_PATH, Budget, Fuzzer, Shared, fill, url_patterns
from tests.world import ROLES

PROFILE = os.environ.get("FUZZ_PROFILE", "ci")
SEED = int(os.environ.get("FUZZ_SEED", "10"))
LONG = PROFILE == "long"

#: Pages each role visits in the CI profile: the national organiser and the agent between them reach every
#: admin page (the agent holds the register's); every other role its own pages.
CI_PAGES = {"national_organiser": 300, "grant_agent": 150}  # 300: the night's board and seat pages (#14)
CI_PAGES_OTHERS = 40

#: The order roles go in: the widest reach first, so that later roles spend their pages on what is theirs.
ORDER = sorted(ROLES, key=lambda role: (-CI_PAGES.get(role, 0), ROLES.index(role)))

#: Routes the crawl cannot request from a link, a seed or a form, and why (each still gets hostile path values).
#: Any other route the crawl never requests fails the test: a new page must be linked from somewhere a person
#: starts (or seeded below), or listed here with its reason.
NOT_CRAWLED_BY_DESIGN: dict[str, str] = {
    "admin/(?P<url>.*)$": "the admin's catch-all 404 for addresses it does not have",
    "accounts/confirm-email/(?P<key>[-:\\w]+)/$": "needs the key of an email sent at sign-up",
    "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "needs the key of a reset email",
    "accounts/2fa/authenticate/": "only during a login that waits for its second factor",
    "accounts/login/code/confirm/": "only after a login code was asked for",
    **dict.fromkeys(
        [
            "organise/<election:slug>/compliance/donations/<int:pk>/decide/",
            "organise/<election:slug>/compliance/files/<str:kind>/<int:pk>/",
            "organise/<election:slug>/compliance/materials/<int:pk>/print/",
            "organise/<election:slug>/compliance/materials/<int:pk>/withdraw/",
            "organise/<election:slug>/compliance/spending/<int:pk>/",
            "share/<int:pk>/",
            "share/<int:pk>/card.png",
        ],
        "the shared world (tests/world.py) holds no donations, publications or spending yet",
    ),
    "canvass/lists/<int:pk>/take/": "the shared world gives no walk list to a team (a member takes those)",
    "admin/volunteers/user/<id>/password/": "no page links it: nobody sets another's password (refused, 403)",
    "sms/inbound/": "the SMS provider's signed webhook (a POST no page links to: test_texts.py)",
}


def not_crawled_by_design(route: str) -> bool:
    # Django's old address of an admin object (``/admin/app/model/1/``) only redirects to its change page.
    return route in NOT_CRAWLED_BY_DESIGN or (route.startswith("admin/") and route.endswith("/<path:object_id>/"))


def budget(role: str) -> Budget:
    if LONG:
        return Budget(pages=3000, hostile_sets=len(HOSTILE), hostile_sets_again=len(HOSTILE), visits_per_shape=2)
    return Budget(pages=CI_PAGES.get(role, CI_PAGES_OTHERS))


def _skip(path: str) -> bool:
    """Not crawled: the API (fuzzed from its schema in test_api_fuzz.py)."""
    return path.startswith("/api/")


def _seeds(world) -> list[str]:
    """Where a person starts: the addresses only a message carries (a calendar feed, an unsubscribe link, a
    shift's confirm and feedback links, a supporter's link to their data), the home page, and every route without
    parameters."""
    import datetime as dt

    from conversations import tokens
    from organiser import clock

    routes = url_patterns()
    plain = [f"/{route.route}" for route in routes if not route.params and not route.regex]
    by_slug = [fill(route, {"slug": world.election.slug}) for route in routes if route.params == ("slug",)]
    later = clock.now() + dt.timedelta(days=30)
    signup = world.signup_a.pk
    return [
        f"/calendar/{world.profile_a.calendar_token}/shifts.ics",
        f"/unsubscribe/{unsubscribe_token(world.users['volunteer'].pk)}/",
        f"/shift-answers/{tokens.make(purpose='confirm', subject_id=signup, expires_at=later)}/confirm/",
        f"/shift-answers/{tokens.make(purpose='feedback', subject_id=signup, expires_at=later)}/feedback/",
        f"/support/my-data/{tokens.make(purpose='data', subject_id=world.supporter_a.pk, expires_at=later)}/",
        "/admin/messaging/outbox/preview-digest/?email=volunteer@world.example.org",
        # A seat's spending return, linked from the returns page (seeded: the crawl's page budget may end first).
        f"/organise/{world.election.slug}/compliance/returns/seat/{world.seat_a.code}.csv",
        "/",
        # The driver's lifts early: the world offers lift A to the volunteer, whose few pages must reach its form.
        "/canvass/my-lifts/",
        *[path for path in plain if not path.startswith("/admin/")],
        *[path for path in by_slug if path],
        *[path for path in plain if path.startswith("/admin/")],
    ]


@pytest.fixture(scope="module")
def fuzzed(_world_module, django_db_blocker) -> dict[str, Fuzzer]:
    """Every role's pass, run once for the module (each request rolled back)."""
    world = _world_module
    shared = Shared()
    fuzzers: dict[str, Fuzzer] = {}
    with django_db_blocker.unblock():
        for role in ORDER:
            fuzzer = Fuzzer(role, world.client(role), seed=SEED, budget=budget(role), shared=shared, skip=_skip)
            fuzzer.crawl(_seeds(world))
            fuzzers[role] = fuzzer
        routes = [route for route in url_patterns() if not route.regex]
        for index, route in enumerate(routes):
            if LONG:
                for role in ORDER:
                    for value in HOSTILE_PATH:
                        fuzzers[role].hostile_path(route, value)
            else:
                fuzzers[ORDER[index % len(ORDER)]].hostile_path(route, HOSTILE_PATH[index % len(HOSTILE_PATH)])
    if dump := os.environ.get("FUZZ_DUMP"):
        with open(dump, "w") as out:
            for role, fuzzer in fuzzers.items():
                out.writelines(
                    f"{role}\t{m}\t{status}\t{what}\t{t:.3f}\t{path!r}\n" for m, path, what, status, t in fuzzer.log
                )
    summary = {
        role: (f.stats.pages, f.stats.forms, f.stats.requests, round(f.stats.seconds)) for role, f in fuzzers.items()
    }
    print(f"\nform fuzz ({PROFILE}, seed {SEED}): role -> (pages, forms, requests, seconds): {summary}")
    return fuzzers


@pytest.mark.parametrize("role", ROLES)
def test_no_input_gives_a_5xx_or_a_traceback(db, fuzzed, role):
    fuzzer = fuzzed[role]
    assert fuzzer.stats.pages > 0 and fuzzer.stats.requests > fuzzer.stats.pages
    findings = sorted({str(finding) for finding in fuzzer.findings})
    assert not findings, f"{len(findings)} request(s) gave a 5xx:\n" + "\n".join(findings[:40])


def _expected_routes() -> set[str]:
    """Every page route, and of the admin: every view without an object, and the change page of every model
    the world holds rows of (its delete and history pages too in the long profile)."""
    from django.contrib import admin

    expected = set()
    objects = {
        f"admin/{model._meta.app_label}/{model._meta.model_name}/": model._default_manager.exists()
        for model in admin.site._registry
    }
    for route in url_patterns():
        if route.route.startswith("api/") or not_crawled_by_design(route.route):
            continue
        if route.route.startswith("admin/") and "<path:object_id>" in route.route:
            base = route.route.split("<path:object_id>")[0]
            if not objects.get(base) or (not LONG and not route.route.endswith("/change/")):
                continue
        expected.add(route.route)
    return expected


def test_every_route_was_crawled_and_forms_were_posted(db, fuzzed):
    tried = set().union(*(fuzzer.stats.routes_tried for fuzzer in fuzzed.values()))
    missed = sorted(_expected_routes() - tried)
    assert not missed, (
        "routes the crawl never requested: link them from a page, seed them, list them with a reason, or raise"
        " CI_PAGES if the site outgrew it:\n" + "\n".join(missed)
    )
    assert sum(fuzzer.stats.forms for fuzzer in fuzzed.values()) > 100
