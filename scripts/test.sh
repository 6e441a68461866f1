#!/usr/bin/env bash
# The whole test suite: typecheck, vitest (TypeScript, with the real worker) and pytest (worker).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/python-env.sh"
cd "$ROOT"
bash scripts/setup.sh
echo "[test] typecheck"
npx tsc --noEmit
echo "[test] pytest (worker)"
bash scripts/pytest.sh
echo "[test] vitest"
npx vitest run
