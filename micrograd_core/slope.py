"""Slopes by nudging: the lecture's first look at derivatives, before any autograd.

The numerical slope (f(x + h) - f(x)) / h tends to the derivative as h shrinks, until
floating-point round-off takes over: f(x + h) - f(x) loses about 16 significant digits'
worth of precision, so the error grows like eps * |f(x)| / h for tiny h.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .expr import Expression


def forward_difference(f: Callable[[float], float], x: float, h: float) -> float:
    """(f(x + h) - f(x)) / h, the slope of the secant through x and x + h."""
    return (f(x + h) - f(x)) / h


def autograd_slope(expression: Expression, values: Mapping[str, float], name: str) -> float:
    """d expression / d name at `values`, by building the Value graph and calling backward()."""
    root, leaves = expression.build(values)
    root.backward()
    return leaves[name].grad if name in leaves else 0.0


def slope_errors(
    f: Callable[[float], float], x: float, exact: float, hs: Sequence[float]
) -> list[float]:
    """|numerical slope - exact slope| for each step h: large h shows truncation, tiny h round-off."""
    return [abs(forward_difference(f, x, float(h)) - exact) for h in hs]  # floats: inf - inf is nan, no warning


def partial_slopes(expression: Expression, values: Mapping[str, float], h: float) -> dict[str, dict[str, float]]:
    """For each variable: output before and after nudging it by h, the numerical slope, and autograd's."""
    root, leaves = expression.build(values)
    root.backward()
    base = expression.evaluate(values)
    rows = {}
    for name in expression.variables:
        nudged = expression.evaluate({**values, name: values[name] + h})
        rows[name] = {
            "before": base,
            "after": nudged,
            "numerical": (nudged - base) / h,
            "autograd": leaves[name].grad,
        }
    return rows


@dataclass(frozen=True)
class SlopeAt:
    """f and its slope at x, by nudging x by h and by backpropagation; any of them may be inf or nan."""

    x: float
    h: float
    fx: float  # f(x)
    fxh: float  # f(x + h)
    numerical: float  # (f(x + h) - f(x)) / h
    exact: float  # autograd's df/dx

    @property
    def status(self) -> str:
        """"defined"; "undefined" (f(x) is inf or nan); "no_slope" (f(x) is a number, its slope is not,
        as for x**0.5 at 0); or "nudge_undefined" (f(x + h) is inf or nan: the nudge crosses a gap in f)."""
        if not math.isfinite(self.fx):
            return "undefined"
        if not math.isfinite(self.exact):
            return "no_slope"
        if not math.isfinite(self.fxh):
            return "nudge_undefined"
        return "defined"


def slope_at(expression: Expression, x: float, h: float) -> SlopeAt:
    """The numbers the lecture looks at for one x and one h, for a formula in x."""
    f = lambda v: expression.evaluate({"x": v})  # noqa: E731
    fx, fxh = f(x), f(x + h)
    numerical = (fxh - fx) / h
    return SlopeAt(x, h, fx, fxh, numerical, autograd_slope(expression, {"x": x}, "x"))
