"""First-screen screenshots of the app's pages, as a projector or a phone shows them.

    python scripts/screenshots.py [--url http://127.0.0.1:8501] [--out tests/screenshots/first-screen] [PATH ...]

Without --url a server is started on a free port. Each PATH is a page URL path with an optional query
(e.g. "derivatives?deriv_formula=1/x"); without PATH every page is taken. Each is shot at 1920x1080 and
1280x720 in presentation mode, and at 390x844 (a phone), showing only what fits on the first screen:
what is cut off there is below the fold.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, Server  # noqa: E402
from ui.registry import PAGES as REGISTRY  # noqa: E402

VIEWPORTS = {"1920": (1920, 1080, True), "1280": (1280, 720, True), "phone": (390, 844, False)}
DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelectorAll('[data-testid="stSkeleton"]').length) return false;
  const plots = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  const vegas = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  const graphs = [...document.querySelectorAll('[data-testid="stGraphVizChart"]')];
  return plots.every(p => p.querySelector('svg.main-svg')) && vegas.every(v => v.querySelector('.marks'))
    && graphs.every(g => g.querySelector('svg'));
}"""
PAGES = tuple(p.url_path for p in REGISTRY)  # every page of the app


def with_present(path: str, present: bool) -> str:
    if not present:
        return path
    return path + ("&" if "?" in path else "?") + "present=1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=list(PAGES))
    parser.add_argument("--url")
    parser.add_argument("--out", default=str(ROOT / "tests" / "screenshots" / "first-screen"))
    parser.add_argument("--sizes", default=",".join(VIEWPORTS))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    server = None if args.url else Server()
    base = args.url or server.url
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            for path in args.paths:
                for size in args.sizes.split(","):
                    width, height, present = VIEWPORTS[size]
                    tab = browser.new_page(viewport={"width": width, "height": height})
                    tab.goto(f"{base}/{with_present(path, present)}")
                    tab.wait_for_function(DRAWN, timeout=60_000, polling=100)
                    tab.wait_for_timeout(800)  # chart transitions
                    name = re.sub(r"[^A-Za-z0-9_=-]+", "_", path or "home")[:80]
                    target = out / f"{name}-{size}.png"
                    tab.screenshot(path=str(target))
                    print(target)
                    tab.close()
            browser.close()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
