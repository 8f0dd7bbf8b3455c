"""Server time of the Neuron page's reruns."""

from __future__ import annotations

from .common import median_ms, open_app


def bench_neuron() -> dict[str, float]:
    at = open_app("pages/neuron.py")
    return {
        "w1 slider moved": median_ms(at, lambda at, i: at.slider(key="neuron_w1").set_value(-3.0 + 0.1 * (i + 1))),
        "b slider moved (tanh from exp)": median_ms(
            at, lambda at, i: (at.toggle(key="neuron_exp").set_value(True), at.slider(key="neuron_b").set_value(i / 4))
        ),
    }
