"""Doorstep writes: many phones sending canvass entries at once to gunicorn, none lost or duplicated.

- value: entries stored per second through ``POST /api/v1/canvassing/responses/`` (token auth, one entry per
  request, as a phone with signal sends them), from 16 concurrent connections (wrk, Lua script), median of the
  rounds; every 20th request resends the previous entry's id, as a phone does when an answer is lost;
- floor: ``/_bench/one-row`` (a Django view reading one row) on the same server, requests per second;
- also: p99 latency, a batched run (the offline queue sends 20 entries a request), and the check that the
  database holds exactly one row per entry acknowledged (none lost, none duplicated).

Goal (issue #13): at least 1,000 entries/s one entry a request with p99 under 50 ms, durable (synchronous
commit kept), none lost or duplicated; batched at least 10,000 entries/s. Rounds of the floor and the entries
interleave (``benchmarks.harness.interleave``).

    python -m benchmarks.doorstep_writes
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile

from benchmarks._canvassing import campaign_with_register
from benchmarks.harness import (
    benchmark_seconds,
    ensure_wrk,
    interleave,
    load,
    median,
    progress,
    report,
    serve,
    temporary_database,
)

CONNECTIONS = int(os.environ.get("CONNECTIONS", 16))
WORKERS = int(os.environ.get("WORKERS", 4))
GOAL_RATE, GOAL_P99_MS, GOAL_BATCHED_RATE = 1000, 50, 10_000
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
        command = [ensure_wrk(), "-t2", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s"]
        command += ["--latency", "-s", lua.name, url, "--", str(batch), str(round_number)]
        output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    match = re.search(r"^WRK_JSON (.*)$", output, re.MULTILINE)
    if not match:
        raise RuntimeError(f"wrk printed no report:\n{output}")
    data = json.loads(match.group(1))
    data["seconds"] = data["duration_us"] / 1e6
    return data


def main() -> None:
    ensure_wrk()  # it sends POST bodies from a Lua script: the Python load generator cannot stand in
    seconds = benchmark_seconds(5)
    with temporary_database("doorstep_writes"):
        from django.db import connection

        from accounts.models import ApiToken
        from accounts.tokens import digest_of, new_key
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
        keys = [new_key() for _ in canvassers]
        pairs = zip(canvassers, keys, strict=True)
        ApiToken.objects.bulk_create(ApiToken(user=u, prefix=p, digest=digest_of(key)) for u, (p, key) in pairs)
        tokens = [key for _, key in keys]
        elector_min = Elector.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True).first()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connection.close()

        singles, batched = [], []
        with serve(workers=WORKERS) as base_url:
            url = f"{base_url}/api/v1/canvassing/responses/"
            load(f"{base_url}/_bench/one-row", duration=1, connections=CONNECTIONS)  # warm-up
            rounds = iter(range(1, 1000))

            def entries() -> float:
                run = wrk_post(
                    url, tokens=tokens, elector_min=elector_min, batch=1, round_number=next(rounds), seconds=seconds
                )
                singles.append(run)
                progress(f"p99 {run['p99_us'] / 1000:.1f} ms, {run['errors']} errors")
                return run["acked"] / run["seconds"]

            measured = interleave(
                {
                    "entries/s": entries,
                    "floor req/s": lambda: (
                        load(f"{base_url}/_bench/one-row", duration=seconds, connections=CONNECTIONS).rps
                    ),
                }
            )
            run = wrk_post(url, tokens=tokens, elector_min=elector_min, batch=20, round_number=999, seconds=seconds)
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

    p99 = median(r["p99_us"] / 1000 for r in singles)
    batched_rate = batched[0]["acked"] * 20 / batched[0]["seconds"]
    report(
        benchmark="doorstep_writes",
        metric="throughput",
        values=measured["entries/s"],
        unit="entries/s",
        floors=measured["floor req/s"],
        goal=(
            f"at least {GOAL_RATE:,} entries/s one entry a request with p99 under {GOAL_P99_MS} ms, batched at least "
            f"{GOAL_BATCHED_RATE:,} entries/s, durable (synchronous commit), none lost or duplicated"
        ),
        met=(
            median(measured["entries/s"]) >= GOAL_RATE
            and p99 < GOAL_P99_MS
            and batched_rate >= GOAL_BATCHED_RATE
            and not lost_or_duplicated
        ),
        p99_ms=round(p99, 1),
        p50_ms=round(median(r["p50_us"] / 1000 for r in singles), 1),
        batched_entries_per_s=round(batched_rate),
        batched_p99_ms=round(batched[0]["p99_us"] / 1000, 1),
        errors=sum(r["errors"] for r in singles + batched),
        stored=stored,
        lost_or_duplicated=lost_or_duplicated,
        flagged=flagged,
        canvassers=CANVASSERS,
        connections=CONNECTIONS,
        workers=WORKERS,
    )


if __name__ == "__main__":
    main()
