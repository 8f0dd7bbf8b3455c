"""The loss landscape of a model with two parameters, and the paths optimisers take across it.

The model is one neuron without an activation, pred = w·x + b, fit to five points by the mean squared
error. With only w and b, the loss is a surface over the (w, b) plane that can be drawn whole: every
point of it is a forward pass of the engine's `Value`s. The data's x lie from 1 to 5, not around 0,
so w and b pull against each other: the valley is long and narrow (its two curvatures differ
seventyfold), which is what makes a learning rate crawl, zig-zag or leave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from micrograd_core.engine import Value

from .optimisers import OPTIMISERS

XS = (1.0, 2.0, 3.0, 4.0, 5.0)
YS = (1.2, 2.8, 5.1, 7.0, 8.9)
W_RANGE = (-1.0, 5.0)  # the plane drawn: w across, b up
B_RANGE = (-6.0, 5.0)
GRID = 61  # points along each axis: 61 × 61 forward passes
START = (0.0, 4.0)  # where descent starts unless a student picks a point
MAX_STEPS = 200
LEFT = 1e6  # a loss above this has left the landscape: the path stops there


def loss(w: Value, b: Value) -> Value:
    """The mean squared error of pred = w·x + b over the five points, as Values (backward() gives dw, db)."""
    errors = [(w * x + b - y) ** 2 for x, y in zip(XS, YS)]
    return sum(errors, Value(0.0)) * (1.0 / len(XS))


def loss_at(w: float, b: float) -> float:
    return loss(Value(w), Value(b)).data


def gradient_at(w: float, b: float) -> tuple[float, float, float]:
    """(loss, dloss/dw, dloss/db) at (w, b), by backward()."""
    pw, pb = Value(w), Value(b)
    out = loss(pw, pb)
    out.backward()
    return out.data, pw.grad, pb.grad


def axes(steps: int = GRID) -> tuple[list[float], list[float]]:
    """The grid's w values and b values."""
    def spread(lo: float, hi: float) -> list[float]:
        return [lo + (hi - lo) * i / (steps - 1) for i in range(steps)]
    return spread(*W_RANGE), spread(*B_RANGE)


def surface(steps: int = GRID) -> list[list[float]]:
    """The loss at every point of the grid: rows along b, columns along w (one forward pass each)."""
    ws, bs = axes(steps)
    return [[loss_at(w, b) for w in ws] for b in bs]


def lowest() -> tuple[float, float, float]:
    """The valley's floor (w, b, loss), from the normal equations: the point every good path should reach."""
    n = len(XS)
    mx, my = sum(XS) / n, sum(YS) / n
    w = sum((x - mx) * (y - my) for x, y in zip(XS, YS)) / sum((x - mx) ** 2 for x in XS)
    b = my - w * mx
    return w, b, loss_at(w, b)


@dataclass
class Step:
    """One point of a path: where the parameters are, the loss and gradient there, the optimiser's state."""

    w: float
    b: float
    loss: float
    grad_w: float
    grad_b: float
    state: list[dict[str, float]] = field(default_factory=list)  # per parameter (w, b), as the step here left it


@dataclass
class Path:
    name: str
    lr: float
    steps: list[Step]
    left: int | None = None  # the step at which the loss left the landscape (grew past LEFT or overflowed)

    @property
    def end(self) -> Step:
        return self.steps[-1]


def descend(optimiser: str, start: tuple[float, float], lr: float, steps: int) -> Path:
    """`steps` steps of `optimiser` (a name of OPTIMISERS) from `start`: the lecture's loop, zero_grad,
    forward, backward, update, with each point's loss and gradient and the optimiser's state."""
    w, b = Value(start[0]), Value(start[1])
    opt = OPTIMISERS[optimiser]([w, b], lr)
    points: list[Step] = []
    left = None
    for k in range(min(steps, MAX_STEPS) + 1):
        w.grad = b.grad = 0.0
        try:
            out = loss(w, b)
            out.backward()
        except OverflowError:
            left = k
            break
        points.append(Step(w.data, b.data, out.data, w.grad, b.grad, opt.state()))
        if not math.isfinite(out.data) or out.data > LEFT:
            left = k
            break
        if k < steps:
            opt.step()
    return Path(optimiser, lr, points, left)
