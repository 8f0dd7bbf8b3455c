"""Losses and the gradient-descent loop, as in the lecture and micrograd's demo.

`Trainer.step_phases` is the lecture's training loop body (forward pass, loss, zero_grad,
backward, update), pausing after each phase so a page can show them one at a time; `step`
runs it straight through. The hinge loss with L2 regularisation, minibatches and learning-rate
decay follow micrograd's demo.ipynb (github.com/karpathy/micrograd).

Plain Python over `Value`s, as the lecture writes it: a student's browser runs this same module
(see lessons/mlp/in_browser.py), so numpy is imported only where a step of the server needs it
(the minibatches, and the states a run keeps); `matrix.py` draws with numpy.
"""

from __future__ import annotations

import copy
import gc
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from micrograd_core.engine import Value
from micrograd_core.nn import MLP

from ..optimisers import OPTIMISERS
from ..softmax import mean_cross_entropy

if TYPE_CHECKING:
    import numpy as np


def squared_error_loss(scores: Sequence[Value], ys: Sequence[float]) -> Value:
    """The lecture's loss: sum of (prediction - target)**2."""
    if len(scores) == 0:
        raise ValueError("need at least one score")
    return sum((yout - float(ygt)) ** 2 for ygt, yout in zip(ys, scores, strict=True))


def hinge_loss(scores: Sequence[Value], ys: Sequence[float]) -> Value:
    """The demo's max-margin loss: mean of relu(1 - y * score)."""
    if len(scores) == 0:
        raise ValueError("need at least one score")
    losses = [(1 + -float(yi) * scorei).relu() for yi, scorei in zip(ys, scores, strict=True)]
    return sum(losses) * (1.0 / len(losses))


def l2_penalty(params: Sequence[Value], alpha: float) -> Value:
    """L2 regularisation: alpha * sum of p**2 over the parameters."""
    if len(params) == 0:
        return Value(0.0)
    return float(alpha) * sum(p * p for p in params)


Score = float | Value


def predicted(score: Score | Sequence[Score]) -> float:
    """The class a sample's score predicts: +1 above 0, else -1; with a score per class, the largest one's class."""
    if isinstance(score, (list, tuple)):
        data = [s.data if isinstance(s, Value) else float(s) for s in score]
        return float(max(range(len(data)), key=data.__getitem__))
    return 1.0 if (score.data if isinstance(score, Value) else float(score)) > 0 else -1.0


def accuracy(scores: Sequence[Score] | Sequence[Sequence[Score]], ys: Sequence[float]) -> float:
    """Fraction of samples whose predicted class is their own."""
    if len(scores) == 0:
        raise ValueError("need at least one score")
    return sum(predicted(s) == float(yi) for s, yi in zip(scores, ys, strict=True)) / len(scores)


def decay_factor(step: int) -> float:
    """micrograd demo's schedule: step k (1-based) uses lr * (1 - 0.9 (k - 1) / 100), never below lr * 0.1."""
    return max(1.0 - 0.9 * (step - 1) / 100, 0.1)


DATA_LOSSES = {"squared_error": squared_error_loss, "hinge": hinge_loss, "cross_entropy": mean_cross_entropy}
LOSSES = tuple(DATA_LOSSES)
PHASES = ("forward", "loss", "zero_grad", "backward", "update")


@dataclass
class TrainConfig:
    """Settings of a training run."""

    lr: float  # no default here: a run's settings (RunSettings) hold the one default
    loss: str = "squared_error"  # or "hinge", which adds alpha * sum(p**2); "cross_entropy" for a score per class
    alpha: float = 1e-4  # L2 strength, used with the hinge loss
    batch_size: int | None = None  # None: every sample, every step
    lr_decay: bool = False  # the demo's schedule: lr * (1 - 0.9 * k / 100), never below lr * 0.1
    forget_zero_grad: bool = False  # the lecture's bug: no zero_grad(), so gradients pile up across steps
    seed: int = 0  # picks the minibatches
    explode_factor: float = 1e4  # a loss above this * max(first loss, 1) counts as diverged
    optimizer: str = "gradient descent"  # or another name of lessons.optimisers.OPTIMISERS: momentum, Adam


