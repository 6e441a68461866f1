# Sourced by the other scripts: where the worker's virtual environment lives.
# It sits outside the repo in a cache folder keyed by the hash of requirements.lock, so a second
# run, other clones and CI reuse it, and a changed lock gets a fresh one.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCK="$ROOT/trainer/worker/requirements.lock"
LOCK_HASH="$(sha256sum "$LOCK" | cut -c1-16)"
PIONEER_CACHE_DIR="${PIONEER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pioneer}"
PIONEER_VENV="$PIONEER_CACHE_DIR/venv-$LOCK_HASH"
PIONEER_PYTHON="$PIONEER_VENV/bin/python"
export PIONEER_CACHE_DIR PIONEER_VENV PIONEER_PYTHON
