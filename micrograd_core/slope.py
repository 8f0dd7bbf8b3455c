"""Slopes by nudging: the lecture's first look at derivatives, before any autograd.

The numerical slope (f(x + h) - f(x)) / h tends to the derivative as h shrinks, until
floating-point round-off takes over: f(x + h) - f(x) loses about 16 significant digits'
worth of precision, so the error grows like eps * |f(x)| / h for tiny h.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

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
    return [abs(forward_difference(f, x, h) - exact) for h in hs]


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
