"""Server time of the Derivatives page's reruns."""

from __future__ import annotations

from .common import median_ms, open_app


def bench_derivatives() -> dict[str, float]:
    at = open_app("pages/derivatives.py")
    xs = [round(-4.0 + 0.4 * i, 2) for i in range(20)]
    return {
        "x slider moved": median_ms(at, lambda at, i: at.slider(key="deriv_x").set_value(xs[i])),
        "h slider moved": median_ms(at, lambda at, i: at.slider(key="deriv_log_h").set_value(-1 - i % 10)),
        "Step clicked": median_ms(at, lambda at, i: at.button[0].click()),
    }
