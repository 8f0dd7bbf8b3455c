"""Following a training run: when it stops, kept runs to compare, and what to draw.

`decision_grid` evaluates the current weights on a grid with the numpy forward pass, not
with Value objects, so it is cheap to redraw while training.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from micrograd_core.nn import MLP

from .matrix import layer_outputs_numpy, mlp_forward_numpy
from .settings import (
    TINY,
    RunSettings,
    effective_batch,
    input_size,
    layer_sizes,
    make_trainer,
    sample_count,
    weight_count,
)
from .training import StepReport, accuracy

MAX_KEPT_RUNS = 6


def stalled(reports: Sequence[StepReport], window: int = 20) -> bool:
    """Whether the loss has sat still for `window` steps while still far from 0 (e.g. saturated tanh units)."""
    if len(reports) < window:
        return False
    recent = [r.loss for r in reports[-window:]]
    return recent[-1] > 1e-2 and max(recent) - min(recent) <= 1e-6 * max(1.0, recent[-1])


def _number(x: float) -> str:
    return f"{x:g}"


def run_label(settings: RunSettings, reports: Sequence[StepReport]) -> str:
    """A short name for a run from what its steps ran with, e.g. "lr 0.05 · tanh 4-4 · no zero_grad".

    The learning rate, zero_grad and batch come from the steps themselves, so a run whose settings
    were changed while it trained is named by what it did, not by the settings at the end.
    """
    lrs = [r.base_lr for r in reports] or [settings.lr]
    lr = f"lr {_number(lrs[0])}" if lrs[0] == lrs[-1] else f"lr {_number(lrs[0])}→{_number(lrs[-1])}"
    if any(r.lr_decay for r in reports) or (not reports and settings.lr_decay):
        lr += " decaying"
    parts = [lr, f"{settings.activation} {'-'.join(str(n) for n in settings.hidden)}"]
    if settings.dataset != TINY:
        parts.append(settings.dataset)
    if settings.loss == "hinge":
        parts.append("hinge")
    if settings.optimizer != "gradient descent":
        parts.append(settings.optimizer)
    batches = {r.batch for r in reports} or {None}
    if batches != {None}:
        parts.append(f"batch {batches.pop()}" if len(batches) == 1 else "batch changed")
    without = sum(r.forget_zero_grad for r in reports)
    if without:
        some = f"in {without} of {len(reports)} steps"
        parts.append("no zero_grad" if without == len(reports) else f"no zero_grad {some}")
    if settings.model_seed != 0:
        parts.append(f"seed {settings.model_seed}")
    return " · ".join(parts)


@dataclass(frozen=True)
class KeptRun:
    """An earlier run's loss curve, kept to compare with the current one."""

    label: str
    steps: tuple[int, ...]
    losses: tuple[float, ...]


def keep_run(runs: Sequence[KeptRun], settings: RunSettings, reports: Sequence[StepReport]) -> list[KeptRun]:
    """`runs` plus this run's curve (nothing if it took no step), the newest MAX_KEPT_RUNS."""
    if not reports:
        return list(runs)
    run = KeptRun(run_label(settings, reports), tuple(r.step for r in reports), tuple(r.loss for r in reports))
    return [*runs, run][-MAX_KEPT_RUNS:]


def history_csv(history: Sequence[StepReport]) -> str:
    """The loss history as CSV: step, loss, accuracy and learning rate of each step."""
    lines = ["step,loss,accuracy,lr"]
    lines += [f"{r.step},{r.loss!r},{r.accuracy!r},{r.lr!r}" for r in history]
    return "\n".join(lines) + "\n"


def thin(n: int, max_points: int) -> list[int]:
    """At most `max_points` indices into a series of length n, evenly spread, always keeping the last."""
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}")
    if n <= max_points:
        return list(range(n))
    stride = math.ceil((n - 1) / (max_points - 1))
    picked = list(range(0, n - 1, stride))
    return picked + [n - 1]


def data_accuracy(model: MLP, X: Sequence[Sequence[float]], y: Sequence[float]) -> float:
    """Fraction of all samples the current model puts on the right side of 0."""
    return accuracy(mlp_forward_numpy(model, np.asarray(X, dtype=np.float64)).tolist(), y)


