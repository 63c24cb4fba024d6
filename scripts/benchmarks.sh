#!/usr/bin/env bash
# `make benchmarks`: run every benchmark module (benchmarks/<name>.py) as `python -m benchmarks.<name>`,
# collect the last line each prints (one JSON object) into var/benchmarks.jsonl and print a table.
# Names as arguments run only those: `scripts/benchmarks.sh home_page db_connections`.
# BENCHMARK_SECONDS shortens or lengthens each measured round. Traffic stays on 127.0.0.1.
source "$(dirname "$0")/_common.sh"
ensure_venv requirements-dev.txt
mkdir -p var
embedded_services

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing wrk (load generator)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null ||
      echo "wrk could not be installed; using the Python load generator" >&2
  else
    echo "wrk not installed (sudo apt-get install wrk); using the Python load generator" >&2
  fi
fi

if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for file in benchmarks/*.py; do
    name=$(basename "$file" .py)
    case "$name" in harness | settings | urls | _*) continue ;; esac
    names+=("$name")
  done
fi

results=var/benchmarks.jsonl
: >"$results"
failed=()
for name in "${names[@]}"; do
  echo "==> benchmarks.$name"
  output=$(mktemp)
  # stdout (the report line) is captured; progress on stderr shows as it happens.
  if "$VENV/bin/python" -m "benchmarks.$name" >"$output" &&
     last=$(grep -v '^[[:space:]]*$' "$output" | tail -n 1) &&
     "$VENV/bin/python" -c 'import json, sys; json.loads(sys.argv[1])' "$last" 2>/dev/null; then
    echo "$last" >>"$results"
  else
    failed+=("$name")
    echo "benchmarks.$name failed or printed no JSON line" >&2
  fi
  rm -f "$output"
done

"$VENV/bin/python" - "$results" <<'PY'
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(f"\n{'benchmark':<20} {'value':>12} {'floor':>12} {'ratio':>7} {'met':>4}  unit / goal")
for row in rows:
    met = {True: "yes", False: "NO"}.get(row.get("goal_met"), "-")
    print(
        f"{row['benchmark']:<20} {row['value']:>12} {row['floor']:>12} {row['ratio']!s:>7} {met:>4}  "
        f"{row['unit']}; {row['goal']}"
    )
print(f"\n{len(rows)} result(s) in {sys.argv[1]}")
PY

if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
