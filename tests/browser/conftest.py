"""Browser harness: the app served by `streamlit run` on 127.0.0.1, driven by Debian's Chromium through Playwright.

Without Chromium the browser tests skip with a message, except under CI (CI=true), where they must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# The value shown by the metric with this label (for example the MLP page's step counter), read in the page.
METRIC_JS = """label => {
  const l = [...document.querySelectorAll('[data-testid="stMetricLabel"]')].find(e => e.innerText.trim() === label);
  return l ? l.closest('[data-testid="stMetric"]').querySelector('[data-testid="stMetricValue"]').innerText : null;
}"""
STEP_JS = f"() => Number(({METRIC_JS})('step'))"


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is not installed, and under CI the browser tests must run (apt-get install chromium)")
        pytest.skip("Chromium is not installed: apt-get install chromium to run the browser tests")
    return path


class Server:
    """A `streamlit run` of the app on a free port of 127.0.0.1."""

    def __init__(self, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        """`env`: the server's environment (default: this one's); `log`: a file for its log (default: temporary)."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env, self.log_path = env, log
        self._start()

    def restart(self) -> None:
        """Stop the server and start it again on the same port, as a host restarts an app."""
        self.stop()
        self._start()

    def _start(self) -> None:
        # the log goes to a file: a pipe nobody reads would stop the server once it filled up
        log = self.log_path
        self.log = open(log, "ab") if log is not None else tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        env = self.env
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(self.port), "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("streamlit did not answer /_stcore/health within 30 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    chromium_path()
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def fresh_server() -> Iterator[Server]:
    """A server nobody has opened yet: its first request decides how Streamlit routes pages."""
    chromium_path()
    s = Server()
    yield s
    s.stop()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until the script has finished its run."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def screenshot(page, name: str) -> Path:
    """Save the whole page: the viewport grows to the content (Streamlit scrolls inside its own container)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    width = page.viewport_size["width"]
    height = 0
    for _ in range(5):  # charts below the fold lay out once they are in view: grow until the height settles
        measured = page.evaluate('document.querySelector(\'[data-testid="stMain"]\').scrollHeight')
        if measured <= height:
            break
        height = measured
        page.set_viewport_size({"width": width, "height": min(max(height, 900), 8000)})
        page.wait_for_timeout(300)
    wait_idle(page)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0", timeout=15_000)
    page.wait_for_timeout(500)  # let charts finish their transition
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 900})
    return path
