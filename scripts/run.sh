#!/usr/bin/env bash
# Installs the app in a virtual environment of the project (.venv) and starts it: open http://localhost:8501.
#
# A virtual environment, because Debian 12 and Ubuntu 24.04 refuse `pip install` into the system's Python
# (PEP 668, "externally-managed-environment"). Arguments go to `streamlit run`, e.g. --server.port 8502.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    # Debian and Ubuntu ship venv's pip bootstrap separately (python3-venv)
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      "$PYTHON" -m venv .venv
    else
      echo "This Python cannot make a virtual environment: run 'sudo apt install python3-venv', then this again." >&2
      exit 1
    fi
  fi
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements.txt
echo "Starting the app: open http://localhost:8501 (phones on the same network: this computer's address, port 8501)."
exec .venv/bin/python -m streamlit run streamlit_app.py "$@"
