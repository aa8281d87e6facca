#!/usr/bin/env bash
# Create .venv (Rasa, actions, gateway, tests) and .venv-db (SecantusDB) from the lock files.
# Does nothing when both are up to date with their lock files.
set -euo pipefail
cd "$(dirname "$0")/.."
PY310="$(scripts/find-python310.sh)"
export PIP_DISABLE_PIP_VERSION_CHECK=1

lock_hash() { cat "$@" | sha256sum | cut -c1-16; }

want="$(lock_hash requirements.in requirements.lock)"
if [ "$(cat .venv/.installed 2>/dev/null || true)" != "$want" ]; then
  echo "installing Python packages into .venv (first run downloads ~3 GB; pip's cache makes later runs faster) ..."
  [ -x .venv/bin/python ] || "$PY310" -m venv .venv
  .venv/bin/pip install -q "pip==24.2"
  .venv/bin/pip install -q -r requirements.in -c requirements.lock
  echo "$want" > .venv/.installed
fi

want_db="$(lock_hash requirements-db.lock)"
if [ "$(cat .venv-db/.installed 2>/dev/null || true)" != "$want_db" ]; then
  echo "installing SecantusDB into .venv-db ..."
  [ -x .venv-db/bin/python ] || "$PY310" -m venv .venv-db
  .venv-db/bin/pip install -q -r requirements-db.lock
  echo "$want_db" > .venv-db/.installed
fi

# Debian's chromium for the browser tests (Playwright drives it; never `playwright install`).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the web chat browser tests ..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: /usr/bin/chromium is missing, so the web chat browser tests will be skipped;" \
         "install Debian's chromium package (sudo apt-get install chromium) to run them." >&2
  fi
fi
