"""Server time of the Loss landscape page: the surface computed cold, and the reruns a student makes."""

from __future__ import annotations

import statistics
import time

from lessons import landscape as land

from .common import median_ms, open_app


def bench_landscape() -> dict[str, float]:
    cold = []
    for _ in range(5):
        start = time.perf_counter()
        land.surface()  # 61 × 61 forward passes of the engine: what the page's cache holds after its first open
        cold.append(time.perf_counter() - start)
    at = open_app("pages/landscape.py")
    ws, bs = land.axes()
    return {
        "the surface, cold (median of 5)": statistics.median(cold) * 1000,
        "start moved (a click), 20 steps of all three": median_ms(at, lambda at, i: (
            at.selectbox(key="land_opt").set_value("all three"), at.session_state.__setitem__("land_steps", 20),
            at.number_input(key="land_w0").set_value(ws[(3 * i) % len(ws)]))),
        "w moved by hand": median_ms(at, lambda at, i: at.slider(key="land_hand_w").set_value(-1.0 + 0.25 * i)),
        "200 steps of all three": median_ms(at, lambda at, i: (
            at.session_state.__setitem__("land_steps", 200), at.slider(key="land_lr").set_value(0.01 + 0.001 * i))),
    }
