"""Doorstep writes: many phones sending canvass entries at once to gunicorn, none lost or duplicated.

- value: entries stored per second through ``POST /api/v1/canvassing/responses/`` (token auth, one entry per
  request, as a phone with signal sends them), from 16 concurrent connections (wrk, Lua script), median of the
  rounds; every 20th request resends the previous entry's id, as a phone does when an answer is lost;
- floor: ``/_bench/one-row`` (a Django view reading one row) on the same server, requests per second;
- also: p99 latency, a batched run (the offline queue sends 20 entries a request), and the check that the
  database holds exactly one row per entry acknowledged (none lost, none duplicated).

Goal: at least 500 entries/s with p99 under 100 ms on 2 cores.

    python -m benchmarks.doorstep_writes
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile

from benchmarks._canvassing import campaign_with_register
from benchmarks.harness import benchmark_seconds, load, progress, report, serve, temporary_database

CONNECTIONS = int(os.environ.get("CONNECTIONS", 16))
WORKERS = int(os.environ.get("WORKERS", 4))
ROUNDS = int(os.environ.get("ROUNDS", 3))
ELECTORS = 20_000
CANVASSERS = int(os.environ.get("CANVASSERS", 1000))

# Each wrk thread makes ids of its own (thread number, counter), so ids never collide across threads; every
# 20th request resends the previous id. The done() hook sums what every thread sent and got back.
LUA = r"""
local threads = {}
local counter = 1
function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end
function init(args)
  n = 0; resent = 0; ok = 0; last = nil; batch = tonumber(args[1]); round = tonumber(args[2])
end
function request()
  local entries = {}
  for i = 1, batch do
    local id
    if batch == 1 and last ~= nil and n % 20 == 19 then
      id = last; resent = resent + 1
    else
      id = string.format("%08x-%04x-4000-8000-%012x", tid, round, n * batch + i); last = id
    end
    local elector = ELECTOR_MIN + ((n * batch + i) * 7919 + tid * 104729) % ELECTOR_COUNT
    entries[i] = '{"id":"' .. id .. '","elector":' .. elector .. ',"outcome":"spoke","intention":"C"}'
  end
  n = n + 1
  local headers = {["Content-Type"] = "application/json"}
  headers["Authorization"] = "Token " .. TOKENS[(n * 31 + tid) % #TOKENS + 1]
  return wrk.format("POST", nil, headers, '{"entries":[' .. table.concat(entries, ",") .. ']}')
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


def wrk_post(url: str, *, tokens: list[str], elector_min: int, batch: int, round_number: int, seconds: float) -> dict:
    script = LUA.replace("ELECTOR_MIN", str(elector_min)).replace("ELECTOR_COUNT", str(ELECTORS))
    script = "TOKENS = {" + ", ".join(f'"{token}"' for token in tokens) + "}\n" + script
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = [shutil.which("wrk") or "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s"]
        command += ["--latency", "-s", lua.name, url, "--", str(batch), str(round_number)]
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    match = re.search(r"^WRK_JSON (.*)$", output, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no report:\n{output}")
    data = json.loads(match.group(1))
    data["seconds"] = data["duration_us"] / 1e6
    return data


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("doorstep_writes needs wrk (apt-get install wrk): it sends POST bodies from a Lua script")
    seconds = benchmark_seconds(5)
    with temporary_database("doorstep_writes"):
        from django.db import connection
        from rest_framework.authtoken.models import Token

        from canvassing.models import CanvassResponse, Elector, GrantLevel, RegisterGrant
        from volunteers.models import Role, User

        campaign = campaign_with_register(electors=ELECTORS, seed=20)
        # Many phones: each canvasser sends at a human pace, so the pace check flags nobody.
        canvassers = User.objects.bulk_create(
            User(email=f"canvasser{n}@bench.invalid", role=Role.VOLUNTEER, password="!")  # noqa: S106 (unusable)
            for n in range(CANVASSERS)
        )
        RegisterGrant.objects.bulk_create(
            RegisterGrant(user=user, campaign=campaign, level=GrantLevel.CANVASSER) for user in canvassers
        )
        made = Token.objects.bulk_create(Token(user=user, key=Token.generate_key()) for user in canvassers)
        tokens = [token.key for token in made]
        elector_min = Elector.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True).first()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()

        singles, batched, floors = [], [], []
        with serve(workers=WORKERS) as base_url:
            url = f"{base_url}/api/v1/canvassing/responses/"
            for round_number in range(1, ROUNDS + 1):
                floor = load(f"{base_url}/_bench/one-row", duration=seconds, connections=CONNECTIONS)
                floors.append(floor.rps)
                run = wrk_post(
                    url, tokens=tokens, elector_min=elector_min, batch=1, round_number=round_number, seconds=seconds
                )
                singles.append(run)
                progress(
                    f"round {round_number}: {run['acked'] / run['seconds']:.0f} entries/s, p99 "
                    f"{run['p99_us'] / 1000:.1f} ms, {run['errors']} errors; floor {floor.rps:.0f} req/s"
                )
            run = wrk_post(url, tokens=tokens, elector_min=elector_min, batch=20, round_number=99, seconds=seconds)
            batched.append(run)
            progress(
                f"batches of 20: {run['acked'] * 20 / run['seconds']:.0f} entries/s, p99 {run['p99_us'] / 1000:.1f} ms"
            )

        stored = CanvassResponse.objects.count()
        distinct = CanvassResponse.objects.values("client_id").distinct().count()
        # Every acknowledged request's entries are stored once: the resends add nothing.
        acked_entries = sum(r["acked"] - r["resent"] for r in singles) + sum(r["acked"] * 20 for r in batched)
        sent_entries = sum(r["sent"] - r["resent"] for r in singles) + sum(r["sent"] * 20 for r in batched)
        lost_or_duplicated = not (acked_entries <= stored <= sent_entries and distinct == stored)
        flagged = CanvassResponse.objects.filter(flagged=True).count()
        progress(f"stored {stored}, acknowledged {acked_entries}, sent {sent_entries} (resends included once)")

    rates = [r["acked"] / r["seconds"] for r in singles]
    value = statistics.median(rates)
    p99 = statistics.median(r["p99_us"] / 1000 for r in singles)
    report(
        benchmark="doorstep_writes",
        metric="throughput",
        value=value,
        unit="entries/s",
        floor=statistics.median(floors),
        goal="at least 500 entries/s (one entry a request) with p99 under 100 ms on 2 cores, none lost or duplicated",
        goal_met=value >= 500 and p99 < 100 and not lost_or_duplicated,
        p99_ms=round(p99, 1),
        p50_ms=round(statistics.median(r["p50_us"] / 1000 for r in singles), 1),
        batched_entries_per_s=round(batched[0]["acked"] * 20 / batched[0]["seconds"]),
        batched_p99_ms=round(batched[0]["p99_us"] / 1000, 1),
        errors=sum(r["errors"] for r in singles + batched),
        stored=stored,
        lost_or_duplicated=lost_or_duplicated,
        flagged=flagged,
        canvassers=CANVASSERS,
        connections=CONNECTIONS,
        workers=WORKERS,
        rounds=ROUNDS,
    )


if __name__ == "__main__":
    main()
