# Shared by scripts/run.sh and scripts/test.sh: find Python 3.12+, make the venv, install.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="$ROOT/.venv"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 "$HOME"/.pyenv/versions/3.13*/bin/python3 \
                   "$HOME"/.pyenv/versions/3.12*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  echo "Organiser needs Python 3.12 or newer (set PYTHON=/path/to/python3.12)" >&2
  return 1
}

quiet_pip() {  # drop the machine's notes about absent local package mirrors; keep real errors
  grep -v "is ignored: it is neither a file nor a directory" || true
}

ensure_venv() {  # $1: requirements file
  local requirements=$1 stamp
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtual environment in .venv"
    "$(find_python)" -m venv "$VENV"
  fi
  stamp="$VENV/.installed-$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "==> installing $requirements"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | quiet_pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" 2>&1 | quiet_pip
    touch "$stamp"
  fi
}

embedded_services() {  # start embedded PostgreSQL/Redis for whatever the environment does not name
  eval "$("$VENV/bin/python" -m organiser.devservices env)"
}
