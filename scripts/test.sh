#!/usr/bin/env bash
# The whole test suite: typecheck, vitest (TypeScript, with the real worker) and pytest (worker).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/python-env.sh"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/test-deps.sh
echo "[test] typecheck"
npx tsc --noEmit
echo "[test] pytest (worker)"
bash scripts/pytest.sh
echo "[test] vitest"
# Test scenarios that several files build the same way (a trained v0) are built once per test run.
PIONEER_TEST_CACHE="$(mktemp -d)"
export PIONEER_TEST_CACHE
trap 'rm -rf "$PIONEER_TEST_CACHE"' EXIT
npx vitest run
