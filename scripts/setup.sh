#!/usr/bin/env bash
# Installs everything Pioneer needs on a fresh machine: npm packages (from the lockfile) and the
# Python worker's venv (from requirements.lock, cached outside the repo by its hash). Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/python-env.sh"
cd "$ROOT"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund
fi

if [ -f "$PIONEER_VENV/.complete" ]; then
  echo "[setup] Python worker env ready: $PIONEER_VENV"
else
  echo "[setup] creating the Python worker env in $PIONEER_VENV (first run downloads torch; a few minutes)"
  rm -rf "$PIONEER_VENV"
  mkdir -p "$PIONEER_CACHE_DIR"
  PY="${PIONEER_BASE_PYTHON:-python3}"
  "$PY" -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 is required"'
  "$PY" -m venv "$PIONEER_VENV"
  "$PIONEER_VENV/bin/pip" install --quiet --no-deps -r "$LOCK"
  "$PIONEER_VENV/bin/pip" check
  touch "$PIONEER_VENV/.complete"
fi
