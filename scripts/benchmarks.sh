#!/usr/bin/env bash
# `make benchmarks`: run every benchmark module (benchmarks/<name>.py) as `python -m benchmarks.<name>`,
# collect the last line each prints (one JSON object) into var/benchmarks.jsonl and print a table.
# Names as arguments run only those: `scripts/benchmarks.sh home_page db_connections`.
# BENCHMARK_SECONDS shortens or lengthens each measured round. Traffic stays on 127.0.0.1.
source "$(dirname "$0")/_common.sh"
ensure_venv requirements-dev.txt
mkdir -p var
embedded_services

# wrk, installed the way every benchmark does it by itself (benchmarks.harness.ensure_wrk).
"$VENV/bin/python" -c 'from benchmarks.harness import ensure_wrk; ensure_wrk()' ||
  echo "wrk is missing: the HTTP benchmarks use the Python load generator, doorstep_writes fails" >&2

if [ $# -gt 0 ]; then
  names=("$@")
else
  names=()
  for file in benchmarks/*.py; do
    name=$(basename "$file" .py)
    case "$name" in harness | settings | table | urls | _*) continue ;; esac
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

"$VENV/bin/python" -m benchmarks.table "$results"

if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
