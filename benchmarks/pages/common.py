"""Timing helpers shared by the page benchmarks: AppTest reruns, medians in milliseconds."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def open_app(path: str) -> AppTest:
    """The page at `path`, opened through the entry file and run once (imports and first run not timed)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.switch_page(path)
    at.run()
    assert not at.exception, at.exception
    return at


def median_ms(at: AppTest, interact: Callable[[AppTest, int], None], runs: int = 20) -> float:
    """Median server time of `runs` reruns, each after `interact(at, i)` changed a widget."""
    times = []
    for i in range(runs):
        interact(at, i)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return statistics.median(times) * 1000