@dataclass(frozen=True)
class StepReport:
    """What one training step measured (before its update), and the settings it ran with."""

    step: int  # 1-based count of steps taken
    loss: float
    accuracy: float
    lr: float
    forget_zero_grad: bool = False  # whether this step left out zero_grad() before backward()
    batch: int | None = None  # samples in its minibatch; None: all of them
    lr_decay: bool = False  # whether its learning rate came from the decay schedule

    @property
    def base_lr(self) -> float:
        """The learning rate it was set to (before the decay schedule of its step)."""
        return self.lr / decay_factor(self.step) if self.lr_decay else self.lr


@dataclass(frozen=True)
class Stop:
    """Why a run stopped: which number blew up, at which step, and the settings of that step.

    `what` is "loss" (inf or nan), "gradients" (inf or nan) or "exploded" (the loss grew more
    than the config's explode_factor times its start). `cause` names the setting behind it:
    "zero_grad" when the step ran without zeroing the gradients (they pile up and the steps
    grow), else "learning_rate".
    """

    what: str
    report: StepReport
    first_loss: float

    @property
    def cause(self) -> str:
        return "zero_grad" if self.report.forget_zero_grad else "learning_rate"


@dataclass
class Phase:
    """How far a step has gone: the phase just done, and what it made so far."""

    name: str  # one of PHASES
    scores: list[Value] | list[list[Value]]  # a score per sample, or (more than two classes) a score per class
    loss: Value | None = None


class Trainer:
    """Training an MLP by gradient descent (or momentum, or Adam), one step (or one phase of a step) at a time."""

    def __init__(
        self,
        model: MLP,
        X: Sequence[Sequence[float]],
        y: Sequence[float],
        config: TrainConfig,
    ) -> None:
        # plain floats: numpy scalars on the left of `*` would bypass Value's operators
        self.X: list[list[float]] = [[float(v) for v in x] for x in X]
        self.y: list[float] = [float(v) for v in y]
        if config.loss not in LOSSES:
            raise ValueError(f"unknown loss {config.loss!r}; choose one of {', '.join(LOSSES)}")
        if len(self.X) == 0 or len(self.X) != len(self.y):
            raise ValueError(f"need as many targets as inputs (at least one), got {len(self.X)} and {len(self.y)}")
        if any(len(x) != model.nin for x in self.X):
            raise ValueError(f"every input must have {model.nin} numbers, one per input of the model")
        outputs = len(model.layers[-1].neurons)
        if config.loss == "cross_entropy":
            if outputs < 2 or any(v not in range(outputs) for v in self.y):
                raise ValueError(f"cross-entropy needs a score per class and labels 0 to {outputs - 1}")
        elif outputs != 1:
            raise ValueError("the model must have one output (a score per sample)")
        if config.optimizer not in OPTIMISERS:
            raise ValueError(f"unknown optimizer {config.optimizer!r}; choose one of {', '.join(OPTIMISERS)}")
        if config.batch_size is not None and config.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1 or None, got {config.batch_size}")
        self.model = model
        self.config = config
        self.optimiser = OPTIMISERS[config.optimizer](model.parameters(), config.lr)
        self.history: list[StepReport] = []
        self.stopped: Stop | None = None
        self._good_weights: list[float] | None = None  # the weights history[-1] was measured on

    def step_phases(self) -> Iterator[Phase]:
        """One step of gradient descent, pausing after each phase; a diverged step stops before its update."""
        if self.stopped is not None:
            raise RuntimeError(f"the run stopped at step {self.stopped.report.step}")
        k = len(self.history) + 1
        xs, ys = self._batch(k)
        lr = self.learning_rate(k)

        # forward pass
        scores = [self.model(x) for x in xs]
        yield Phase("forward", scores)
        loss = self.loss(scores, ys)
        yield Phase("loss", scores, loss)

        # backward pass
        if not self.config.forget_zero_grad:
            self.model.zero_grad()
        yield Phase("zero_grad", scores, loss)
        self.backward(loss)
        yield Phase("backward", scores, loss)

        c = self.config
        report = StepReport(k, loss.data, accuracy(scores, ys), lr, c.forget_zero_grad, c.batch_size, c.lr_decay)
        if self._diverged(report):
            return

        # update
        self.update(lr)
        self.history.append(report)
        yield Phase("update", scores, loss)

    def backward(self, loss: Value) -> None:
        """Every parameter's grad gets the loss's gradient (added to what is there)."""
        loss.backward()

    def update(self, lr: float) -> None:
        """Every parameter takes a small step against its gradient: the lecture's `p.data += -lr * p.grad`, or
        the step of momentum or Adam (lessons/optimisers.py), which keep a state per parameter."""
        self.optimiser.lr = lr
        self.optimiser.step()

    def step(self) -> StepReport:
        """Take one whole step and report its loss and accuracy (a diverged step's report is `stopped.report`)."""
        for _ in self.step_phases():
            pass
        return self.stopped.report if self.stopped is not None else self.history[-1]

    def steps(self, k: int) -> list[StepReport]:
        """Take up to k steps; the reports of those applied (a diverged one is left out)."""
        reports = []
        for _ in range(k):
            report = self.step()
            if self.stopped is not None:
                break
            reports.append(report)
        return reports

    def loss(self, scores: Sequence[Value], ys: Sequence[float]) -> Value:
        """The configured loss of these scores (with the L2 term for the hinge loss)."""
        loss = DATA_LOSSES[self.config.loss](scores, ys)
        if self.config.loss == "hinge":
            loss = loss + l2_penalty(self.model.parameters(), self.config.alpha)
        return loss

    def learning_rate(self, step: int) -> float:
        """The learning rate of the given (1-based) step."""
        return self.scheduled_lr(self.config, step)

    @staticmethod
    def scheduled_lr(config: TrainConfig, step: int) -> float:
        """The learning rate of a (1-based) step under `config`: constant, or the demo's decay."""
        return config.lr * decay_factor(step) if config.lr_decay else config.lr

    def _batch(self, step: int) -> tuple[list[list[float]], list[float]]:
        ri = batch_indices(len(self.X), self.config.batch_size, self.config.seed, step)
        if ri is None:
            return self.X, self.y
        return [self.X[i] for i in ri], [self.y[i] for i in ri]

    def _diverged(self, report: StepReport) -> bool:
        """Whether this step's loss or gradients blew up; if so, stop and restore the last good weights."""
        params = self.model.parameters()
        first = self.history[0].loss if self.history else report.loss
        if not math.isfinite(report.loss):
            what = "loss"
        elif not all(math.isfinite(p.grad) for p in params):
            what = "gradients"
        elif report.loss > self.config.explode_factor * max(first, 1.0):
            what = "exploded"
        else:
            self._good_weights = [p.data for p in params]
            return False
        if self._good_weights is not None:
            for p, w in zip(params, self._good_weights, strict=True):
                p.data = w
        self.stopped = Stop(what, report, first)
        return True

    def state(self) -> tuple[np.ndarray, np.ndarray]:
        """Every parameter's data and grad, in `parameters()` order."""
        import numpy as np

        params = self.model.parameters()
        return np.array([p.data for p in params]), np.array([p.grad for p in params])

    def set_state(self, data: Sequence[float], grad: Sequence[float], history: Sequence[StepReport]) -> None:
        """Put the model where another run was: its weights, its gradients and its steps so far."""
        data, grad = [float(d) for d in data], [float(g) for g in grad]
        for p, d, g in zip(self.model.parameters(), data, grad, strict=True):
            p.data, p.grad = d, g
        self.history = list(history)
        self._good_weights = data
        self.stopped = None


