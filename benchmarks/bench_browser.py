"""Browser time from opening each page to its charts drawn, in headless Chromium against a local server.

    python benchmarks/bench_browser.py [--runs 5]

Each run opens the page in a new browser tab and stops the clock when every Plotly chart
and Vega-Lite chart has its drawing and every Graphviz chart its rendered SVG. The server is started once and
warmed up, so this is what a student sees on a page load, including Streamlit's own start.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM_ARGS, Server  # noqa: E402
from ui import PAGES  # noqa: E402

DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const plots = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  const vegas = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')];
  const graphs = [...document.querySelectorAll('[data-testid="stGraphVizChart"]')];
  if (plots.length + vegas.length + graphs.length === 0) return document.querySelector('h1') !== null;
  return plots.every(p => p.querySelector('svg.main-svg')) && vegas.every(v => v.querySelector('.marks'))
    && graphs.every(g => g.querySelector('svg'));
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    server = Server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            for spec in PAGES:
                url = f"{server.url}/" + ("" if spec is PAGES[0] else Path(spec.path).stem)
                times = []
                for i in range(args.runs + 1):
                    tab = browser.new_page(viewport={"width": 1400, "height": 900})
                    start = time.perf_counter()
                    tab.goto(url)
                    tab.wait_for_function(DRAWN, timeout=60_000, polling=50)
                    if i:  # the first load of each page warms the server's imports
                        times.append(time.perf_counter() - start)
                    tab.close()
                print(f"{spec.title:18s} charts drawn after: median {statistics.median(times):5.2f} s "
                      f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} loads)")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
