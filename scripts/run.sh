#!/usr/bin/env bash
# `make run`: set up and start the whole platform on this machine (web, Celery worker and beat), served as in
# production (DEBUG off: no debug pages, no URL lists on a 404; DEBUG=true make run opts in to them). Only
# what plain http on this machine cannot have is relaxed, explicitly, below.
source "$(dirname "$0")/_common.sh"
ensure_venv requirements.txt
mkdir -p var
embedded_services
export DEBUG="${DEBUG:-false}"
PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://localhost:$PORT}"
if [[ "$SITE_URL" == http://* ]]; then
  # Plain http on localhost: no redirect to https (nothing answers there), cookies that a browser sends over
  # http, no HSTS (a browser would remember it for localhost), and no X-Forwarded-Proto trusted (no proxy).
  export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
  export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-false}"
  export CSRF_COOKIE_SECURE="${CSRF_COOKIE_SECURE:-false}"
  export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
  export SECURE_HSTS_INCLUDE_SUBDOMAINS="${SECURE_HSTS_INCLUDE_SUBDOMAINS:-false}"
  export SECURE_HSTS_PRELOAD="${SECURE_HSTS_PRELOAD:-false}"
  export BEHIND_PROXY="${BEHIND_PROXY:-false}"
fi
export LOG_FORMAT="${LOG_FORMAT:-text}"
[ -f var/secret_key ] || "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
export SECRET_KEY="${SECRET_KEY:-$(cat var/secret_key)}"
export ACCOUNT_EMAIL_VERIFICATION="${ACCOUNT_EMAIL_VERIFICATION:-optional}"
PY="$VENV/bin/python"

echo "==> migrating"
"$PY" manage.py migrate --no-input
"$PY" manage.py collectstatic --no-input --verbosity 0
echo "==> loading seats, results and the demo campaign"
"$PY" manage.py load_demo
"$PY" manage.py load_demo_volunteers
"$PY" manage.py demo_organiser         # before the canvassing demo, which grants it the demo register
"$PY" manage.py load_demo_canvassing
# This week's digests, so the demo shows one arriving (once per ISO week: a later run the same week sends
# none again), with no digest schedule changed.
"$PY" manage.py messages_run --digest-now

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
"$VENV/bin/celery" -A organiser worker --loglevel=INFO --concurrency=2 > var/worker.log 2>&1 & pids+=($!)
"$VENV/bin/celery" -A organiser beat --loglevel=INFO --schedule var/celerybeat-schedule > var/beat.log 2>&1 & pids+=($!)
echo "==> started Celery worker (log var/worker.log) and beat (log var/beat.log)"
echo "==> mail is not sent in this mode: reminders and digests land in var/mail/ (SMS in var/sms.log)"
echo "==> Organiser on $SITE_URL  (admin: $SITE_URL/admin/  API: $SITE_URL/api/v1/docs/)"
echo "==> rehearse election night on the 2024 results (their declarations replayed over three hours; the board at"
echo "    $SITE_URL/organise/night/, the public page at $SITE_URL/elections/parl.2024-07-04/night/):"
echo "    $PY manage.py replay_results_night --rewind --poll 5"
# gunicorn.conf.py holds the web processes' settings, as in production (docs/deploy.md); here on this port,
# two workers and the access log on standard output unless the environment says otherwise.
GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_WORKERS="${GUNICORN_WORKERS:-2}" GUNICORN_ACCESS_LOG="${GUNICORN_ACCESS_LOG:--}" \
  "$VENV/bin/gunicorn" -c gunicorn.conf.py organiser.wsgi & pids+=($!)
wait "${pids[-1]}"