def batch_indices(n: int, batch_size: int | None, seed: int, step: int) -> list[int] | None:
    """The samples of a step's minibatch, or None for all of them.

    Drawn from (seed, step), not from a running generator: a run copied at any step goes on the same way.
    """
    if batch_size is None or batch_size >= n:
        return None
    import numpy as np

    return np.random.default_rng([seed, step]).permutation(n)[:batch_size].tolist()


def sample_loss_graph(model: MLP, x: Sequence[float], y: float, loss: str) -> Value:
    """A fresh graph of one sample's forward pass and data loss, with its gradients filled in.

    It runs on a copy of the model, so the model's data and gradients are untouched.
    The L2 term is left out to keep the drawing readable.
    """
    model = copy.deepcopy(model)
    model.zero_grad()
    inputs = [Value(xi, label=f"x{i}") for i, xi in enumerate(x, 1)]
    score = model(inputs)
    for c, s in enumerate(score) if isinstance(score, list) else [(None, score)]:
        s.label = "score" if c is None else f"score{c}"
    out = DATA_LOSSES[loss]([score], [y])
    out.label = "loss"
    out.backward()
    return out


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector for the length of a training step.

    A step's graph has no reference cycles (see micrograd_core/engine.py), so every Value is freed
    by reference counting the moment the step drops it, and the cyclic collector has nothing to
    find. Yet its full passes, triggered by the step's 200,000 new Values, rescan the whole process
    (the graph, and every module of a server) and took about half of a micrograd-demo step. The
    collector is turned back on unless it was off already.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
