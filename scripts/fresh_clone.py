"""Do what a newcomer does: clone the project afresh and run the README's two commands, timing each.

    python scripts/fresh_clone.py [--python python3.11 python3.12] [--tests-args ...]

In a temporary folder: `git clone` of this repository's HEAD, then for each Python: `scripts/run.sh`
(PYTHON=that Python) until the app answers /_stcore/health, then stopped; and once `scripts/test.sh`
(which runs the suite on the default Python 3, then every test but the browser's on Python 3.12). Each
command's exit status and time are printed; the script fails when any of them fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_python(name: str) -> str | None:
    """A Python by name: on the PATH, or one of pyenv's even when it is not the one selected."""
    for candidate in (shutil.which(name), *sorted(Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
                                                  .glob(f"versions/{name.removeprefix('python')}*/bin/{name}"))):
        if candidate and subprocess.run([str(candidate), "-c", ""], capture_output=True).returncode == 0:
            return str(candidate)
    return None


def start_app(clone: Path, python: str, log: Path) -> tuple[bool, float]:
    """`bash scripts/run.sh` until the app answers; (answered, seconds). The app is stopped after."""
    port = free_port()
    start = time.monotonic()
    with log.open("wb") as out:
        app = subprocess.Popen(["bash", "scripts/run.sh", "--server.headless", "true", "--server.port", str(port),
                                "--server.address", "127.0.0.1"], cwd=clone, env={**os.environ, "PYTHON": python},
                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while app.poll() is None and time.monotonic() - start < 900:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                        if r.read() == b"ok":
                            return True, time.monotonic() - start
                except OSError:
                    time.sleep(0.5)
            return False, time.monotonic() - start
        finally:
            os.killpg(app.pid, signal.SIGTERM)
            app.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", nargs="+", default=["python3.11", "python3.12"])
    parser.add_argument("--tests-args", nargs=argparse.REMAINDER, default=[], help="passed on to scripts/test.sh")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="micrograd-fresh-") as folder:
        clone = Path(folder) / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        for name in args.python:
            python = find_python(name)
            if python is None:
                print(f"{name}: not found here")
                failed = True
                continue
            shutil.rmtree(clone / ".venv", ignore_errors=True)
            answered, seconds = start_app(clone, python, Path(folder) / f"run-{name}.log")
            print(f"{name}: bash scripts/run.sh -> the app answered: {answered}, in {seconds:.0f} s "
                  "(a fresh virtual environment, the requirements installed, the server started)")
            if not answered:
                print((Path(folder) / f"run-{name}.log").read_text()[-2000:])
                failed = True
        shutil.rmtree(clone / ".venv", ignore_errors=True)
        start = time.monotonic()
        tests = subprocess.run(["bash", "scripts/test.sh", *args.tests_args], cwd=clone,
                               capture_output=True, text=True)
        summary = [line for line in tests.stdout.splitlines() if " passed" in line or " failed" in line]
        print(f"bash scripts/test.sh -> exit {tests.returncode} in {time.monotonic() - start:.0f} s: "
              + " | ".join(summary))
        if tests.returncode != 0:
            print(tests.stdout[-3000:], tests.stderr[-2000:])
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
