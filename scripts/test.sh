#!/usr/bin/env bash
# Installs what the tests need and runs every test: about 17 minutes on two cores.
#
# - Python packages in a virtual environment of the project (.venv): Debian 12 and Ubuntu 24.04 refuse
#   `pip install` into the system's Python (PEP 668).
# - As root, Debian's packages: chromium (the browser tests), redis-server (the class-store tests start
#   and stop their own), nodejs and npm (the browser's Graphviz, for the test of the graph size estimate, and
#   axe-core, for the accessibility tests),
#   python3-venv where venv needs it. Not root: the command to run is printed, and those tests skip.
# - Then, where a Python 3.12 is found (Streamlit Community Cloud's default), every test but the
#   browser's again on it, in .venv-3.12. SKIP_PY312=1 leaves it out. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
python3 -c "import ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts the redis-server service on install: the tests need only the program
    if [[ " ${missing[*]} " == *" redis-server "* ]] && command -v systemctl >/dev/null 2>&1; then
      systemctl disable --now redis-server >/dev/null 2>&1 || true
    fi
  else
    echo "Missing and this is not root: run 'sudo apt-get install ${missing[*]}' (those tests skip meanwhile)." >&2
  fi
fi

# a virtual environment at $1 made with the Python $2, with the packages of requirements file $3
environment() {
  [ -x "$1/bin/python" ] || "$2" -m venv "$1"
  "$1/bin/python" -m pip install -q --upgrade pip
  "$1/bin/python" -m pip install -q -r "$3"
}

environment .venv python3 requirements-dev.txt
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/graphviz --silent --no-audit --no-fund >/dev/null
  npm ci --prefix tests/a11y --silent --no-audit --no-fund >/dev/null
fi
.venv/bin/python -m pytest "$@"

# a Python 3.12: on the PATH, or one pyenv holds without it being the one selected
py312=""
if python3.12 -c "" >/dev/null 2>&1; then
  py312=python3.12
else
  py312=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1 || true)
fi
if [ -z "${SKIP_PY312:-}" ] && [ -n "$py312" ]; then
  echo "The same tests on Python 3.12, but the browser's:"
  environment .venv-3.12 "$py312" requirements-dev.txt
  .venv-3.12/bin/python -m pytest -m "not browser" -q "$@"
fi
