#!/usr/bin/env bash
# `make run`: set up and start the whole platform on this machine (web, Celery worker and beat).
source "$(dirname "$0")/_common.sh"
ensure_venv requirements.txt
mkdir -p var
embedded_services
export DEBUG="${DEBUG:-true}"
[ -f var/secret_key ] || "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
export SECRET_KEY="${SECRET_KEY:-$(cat var/secret_key)}"
export ACCOUNT_EMAIL_VERIFICATION="${ACCOUNT_EMAIL_VERIFICATION:-optional}"
PORT="${PORT:-8000}"
export SITE_URL="${SITE_URL:-http://localhost:$PORT}"
PY="$VENV/bin/python"

echo "==> migrating"
"$PY" manage.py migrate --no-input
"$PY" manage.py collectstatic --no-input --verbosity 0
echo "==> loading seats, results and the demo campaign"
"$PY" manage.py load_demo
"$PY" manage.py load_demo_volunteers
"$PY" manage.py demo_organiser         # before the canvassing demo, which grants it the demo register
"$PY" manage.py load_demo_canvassing
if [ ! -f var/.demo-digest-sent ]; then   # once: this week's digests, so the demo shows one arriving
  "$PY" manage.py messages_run --digest-now && touch var/.demo-digest-sent
fi

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
"$VENV/bin/celery" -A organiser worker --loglevel=INFO --concurrency=2 > var/worker.log 2>&1 & pids+=($!)
"$VENV/bin/celery" -A organiser beat --loglevel=INFO --schedule var/celerybeat-schedule > var/beat.log 2>&1 & pids+=($!)
echo "==> started Celery worker (log var/worker.log) and beat (log var/beat.log)"
echo "==> mail is not sent in this mode: reminders and digests land in var/mail/ (SMS in var/sms.log)"
echo "==> Organiser on $SITE_URL  (admin: $SITE_URL/admin/  API: $SITE_URL/api/v1/docs/)"
"$VENV/bin/gunicorn" organiser.wsgi --bind "127.0.0.1:$PORT" --workers 2 --access-logfile - & pids+=($!)
wait "${pids[-1]}"
