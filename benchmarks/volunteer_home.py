"""The volunteer home page ("my next shifts" and "shifts near me") under load, against the floor.

10,000 volunteers, 2,000 shifts and 50,000 sign-ups in a throwaway database; gunicorn with 2 sync workers
on loopback; a signed-in volunteer's session cookie on every request. The floor, in the same run on the same
server and through the same middleware, is a minimal view that authenticates the session user and reads one
row (``/_bench/session-user``: this module's WSGI entry point adds it to benchmarks.urls when that does not
have it). Interleaved rounds; the report line is the median throughput with p50/p95/p99 latencies.

    python -m benchmarks.volunteer_home
"""

from __future__ import annotations

import datetime as dt
import http.client
import random
from urllib.parse import urlsplit

from benchmarks.harness import (
    benchmark_seconds,
    compare,
    median,
    median_rps,
    progress,
    report,
    rps,
    serve,
    temporary_database,
)
from organiser import clock

VOLUNTEERS = 10_000
SHIFTS = 2_000
SIGNUPS = 50_000
SEATS = 650
CONNECTIONS = 4
GOAL_RATIO = 0.8  # issue #13
GOAL_P99_MS = 30.0


def seed(rng: random.Random) -> int:
    """Seats, volunteers with profiles, shifts over the past week and the next fortnight, sign-ups.
    Returns the id of the volunteer whose home page is measured."""
    from django.contrib.auth.hashers import make_password

    from campaigns.models import Constituency
    from volunteers.models import Shift, ShiftKind, Signup, SignupStatus, User, VolunteerProfile

    seats = Constituency.objects.bulk_create(
        Constituency(code=f"E14{n:06d}", name=f"Seat {n}", nation="England") for n in range(SEATS)
    )
    password = make_password("benchmark-password-1")
    users = User.objects.bulk_create(
        (
            User(email=f"volunteer{n}@example.org", full_name=f"Volunteer {n}", password=password)
            for n in range(VOLUNTEERS)
        ),
        batch_size=2000,
    )
    skills = ["canvassing", "phone_banking", "leafleting", "telling", "driving", "data_entry"]
    VolunteerProfile.objects.bulk_create(
        (
            VolunteerProfile(
                user=user,
                home_constituency=rng.choice(seats),
                postcode="IG6 2AA",
                phone="+447911123456",
                skills=rng.sample(skills, 2),
                languages=["en"],
                availability=["sat_morning"],
                calendar_token=None,
            )
            for user in users
        ),
        batch_size=2000,
    )
    progress(f"{VOLUNTEERS} volunteers with profiles")
    now = clock.now()
    kinds = [kind for kind, _ in ShiftKind.choices]
    shifts = []
    for _ in range(SHIFTS):
        starts = now + dt.timedelta(hours=rng.randint(-24 * 7, 24 * 14))
        shifts.append(
            Shift(
                kind=rng.choice(kinds),
                constituency=rng.choice(seats),
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=rng.choice([2, 3, 4])),
                meeting_point="The library steps",
                capacity=rng.choice([20, 25, 30, 40]),
                minimum=rng.choice([5, 10, 15]),
                required_skills=rng.choice([[], [], ["driving"]]),
            )
        )
    shifts = Shift.objects.bulk_create(shifts, batch_size=2000)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < SIGNUPS:
        pairs.add((rng.randrange(SHIFTS), rng.randrange(VOLUNTEERS)))
    statuses = [SignupStatus.CONFIRMED] * 8 + [SignupStatus.WAITLISTED, SignupStatus.CANCELLED]
    signups = []
    for shift_index, user_index in pairs:
        shift = shifts[shift_index]
        status = rng.choice(statuses)
        if shift.ends_at < now and status == SignupStatus.CONFIRMED:
            status = rng.choice([SignupStatus.ATTENDED] * 4 + [SignupStatus.NO_SHOW])
        signups.append(Signup(shift=shift, volunteer=users[user_index], status=status))
    Signup.objects.bulk_create(signups, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # the place counts the services keep, set in one statement
        cursor.execute(
            "UPDATE volunteers_shift SET filled = (SELECT count(*) FROM volunteers_signup s"
            " WHERE s.shift_id = volunteers_shift.id AND s.status IN ('confirmed', 'attended'))"
        )
    progress(f"{SHIFTS} shifts, {SIGNUPS} sign-ups")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # The measured volunteer: an ordinary one with sign-ups in the coming days.
    upcoming = Signup.objects.filter(shift__starts_at__gt=now, status=SignupStatus.CONFIRMED)
    return upcoming.values_list("volunteer_id", flat=True).order_by("volunteer_id").first()


def session_cookie(user_id: int) -> dict[str, str]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from volunteers.models import User

    user = User.objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {settings.SESSION_COOKIE_NAME: session.session_key}


def session_user_row(request):
    """The floor: authenticate the session's user (session and user rows) and read one row."""
    from django.http import HttpResponse

    from volunteers.models import VolunteerProfile

    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    postcode = VolunteerProfile.objects.filter(user_id=request.user.pk).values_list("postcode", flat=True).first()
    return HttpResponse(postcode or "", content_type="text/plain")


_wsgi_app = None


def application(environ, start_response):
    """gunicorn's entry point for this benchmark: the project's WSGI app with the floor view mounted."""
    global _wsgi_app  # built once per worker, on its first request
    if _wsgi_app is None:
        import importlib

        from django.conf import settings
        from django.core.wsgi import get_wsgi_application
        from django.urls import clear_url_caches, path

        _wsgi_app = get_wsgi_application()
        urlconf = importlib.import_module(settings.ROOT_URLCONF)
        if not any(getattr(p, "name", "") == "bench-session-user" for p in urlconf.urlpatterns):
            urlconf.urlpatterns.insert(0, path("_bench/session-user", session_user_row, name="bench-session-user"))
            clear_url_caches()
    return _wsgi_app(environ, start_response)


def status_of(url: str, headers: dict[str, str]) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def main() -> None:
    duration = benchmark_seconds(4)
    rng = random.Random(4)  # reproducible data, not secrets
    with temporary_database("volunteer_home"):
        user_id = seed(rng)
        cookies = session_cookie(user_id)
        header = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        with serve("benchmarks.volunteer_home:application", workers=2, ready_path="/healthz") as base_url:
            floor_path = "/_bench/session-user"
            if status_of(base_url + floor_path, header) != 200:
                raise RuntimeError(f"the floor view {floor_path} does not answer 200")
            results = compare(
                {"floor": base_url + floor_path, "volunteer home": f"{base_url}/volunteer/"},
                duration=duration,
                connections=CONNECTIONS,
                cookies=cookies,
            )
    home, floor = results["volunteer home"], results["floor"]
    home_rps, floor_rps = median_rps(home), median_rps(floor)
    p99 = median(result.p99_ms for result in home)  # a goal is met when the median meets it
    errors = sum(result.errors for runs in results.values() for result in runs)
    progress(f"volunteer home {home_rps:.0f} req/s (p99 {p99:.1f} ms), floor {floor_rps:.0f} req/s")
    report(
        benchmark="volunteer_home",
        metric="throughput",
        values=rps(home),
        unit="requests/s",
        floors=rps(floor),
        goal=(
            f"at least {GOAL_RATIO:.0%} of the floor's requests/s, p99 under {GOAL_P99_MS:.0f} ms, no errors "
            f"(floor: {floor_path}, same server, same run)"
        ),
        goal_ratio=GOAL_RATIO,
        met=p99 < GOAL_P99_MS and errors == 0,
        p50_ms=round(sorted(result.p50_ms for result in home)[len(home) // 2], 1),
        p95_ms=round(max(result.p95_ms for result in home), 1),
        p99_ms=round(p99, 1),
        floor_p99_ms=round(max(result.p99_ms for result in floor), 1),
        p99_goal_met=p99 < GOAL_P99_MS,
        errors=errors,
        volunteers=VOLUNTEERS,
        shifts=SHIFTS,
        signups=SIGNUPS,
        floor_path=floor_path,
        workers=2,
        connections=CONNECTIONS,
        seconds_per_round=duration,
        tool=home[0].tool,
    )


if __name__ == "__main__":
    main()
