#!/usr/bin/env bash
# Installs what the tests need (Python packages; Debian's Chromium for the browser tests) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "Chromium is missing and this is not root: run 'sudo apt-get install chromium' for the browser tests." >&2
  fi
fi
python3 -m pip install -q -r requirements-dev.txt
python3 -m pytest "$@"
