"""A training run as a sequence of states: computed step by step once, read at any step by anyone.

In class most students press Train on the same preset with the same seeds: the same run, step for
step. A `Trajectory` keeps every state it has passed through (the weights and gradients after each
step, and the step's report), so several students can follow one run at their own pace, each at
their own step, and one who changes a setting continues from their step on a copy (`fork`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from micrograd_core.nn import MLP

from ..optimisers import GradientDescent
from .matrix import mlp_forward_numpy, numpy_accuracy, numpy_loss
from .settings import RunSettings, held_out_data, make_model, make_trainer, train_config
from .training import Phase, StepReport, Stop, Trainer, cyclic_gc_paused

MAX_STEPS = 5000  # steps one run keeps; a curve this long has long gone flat
MAX_BYTES = 24 * 2**20  # the weights and gradients one run keeps, at most: fewer steps for a large network
CHUNK = 128  # states are kept this many to a block: blocks large enough for the allocator to hand back whole
FIRST = 4  # rows the first block has room for: a run opened but not trained stays small


def max_steps(parameters: int) -> int:
    """How many steps a run of a network with this many parameters keeps: MAX_STEPS, or what MAX_BYTES holds."""
    per_step = 2 * 8 * max(parameters, 1)  # a float64 of data and one of grad per parameter
    return max(100, min(MAX_STEPS, MAX_BYTES // per_step))


class States:
    """Rows of weights (or gradients), one per step, kept in blocks of CHUNK rows.

    A block is one allocation of CHUNK × parameters floats: when a run is dropped its memory goes back
    whole, where thousands of small arrays would leave the server's heap full of holes. The first block
    starts with room for FIRST rows and doubles as it fills, so a run nobody trains takes little memory.
    """

    def __init__(self, first: np.ndarray) -> None:
        self._width = len(first)
        self._blocks: list[np.ndarray] = [np.empty((FIRST, self._width), dtype=np.float64)]
        self._count = 0
        self.append(first)

    @property
    def full(self) -> bool:
        """Whether the next row needs more memory."""
        return self._count == (len(self._blocks) - 1) * CHUNK + len(self._blocks[-1])

    def append(self, row: np.ndarray) -> None:
        if self.full:
            last = self._blocks[-1]
            if len(last) < CHUNK:  # the first block, doubled: copied once per doubling, CHUNK rows at most
                grown = np.empty((min(2 * len(last), CHUNK), self._width), dtype=np.float64)
                grown[: len(last)] = last
                self._blocks[-1] = grown
            else:
                self._blocks.append(np.empty((CHUNK, self._width), dtype=np.float64))
        self._blocks[-1][self._count % CHUNK] = row
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, k: int) -> np.ndarray:
        k = k + self._count if k < 0 else k
        if not 0 <= k < self._count:
            raise IndexError(k)
        return self._blocks[k // CHUNK][k % CHUNK]

    @property
    def nbytes(self) -> int:
        return sum(block.nbytes for block in self._blocks)


@dataclass(frozen=True)
class State:
    """A run after `step` steps: its weights and gradients (in `parameters()` order) and its reports so far."""

    step: int
    data: np.ndarray
    grad: np.ndarray
    reports: tuple[StepReport, ...]


@dataclass(frozen=True)
class HandedBack:
    """A run as a browser handed it back (lessons/mlp/in_browser.py checks it): it goes on from `reports[-1]`
    with these weights."""

    data: list[float]
    grad: list[float]
    reports: list[StepReport]
    tests: list[tuple[float, float]]
    stop: Stop | None
    optimiser: dict  # what momentum or Adam kept after the last step (nothing for plain descent)


class Trajectory:
    """The states of one run, step by step. `advance` computes the next one (one thread at a time)."""

    def __init__(self, settings: RunSettings, trainer: Trainer | None = None) -> None:
        self.settings = settings
        self.trainer = trainer if trainer is not None else make_trainer(settings)
        data, grad = self.trainer.state()
        self._data = States(data)  # row k: after k steps
        self._grad = States(grad)
        self.max_steps = max_steps(len(data))
        self._reports: list[StepReport] = list(self.trainer.history)
        self._base = len(self._reports)  # steps it was forked at
        self.test_X, self.test_y = (np.asarray(a, dtype=np.float64) for a in held_out_data(settings))
        self._tests: list[tuple[float, float]] = [self._test()]  # held-out loss and accuracy of each state
        self._lock = threading.Lock()  # one step at a time
        self.failure: str | None = None  # an unexpected error that ended the run
        self.cpu_per_step = 0.0  # seconds, measured: what it costs to go on
        self._recorded = False
        self.owner = ""  # whose memory it counts in: the address that opened it ("" for nobody in particular)
        # momentum's and Adam's state is built from every step's gradients: kept at this run's start, and
        # rebuilt for a later step from the gradients kept (one state, the last asked for, is kept too)
        self._base_optimiser = self.trainer.optimiser.snapshot()
        self._optimiser_at: tuple[int, dict] = (self._base, self._base_optimiser)

    @property
    def frontier(self) -> int:
        """Steps computed so far (from the start of the run, forked or not)."""
        return self._base + len(self._data) - 1

    @property
    def stopped(self) -> Stop | None:
        return self.trainer.stopped

    def end(self) -> Literal["diverged", "step_limit", "failed"] | None:
        """Why this run cannot go further, or None."""
        if self.failure is not None:
            return "failed"
        if self.trainer.stopped is not None:
            return "diverged"
        if self.frontier >= min(self.max_steps, MAX_STEPS):
            return "step_limit"
        return None

    def advance(self) -> bool:
        """Compute one more state; False (and nothing new) if the run cannot go on."""
        with cyclic_gc_paused():
            for _ in self.phases():
                pass
        return self._recorded

    def phases(self) -> Iterator[Phase]:
        """Compute the next state one phase at a time; no one else can step the run until it is done.

        A step left unfinished (the generator closed before the update) puts the model back as it was.
        """
        self._recorded = False
        with self._lock:
            if self.end() is not None:
                return
            finished = False
            try:
                yield from self.trainer.step_phases()
                finished = True
            except Exception as err:  # a bug, not a lesson: end the run and let the page say so
                self.failure = f"{type(err).__name__}: {err}"
                return
            finally:
                if not finished and self.failure is None:
                    self.trainer.set_state(self._data[-1], self._grad[-1], self._reports)
                    self.trainer.optimiser.load(self.optimiser_state(self.frontier).snapshot())
            if self.trainer.stopped is not None:
                return
            data, grad = self.trainer.state()
            self._data.append(data)
            self._grad.append(grad)
            self._tests.append(self._test())
            self._reports.append(self.trainer.history[-1])
            self._recorded = True

    @property
    def needs_memory(self) -> bool:
        """Whether its next step takes more memory (a new block of states)."""
        return self._data.full

    @property
    def nbytes(self) -> int:
        """The memory its states take."""
        return self._data.nbytes + self._grad.nbytes

    def state(self, step: int) -> State:
        """The run after `step` steps (at most the frontier)."""
        k = min(max(step, self._base), self.frontier)
        row = k - self._base
        return State(k, self._data[row], self._grad[row], tuple(self._reports[:k]))

    def _test(self) -> tuple[float, float]:
        """The held-out samples' loss and accuracy on the trainer's current weights (nan without any)."""
        if not len(self.test_y):
            return math.nan, math.nan
        scores = mlp_forward_numpy(self.trainer.model, self.test_X)
        config = self.trainer.config
        data, _ = self.trainer.state()
        return (numpy_loss(config.loss, scores, self.test_y, data, config.alpha),
                numpy_accuracy(scores, self.test_y))

    def tests(self, step: int) -> list[tuple[float, float]]:
        """The held-out loss and accuracy of each step's weights, measured as the step began (as its report is)."""
        return self._tests[: min(step, self.frontier)]

    def reports(self, step: int) -> list[StepReport]:
        """The reports of the first `step` steps."""
        return self._reports[: min(step, self.frontier)]

    def model_at(self, step: int) -> MLP:
        """A model of its own with the run's weights and gradients after `step` steps."""
        state = self.state(step)
        model = make_model(self.settings)
        for p, d, g in zip(model.parameters(), state.data.tolist(), state.grad.tolist(), strict=True):
            p.data, p.grad = d, g
        return model

    def optimiser_state(self, step: int) -> GradientDescent:
        """The optimiser as it was after `step` steps (at least this run's start, at most its frontier): its state
        at the start, then each step's gradients taken in (`carry`), as the steps took them."""
        k = min(max(step, self._base), self.frontier)
        known, snapshot = self._optimiser_at
        if known > k:
            known, snapshot = self._base, self._base_optimiser
        optimiser = type(self.trainer.optimiser)(self.trainer.model.parameters(), self.trainer.config.lr)
        optimiser.load(snapshot)
        if optimiser.snapshot():  # plain descent keeps nothing: no gradients to go through
            for row in range(known - self._base + 1, k - self._base + 1):
                optimiser.carry(self._grad[row].tolist())
            self._optimiser_at = (k, optimiser.snapshot())
        return optimiser

    def fork(self, step: int, settings: RunSettings) -> Trajectory:
        """A run of its own that starts where this one was after `step` steps, with `settings` from then on.

        Only the settings a running model can take on (learning rate, decay, batch, zero_grad) may differ.
        """
        state = self.state(step)
        trainer = make_trainer(settings)
        trainer.set_state(state.data, state.grad, state.reports)
        trainer.config = train_config(settings)
        trainer.optimiser.load(self.optimiser_state(state.step).snapshot())  # momentum goes on at its speed
        fork = Trajectory(settings, trainer)
        fork._base = state.step
        fork._reports = list(state.reports)
        fork._tests = self._tests[: state.step] + fork._tests  # its own start is the state it forked at
        return fork

    def resumed(self, step: int, handed: HandedBack) -> Trajectory:
        """A run of its own that goes on from this one's `step`, where steps taken elsewhere (a student's browser)
        left it: their weights, gradients, reports and held-out numbers, why they stopped, and the optimiser's
        state (lessons/mlp/in_browser.py checks it all first)."""
        trainer = make_trainer(self.settings)
        trainer.set_state(handed.data, handed.grad, handed.reports)
        trainer.stopped = handed.stop
        trainer.optimiser.load(handed.optimiser)
        run = Trajectory(self.settings, trainer)
        run._base = len(handed.reports)
        run._reports = list(handed.reports)
        run._tests = self._tests[: min(step, self.frontier)] + list(handed.tests) + run._tests
        return run

