"""The Derivatives lesson: slopes by nudging, before any autograd, and one weight learning by its slope.

The numerical slope (f(x + h) - f(x)) / h tends to the derivative as h shrinks, until
floating-point round-off takes over: f(x + h) - f(x) loses about 16 significant digits'
worth of precision, so the error grows like eps * |f(x)| / h for tiny h.

One weight: pred = input * weight, error = 1/2 (pred - goal)**2, so d error / d weight = (pred - goal) * input
and each step is weight -= lr * (pred - goal) * input. The distance to the best weight
goal / input is multiplied by (1 - lr * input**2) at every step: it shrinks when that factor
lies between -1 and 1, and grows (the weight diverges) when lr * input**2 > 2.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from micrograd_core.engine import Value

from .formulas import Expression


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
    corner: tuple[float, float] | None = None  # the slopes from the left and the right, where they differ

    @property
    def status(self) -> str:
        """"defined"; "undefined" (f(x) is inf or nan); "no_slope" (f(x) is a number, its slope is not,
        as for x**0.5 at 0); "nudge_undefined" (f(x + h) is inf or nan: the nudge crosses a gap in f); or
        "corner" (the slopes from the left and the right differ: f has no derivative at x, as relu at 0)."""
        if not math.isfinite(self.fx):
            return "undefined"
        if not math.isfinite(self.exact):
            return "no_slope"
        if not math.isfinite(self.fxh):
            return "nudge_undefined"
        if self.corner is not None:
            return "corner"
        return "defined"


def corner(f: Callable[[float], float], x: float) -> tuple[float, float] | None:
    """(slope from the left, slope from the right) where f has a corner at x, else None.

    At a corner the two one-sided slopes stay apart however small the step; where f is smooth their
    gap shrinks with the step (it is about the step times f''). Steps of 1e-4 and 1e-6 tell the two apart.
    """
    scale = max(1.0, abs(x))
    gaps, sides = [], None
    for step in (1e-4 * scale, 1e-6 * scale):
        left, right = (f(x) - f(x - step)) / step, (f(x + step) - f(x)) / step
        if not (math.isfinite(left) and math.isfinite(right)):
            return None
        gaps.append(abs(right - left))
        sides = (left, right)
    apart = gaps[1] > 1e-3 * max(1.0, abs(sides[0]), abs(sides[1]))
    return sides if apart and gaps[1] > 0.5 * gaps[0] else None


def slope_at(expression: Expression, x: float, h: float) -> SlopeAt:
    """The numbers the lecture looks at for one x and one h, for a formula in x."""
    f = lambda v: expression.evaluate({"x": v})  # noqa: E731
    fx, fxh = f(x), f(x + h)
    numerical = (fxh - fx) / h
    return SlopeAt(x, h, fx, fxh, numerical, autograd_slope(expression, {"x": x}, "x"), corner(f, x))


@dataclass(frozen=True)
class WeightStep:
    """One step's numbers: the weight used, its prediction, error and gradient."""

    weight: float
    pred: float
    error: float
    grad: float


def evaluate_weight(weight: float, x: float, goal: float) -> WeightStep:
    """Forward and backward for one weight, with the engine."""
    w = Value(weight, label="weight")
    pred = w * x
    error = 0.5 * (pred - goal) ** 2
    error.backward()
    return WeightStep(weight=weight, pred=pred.data, error=error.data, grad=w.grad)


def descend(weight: float, x: float, goal: float, lr: float, steps: int) -> list[WeightStep]:
    """`steps` updates weight -= lr * grad; returns steps + 1 records, the start first."""
    history = [evaluate_weight(weight, x, goal)]
    for _ in range(steps):
        last = history[-1]
        history.append(evaluate_weight(last.weight - lr * last.grad, x, goal))
    return history


def contraction(x: float, lr: float) -> float:
    """The factor (1 - lr * x**2) by which each step multiplies the distance to the best weight."""
    return 1.0 - lr * x * x
