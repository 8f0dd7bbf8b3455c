"""Gradient checking: compare backpropagation with finite differences.

The lecture checks derivatives by nudging an input by a small h and watching the
output move; `numerical_gradient` does that for every input, with the more
accurate central difference (f(x + h) - f(x - h)) / 2h. `gradient_check` puts it
next to what `Value.backward` computes, input by input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .engine import Value


def numerical_gradient(
    f: Callable[[Mapping[str, float]], float], values: Mapping[str, float], h: float = 1e-6
) -> dict[str, float]:
    """d f / d name for every name in `values`, by central differences."""
    grads = {}
    for name, x in values.items():
        up = f({**values, name: x + h})
        down = f({**values, name: x - h})
        grads[name] = (up - down) / (2 * h)
    return grads


@dataclass
class GradCheckRow:
    """One input's gradient from backpropagation and from finite differences."""

    name: str
    autograd: float
    numerical: float
    rel_error: float  # |autograd - numerical| / max(|autograd|, |numerical|, 1e-12)


def relative_error(a: float, b: float) -> float:
    """|a - b| relative to the larger of the two; 0 when both are 0."""
    return abs(a - b) / max(abs(a), abs(b), 1e-12)


def gradient_check(
    build: Callable[[Mapping[str, float]], tuple[Value, Mapping[str, Value]]],
    values: Mapping[str, float],
    h: float = 1e-6,
) -> list[GradCheckRow]:
    """Backpropagation's gradient against the numerical one, for every input in `values`.

    `build(values)` must make a fresh graph and return its output and its input leaves by name.
    """
    root, leaves = build(values)
    missing = [name for name in values if name not in leaves]
    if missing:
        raise ValueError(f"build() returned no leaf for {', '.join(missing)}")
    root.backward()
    numerical = numerical_gradient(lambda v: build(v)[0].data, values, h)
    return [
        GradCheckRow(name, leaves[name].grad, numerical[name], relative_error(leaves[name].grad, numerical[name]))
        for name in values
    ]
