"""The committee room on polling day: 50 tellers typing numbers while 20 boards poll, none lost or counted twice.

- value: tellers' entries stored per second through ``POST /api/v1/canvassing/teller-entries/`` (token auth, one
  number a request, as a teller with signal types them), from 50 concurrent connections (wrk, Lua), while 20
  more connections poll the committee-room board's live part as htmx does (session cookie, ``HX-Request``,
  ``If-None-Match`` with the last ETag seen): median of the interleaved rounds. Every 20th teller request resends
  the previous entry's id, as a phone does when an answer is lost;
- floor: ``POST /_bench/one-row-insert`` (a Django view inserting one row) from the same 50 connections on the
  same server, requests per second;
- also: the tellers' and the boards' p99, how many board polls were 304s, and the check that the database holds
  one entry per id acknowledged and one vote per distinct number stored, each counted in exactly one entry
  (none lost, none counted twice).

Goal: at least half the floor's rate, tellers' p99 under 100 ms, nothing lost or doubled.

    python -m benchmarks.committee_room
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import threading

from benchmarks._canvassing import campaign_with_register
from benchmarks.harness import (
    ROUNDS,
    benchmark_seconds,
    ensure_wrk,
    interleave,
    median,
    progress,
    report,
    serve,
    temporary_database,
)

TELLERS = int(os.environ.get("TELLERS", 50))
BOARDS = int(os.environ.get("BOARDS", 20))
WORKERS = int(os.environ.get("WORKERS", 4))
ELECTORS = 50_000
GOAL_RATIO = 0.5
GOAL_P99_MS = 100

# Tellers: each wrk thread numbers its requests; slot = round offset + n * threads + thread, so numbers do not
# repeat across threads or rounds (district = slot % districts, number = slot // districts + 1, wrapping round
# the register only if a round sends more than SPAN: a number typed again is then a duplicate, still counted
# once). Every 20th request resends the previous entry (same id, same number).
TELLER_LUA = r"""
local threads = {}
local counter = 1
function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  n = 0; resent = 0; ok = 0; last = nil; round = tonumber(args[1]); nthreads = tonumber(args[2])
end
function request()
  local body
  if last ~= nil and n % 20 == 19 then
    body = last; resent = resent + 1
  else
    local slot = (round - 1) * SPAN + n * nthreads + (tid - 1)
    local district = CODES[slot % #CODES + 1]
    local number = math.floor(slot / #CODES) % PER_DISTRICT + 1
    local id = string.format("%08x-%04x-4000-8000-%012x", tid, round, n)
    local numbers = district .. '-' .. number
    body = '{"entries":[{"id":"' .. id .. '","station":' .. STATION .. ',"numbers":"' .. numbers .. '"}]}'
    last = body
  end
  n = n + 1
  local headers = {["Content-Type"] = "application/json"}
  headers["Authorization"] = "Token " .. TOKENS[(n * 31 + tid) % #TOKENS + 1]
  return wrk.format("POST", nil, headers, body)
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 end
end
function done(summary, latency, requests)
  local sent, again, acked = 0, 0, 0
  for _, t in ipairs(threads) do
    sent = sent + t:get("n"); again = again + t:get("resent"); acked = acked + t:get("ok")
  end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %.0f, "p99_us": %.0f, "errors": %d, "sent": %d, ' ..
    '"resent": %d, "acked": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout,
    sent, again, acked))
end
"""

# Boards: GET the live part as htmx does, with the ETag this thread saw last; counts 200s and 304s.
BOARD_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) etag = ""; fresh = 0; unchanged = 0; bad = 0 end
function request()
  local headers = {["HX-Request"] = "true", ["Cookie"] = COOKIES[math.random(#COOKIES)]}
  if etag ~= "" then headers["If-None-Match"] = etag end
  return wrk.format("GET", nil, headers, nil)
end
function response(status, headers, body)
  if status == 200 then fresh = fresh + 1; etag = headers["ETag"] or headers["etag"] or ""
  elseif status == 304 then unchanged = unchanged + 1
  else bad = bad + 1 end
end
function done(summary, latency, requests)
  local f, u, b = 0, 0, 0
  for _, t in ipairs(threads) do f = f + t:get("fresh"); u = u + t:get("unchanged"); b = b + t:get("bad") end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %.0f, "p99_us": %.0f, "errors": %d, ' ..
    '"fresh": %d, "unchanged": %d, "bad": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, f, u, b))
end
"""

# The floor: the same connections POSTing an empty body to a view that inserts one row.
FLOOR_LUA = r"""
function request() return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, "{}") end
function done(summary, latency, requests)
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %.0f, "p99_us": %.0f, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
"""


def wrk(url: str, script: str, *, connections: int, seconds: float, args: list[str] = ()) -> dict:
    threads = 2
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
        command += ["-s", lua.name, url, "--", *args]
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    match = re.search(r"^WRK_JSON (.*)$", output, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no report:\n{output}")
    data = json.loads(match.group(1))
    data["seconds"] = data["duration_us"] / 1e6
    return data


def lua_list(values) -> str:
    return "{" + ", ".join(f'"{value}"' for value in values) + "}"


def main() -> None:
    ensure_wrk()
    seconds = benchmark_seconds(5)
    with temporary_database("committee_room"):
        from allauth.mfa.models import Authenticator
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        from accounts.models import ApiToken
        from accounts.tokens import digest_of, new_key
        from canvassing.models import (
            Elector,
            GrantLevel,
            PollingDayVote,
            PollingDistrict,
            RegisterGrant,
            TellerEntry,
        )
        from canvassing.pollingday import services
        from volunteers.models import Role, User

        campaign = campaign_with_register(electors=ELECTORS, seed=21)
        districts = list(PollingDistrict.objects.filter(campaign=campaign).order_by("code"))
        from organiser import scope

        station = services.station_save(
            user=scope.system("benchmark"), campaign=campaign, name="The bench school", districts=districts
        )
        # Promises and leans to count: every third elector a promise, every seventh a lean.
        with connection.cursor() as cursor:
            cursor.execute(
                """UPDATE canvassing_elector e SET current_outcome = 'spoke', current_intention_id = ic.id
                   FROM canvassing_intentioncode ic
                   WHERE e.campaign_id = %(c)s AND ic.campaign_id = %(c)s
                     AND ((e.number %% 3 = 0 AND ic.code = 'C') OR (e.number %% 3 <> 0 AND e.number %% 7 = 0
                          AND ic.code = 'L'))""",
                {"c": campaign.pk},
            )
        tellers = User.objects.bulk_create(
            User(email=f"teller{n}@bench.invalid", role=Role.VOLUNTEER, password="!")  # noqa: S106 (unusable)
            for n in range(TELLERS)
        )
        organisers = User.objects.bulk_create(
            User(email=f"room{n}@bench.invalid", role=Role.SEAT_ORGANISER, is_staff=True, password="!")  # noqa: S106
            for n in range(BOARDS)
        )
        RegisterGrant.objects.bulk_create(
            [RegisterGrant(user=u, campaign=campaign, level=GrantLevel.TELLER) for u in tellers]
            + [RegisterGrant(user=u, campaign=campaign, level=GrantLevel.ORGANISER) for u in organisers]
        )
        # Every grantee needs an authenticator (organiser.scope); the secret is never used here.
        Authenticator.objects.bulk_create(
            Authenticator(user=u, type=Authenticator.Type.TOTP, data={"secret": "bench"})
            for u in [*tellers, *organisers]
        )
        keys = [new_key() for _ in tellers]
        pairs = zip(tellers, keys, strict=True)
        ApiToken.objects.bulk_create(ApiToken(user=u, prefix=p, digest=digest_of(key)) for u, (p, key) in pairs)
        tokens = [key for _, key in keys]
        cookies = []
        for user in organisers:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_floor_insert (id bigserial PRIMARY KEY, at timestamptz NOT NULL)")
            cursor.execute("ANALYZE")
        # Numbers run 1..N in each district (a suffix shares its household's number): the smallest N serves all.
        per_district = min(
            Elector.objects.filter(campaign=campaign, polling_district=d, suffix=0).count() for d in districts
        )
        connection.close()

        teller_script = (
            f"TOKENS = {lua_list(tokens)}\nCODES = {lua_list(d.code for d in districts)}\n"
            f"STATION = {station.pk}\nPER_DISTRICT = {per_district}\n"
            f"SPAN = {per_district * len(districts) // (ROUNDS + 2)}\n{TELLER_LUA}"
        )
        board_script = f"COOKIES = {lua_list(cookies)}\n{BOARD_LUA}"
        tellers_runs, board_runs, floor_runs = [], [], []
        with serve(workers=WORKERS, timeout=240) as base_url:
            entries_url = f"{base_url}/api/v1/canvassing/teller-entries/"
            board_url = f"{base_url}/canvass/{campaign.pk}/committee-room/"
            floor_url = f"{base_url}/_bench/one-row-insert"
            wrk(floor_url, FLOOR_LUA, connections=TELLERS, seconds=1)  # warm-up
            rounds = iter(range(1, 1000))

            def tellers_with_boards() -> float:
                number = next(rounds)
                boards: dict = {}
                polling = threading.Thread(
                    target=lambda: boards.update(wrk(board_url, board_script, connections=BOARDS, seconds=seconds))
                )
                polling.start()
                run = wrk(entries_url, teller_script, connections=TELLERS, seconds=seconds, args=[str(number), "2"])
                polling.join()
                tellers_runs.append(run)
                board_runs.append(boards)
                progress(
                    f"tellers p99 {run['p99_us'] / 1000:.1f} ms, {run['errors']} errors; boards "
                    f"{boards['requests'] / boards['seconds']:.0f} req/s ({boards['unchanged']} 304s), p99 "
                    f"{boards['p99_us'] / 1000:.1f} ms"
                )
                return (run["acked"] - run["resent"]) / run["seconds"]

            def floor() -> float:
                run = wrk(floor_url, FLOOR_LUA, connections=TELLERS, seconds=seconds)
                floor_runs.append(run)
                return run["requests"] / run["seconds"]

            measured = interleave({"entries/s": tellers_with_boards, "floor inserts/s": floor})

        stored = TellerEntry.objects.count()
        votes = PollingDayVote.objects.count()
        counted = sum(TellerEntry.objects.values_list("recorded", flat=True))
        distinct_numbers = TellerEntry.objects.values("written").distinct().count()
        acked_new = sum(r["acked"] - r["resent"] for r in tellers_runs)
        sent_new = sum(r["sent"] - r["resent"] for r in tellers_runs)
        lost_or_doubled = not (acked_new <= stored <= sent_new and votes == counted == distinct_numbers)
        progress(
            f"stored {stored} entries (acknowledged {acked_new}, sent {sent_new}); {votes} votes, {counted} counted "
            f"in entries, {distinct_numbers} distinct numbers"
        )

    p99 = median(r["p99_us"] / 1000 for r in tellers_runs)
    board_p99 = median(r["p99_us"] / 1000 for r in board_runs)
    report(
        benchmark="committee_room",
        metric="throughput",
        values=measured["entries/s"],
        unit="entries/s",
        floors=measured["floor inserts/s"],
        goal=(
            f"{TELLERS} tellers entering numbers while {BOARDS} boards poll: at least {GOAL_RATIO}x a one-row insert "
            f"view, tellers' p99 under {GOAL_P99_MS} ms, no number lost or counted twice"
        ),
        goal_ratio=GOAL_RATIO,
        met=p99 < GOAL_P99_MS and not lost_or_doubled and not sum(r["errors"] for r in tellers_runs),
        p99_ms=round(p99, 1),
        p50_ms=round(median(r["p50_us"] / 1000 for r in tellers_runs), 1),
        floor_p99_ms=round(median(r["p99_us"] / 1000 for r in floor_runs), 1),
        board_polls_per_s=round(median(r["requests"] / r["seconds"] for r in board_runs)),
        board_p99_ms=round(board_p99, 1),
        board_304s=sum(r["unchanged"] for r in board_runs),
        board_200s=sum(r["fresh"] for r in board_runs),
        board_errors=sum(r["bad"] + r["errors"] for r in board_runs),
        errors=sum(r["errors"] for r in tellers_runs),
        stored=stored,
        votes=votes,
        lost_or_doubled=lost_or_doubled,
        tellers=TELLERS,
        boards=BOARDS,
        workers=WORKERS,
    )


if __name__ == "__main__":
    main()