def plane_axes(X: Sequence[Sequence[float]], resolution: int = 60, pad: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    """The grid's xs and ys: `resolution` points along each axis, spanning 2-D points X and `pad` around them."""
    a = np.asarray(X, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 2:
        raise ValueError(f"decision_grid needs 2-D points, shape (m, 2); got {a.shape}")
    lo, hi = a.min(axis=0) - pad, a.max(axis=0) + pad
    return np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)


def decision_grid(
    model: MLP, X: Sequence[Sequence[float]], resolution: int = 60, pad: float = 0.3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's score on a resolution x resolution grid around 2-D points X: xs, ys and z[row=y, col=x]
    (z[row, col, class] with a score per class)."""
    xs, ys = plane_axes(X, resolution, pad)
    gx, gy = np.meshgrid(xs, ys)
    z = mlp_forward_numpy(model, np.column_stack([gx.ravel(), gy.ravel()]))
    return xs, ys, z.reshape(resolution, resolution, *z.shape[1:])  # a third axis for a score per class


def zero_contour(xs: np.ndarray, ys: np.ndarray, z: np.ndarray) -> list[tuple[float, float, float, float]]:
    """Line segments (x0, y0, x1, y1) where the score z[row=y, col=x] crosses 0: the decision boundary.

    Marching squares: in each grid cell whose corners do not all share a sign, the boundary
    crosses the edges between corners of opposite sign, at the point found by linear
    interpolation. Cells with a non-finite corner are skipped. With a score per class there is no one score
    to cross 0: the plane's tint by class shows where the classes meet, and this gives no segment.
    """
    z = np.asarray(z, dtype=np.float64)
    if z.ndim == 3:
        return []
    positive = z > 0
    corners = (positive[:-1, :-1], positive[:-1, 1:], positive[1:, 1:], positive[1:, :-1])
    mixed = (corners[0] != corners[1]) | (corners[0] != corners[2]) | (corners[0] != corners[3])
    segments = []
    for i, j in zip(*np.nonzero(mixed)):
        # the cell's corners in order around it: (x, y, score)
        ring = [(xs[j], ys[i], z[i, j]), (xs[j + 1], ys[i], z[i, j + 1]),
                (xs[j + 1], ys[i + 1], z[i + 1, j + 1]), (xs[j], ys[i + 1], z[i + 1, j])]
        if not all(math.isfinite(s) for _, _, s in ring):
            continue
        crossings = []
        for (xa, ya, za), (xb, yb, zb) in zip(ring, ring[1:] + ring[:1]):
            if (za > 0) != (zb > 0):
                t = za / (za - zb)
                crossings.append((float(xa + t * (xb - xa)), float(ya + t * (yb - ya))))
        # two crossings: one segment; four (a saddle): two, pairing neighbouring edges
        segments += [(*crossings[k], *crossings[k + 1]) for k in range(0, len(crossings) - 1, 2)]
    return segments


def hidden_maps(model: MLP, X: Sequence[Sequence[float]], resolution: int = 24) -> list[list[np.ndarray]]:
    """What each hidden neuron computes over the plane around 2-D points X: per hidden layer, per neuron,
    its output on a resolution x resolution grid (rows along x2, columns along x1), as decision_grid spans it."""
    xs, ys, _ = decision_grid(model, X, resolution)
    gx, gy = np.meshgrid(xs, ys)
    outputs = layer_outputs_numpy(model, np.column_stack([gx.ravel(), gy.ravel()]))[:-1]
    return [[a[:, j].reshape(resolution, resolution) for j in range(a.shape[1])] for a in outputs]


REFERENCE_WORK = 5_000  # weights × samples of a step below which the correct run is drawn beside a buggy one
REFERENCE_STEPS = 100


def reference_curve(settings: RunSettings, steps: int = REFERENCE_STEPS) -> KeptRun | None:
    """The same run with zero_grad (the fix), `steps` steps of it, to draw beside a run without; None when a
    step is too costly to take so many of while a page is drawn, or the run diverges at once."""
    samples = effective_batch(settings) or sample_count(settings)
    if weight_count(input_size(settings.dataset), layer_sizes(settings)) * samples > REFERENCE_WORK:
        return None
    fixed = replace(settings, forget_zero_grad=False)
    trainer = make_trainer(fixed)
    reports = [trainer.step() for _ in range(steps) if trainer.stopped is None]
    if not reports:
        return None
    return KeptRun("the same with zero_grad", tuple(r.step for r in reports), tuple(r.loss for r in reports))
