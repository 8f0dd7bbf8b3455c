#!/usr/bin/env bash
# Installs what the tests need (Python packages; Debian's Chromium and redis-server) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian packages: Chromium for the browser tests; redis-server, which the class-store tests start and stop themselves
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts the redis-server service on install: the tests need only the program
    if [[ " ${missing[*]} " == *" redis-server "* ]] && command -v systemctl >/dev/null 2>&1; then
      systemctl disable --now redis-server >/dev/null 2>&1 || true
    fi
  else
    echo "Missing and this is not root: run 'sudo apt-get install ${missing[*]}' (browser and class-store tests)." >&2
  fi
fi
python3 -m pip install -q -r requirements-dev.txt
python3 -m pytest "$@"
