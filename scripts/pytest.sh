#!/usr/bin/env bash
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/python-env.sh"
cd "$ROOT/trainer/worker"
HF_HUB_OFFLINE=1 "$PIONEER_PYTHON" -m pytest -q tests "$@"
