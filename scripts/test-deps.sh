#!/usr/bin/env bash
# Programs the tests use from Debian's packages: PostgreSQL's server (the checkpointer tests start a
# private cluster of their own) and Chromium (the report page test drives it headless). Installed
# when missing and we are root (CI); otherwise says what to install.
set -euo pipefail
missing=()
[ -d /usr/lib/postgresql ] || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "[test] missing Debian packages: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "[test] installing ${missing[*]} (apt)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
