"""One student's MLP training, as the page's buttons see it: its methods are the buttons' actions.

A `TrainingRun` holds the settings, the student's place on a run (a `Viewer` on a `Trajectory`,
shared with everyone on the same settings), the pace, the earlier runs kept to compare, and a
step being taken one phase at a time. `snapshot()` reads everything the live view draws at one
moment. Its lifecycle is plain Python, tested without Streamlit: a change of model starts a new
run (and keeps the old curve), a change a running model can take on continues from the current
step, a run stops when it diverges, reaches its step limit, or its page is gone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from micrograd_core.nn import MLP
from server.scheduler import Ended, Scheduler, Viewer

from .diagram import Diagram, diagram
from .matrix import mlp_forward_numpy, numpy_accuracy, numpy_loss
from .runs import KeptRun, decision_grid, hidden_maps, keep_run, run_label, stalled, zero_contour
from .settings import TINY, RunSettings, train_config
from .training import Phase, StepReport, Stop, Trainer
from .trajectory import HandedBack, Trajectory

PLANE_RESOLUTION = 40  # cells a side of the score drawn over the plane: 1,600 rects redrawn live

# steps a second; None: as fast as the server allows
PACES: dict[str, float | None] = {"slow": 1.0, "steady": 4.0, "fast": 40.0, "max": None}


@dataclass(frozen=True)
class Snapshot:
    """Everything the live view draws, read at one moment."""

    step: int
    reports: list[StepReport]
    loss: float  # of the current weights, on every sample
    accuracy: float  # the same
    next_lr: float
    training: bool
    end: Ended | None  # why training stopped by itself
    stop: Stop | None  # what blew up, when it diverged
    failure: str | None
    stalled: bool
    slowed: bool  # the server is shared and this run goes slower than its pace
    label: str
    predictions: list[float] | None  # the lecture's four samples
    X: list[list[float]]  # the samples trained on
    y: list[float]
    test_X: list[list[float]]  # the samples held out (maybe none)
    test_y: list[float]
    test: tuple[float, float] | None  # held-out loss and accuracy of the current weights
    test_curve: list[tuple[float, float]]  # held-out loss and accuracy as each step began, beside `reports`
    model: MLP  # a model of its own at this step: the views below are computed from it when drawn

    def everything(self) -> np.ndarray:
        """Every sample, held-out ones too: the plane is drawn around them all."""
        return np.asarray(self.X + self.test_X, dtype=np.float64)

    def plane(self) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], list[tuple[float, float, float, float]]]:
        """A 2-D set: the score over the plane (xs, ys, z) and its 0 level, the decision boundary."""
        grid = decision_grid(self.model, self.everything(), PLANE_RESOLUTION)
        return grid, zero_contour(*grid)

    def maps(self) -> list[list[np.ndarray]]:
        """A 2-D set: each hidden neuron's output over the plane."""
        return hidden_maps(self.model, self.everything())

    def network(self) -> Diagram:
        return diagram(self.model)

    def scores(self) -> list[float]:
        """The model's score for every sample, held-out ones last, computed as the plane's are (as matrices: up
        to 500 points redrawn while it trains; the same numbers as the engine's to 1e-12, tests/lessons)."""
        return mlp_forward_numpy(self.model, self.everything()).tolist()


class TrainingRun:
    """One student's training: settings, a place on a run, a pace, earlier runs, and a step in phases.

    It trains while its page is there: `connected()` (from the page) says whether the browser is still
    connected, and `seen()` is called at every redraw; a run whose page has not been drawn for
    `unseen_after` seconds is taken for one left open but gone (a hidden tab). A redraw merely
    delayed by a busy server is far from that.
    """

    def __init__(
        self,
        scheduler: Scheduler,
        settings: RunSettings,
        connected: Callable[[], bool] = lambda: True,
        *,
        unseen_after: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        owner: str = "",
    ) -> None:
        self.scheduler = scheduler
        self.settings = settings
        self.connected = connected
        self.unseen_after = unseen_after
        self._clock = clock
        self.last_seen = clock()
        self.pace = "fast"
        self.kept: list[KeptRun] = []
        self.owner = owner  # who trains, as well as the server can tell: its limits count runs by it
        self.viewer = self._viewer(scheduler.shared(settings, owner))
        self._phases: Iterator[Phase] | None = None
        self.phase: Phase | None = None  # the phase just done, while a step is taken phase by phase

    def seen(self) -> None:
        """The page has just drawn this run."""
        self.last_seen = self._clock()

    def alive(self) -> bool:
        """Whether someone is still there to watch it train."""
        return self.connected() and self._clock() - self.last_seen <= self.unseen_after

    @property
    def trajectory(self) -> Trajectory:
        return self.viewer.trajectory

    @property
    def training(self) -> bool:
        return self.viewer.training

    @property
    def position(self) -> int:
        return self.viewer.position

    # --- the buttons ---

    def update(self, settings: RunSettings, pace: str) -> str | None:
        """Take on new settings and pace; "restarted" when the model had to start again (its curve is kept)."""
        pace_changed, self.pace = pace != self.pace, pace
        if settings == self.settings:
            if pace_changed and self.training:
                self.scheduler.train(self.viewer, PACES[pace])
            return None
        old, self.settings = self.settings, settings
        if settings.model_key() != old.model_key():
            had_steps, training = self.position > 0, self.training
            self._restart()
            if training and settings.own_points != old.own_points:  # a point added or removed: train on
                self.scheduler.train(self.viewer, PACES[self.pace])
            return "restarted" if had_steps else None
        # the running model takes the change from the next step on
        self._drop_phases()
        training = self.training
        self.scheduler.pause(self.viewer)
        if self.position == 0:
            trajectory = self.scheduler.shared(settings, self.owner)  # nothing done yet: the run others on it share
        else:
            trajectory = self.scheduler.adopt(self.trajectory.fork(self.position, settings), self.owner)
        self.viewer = self._viewer(trajectory, self.position)
        if training:
            self.scheduler.train(self.viewer, PACES[self.pace])
        return None

    def step(self) -> bool:
        """One whole step (finishing one taken phase by phase); False if the run cannot go on."""
        if self._phases is not None:
            while self._phases is not None:
                self.next_phase()
            self.phase = None
            return self.trajectory.end() is None
        self.phase = None
        return self.scheduler.step(self.viewer)

    def train(self) -> bool:
        if self._phases is not None:
            self.step()
        self.phase = None
        return self.scheduler.train(self.viewer, PACES[self.pace])

    def pause(self) -> None:
        self.scheduler.pause(self.viewer)

    def close(self) -> None:
        """The page lets go of this run (another scene opens): it stops, and a step half taken is undone."""
        self._drop_phases()
        self.pause()

    def reset(self) -> None:
        """Back to the initial weights; this run's curve is kept to compare."""
        self._restart()

    def clear(self) -> None:
        self.kept = []

    def next_phase(self) -> Phase | None:
        """Take the next phase of a step (forward, loss, zero_grad, backward, update); None when none could run."""
        if self._phases is None:
            self.scheduler.pause(self.viewer)
            if self.trajectory.end() is not None and self.viewer.at_frontier:
                return None
            if not self.viewer.at_frontier or self.scheduler.is_shared(self.trajectory):
                # a step taken by hand changes the model in the middle of a step: on a run of one's own
                own = self.scheduler.adopt(self.trajectory.fork(self.position, self.settings), self.owner)
                self.viewer = self._viewer(own, self.position)
            self._phases = self.trajectory.phases()
        phase = next(self._phases, None)
        if phase is None or phase.name == "update":  # the step is done (or diverged before its update)
            for _ in self._phases:  # let the run record the new state
                pass
            self._phases = None
            if phase is not None:
                self.viewer.position += 1
            else:
                self.viewer.ended = self.trajectory.end()
        self.phase = phase
        return phase

    def go_on_from(self, step: int, handed: HandedBack) -> None:
        """Take back a run trained elsewhere (the student's browser) from `step`: it goes on from where it got to."""
        self._drop_phases()
        self.scheduler.pause(self.viewer)
        trajectory = self.trajectory.resumed(step, handed)
        self.viewer = self._viewer(self.scheduler.adopt(trajectory, self.owner), len(handed.reports))

    # --- what the page draws ---

    @property
    def trainer(self) -> Trainer:
        """The trainer of this run (its model is mid-step while a step is taken phase by phase)."""
        return self.trajectory.trainer

    def model(self) -> MLP:
        """The model where this student is: mid-step during phases, else after `position` steps."""
        if self._phases is not None:
            return self.trainer.model
        return self.trajectory.model_at(self.position)

    def snapshot(self) -> Snapshot:
        trajectory, position = self.trajectory, self.position
        reports = trajectory.reports(position)
        model = self.model()
        X, y = trajectory.trainer.X, trajectory.trainer.y
        scores = mlp_forward_numpy(model, np.asarray(X))
        params = np.array([p.data for p in model.parameters()])
        config = train_config(self.settings)
        at_end = position >= trajectory.frontier
        end = self.viewer.ended or (trajectory.end() if at_end and not self.training else None)
        test_X, test_y = trajectory.test_X, trajectory.test_y
        predictions = scores.tolist() if self.settings.dataset == TINY else None
        test = None
        if len(test_y):
            test_scores = mlp_forward_numpy(model, test_X)
            test = (numpy_loss(config.loss, test_scores, test_y, params, config.alpha),
                    numpy_accuracy(test_scores, test_y))
        ys = np.asarray(y)
        return Snapshot(
            step=position, reports=reports,
            loss=numpy_loss(config.loss, scores, ys, params, config.alpha),
            accuracy=numpy_accuracy(scores, ys),
            next_lr=Trainer.scheduled_lr(config, position + 1),
            training=self.training, end=end,
            stop=trajectory.stopped if at_end else None, failure=trajectory.failure,
            stalled=stalled(reports), slowed=self.training and self.viewer.slowed,
            label=run_label(self.settings, reports), predictions=predictions,
            X=X, y=y, test_X=test_X.tolist(), test_y=test_y.tolist(), test=test,
            test_curve=trajectory.tests(position) if len(test_y) else [], model=model,
        )

    # --- inside ---

    def _restart(self) -> None:
        self._drop_phases()
        self.scheduler.pause(self.viewer)
        self.kept = keep_run(self.kept, self.trajectory.settings, self.trajectory.reports(self.position))
        self.viewer = self._viewer(self.scheduler.shared(self.settings, self.owner))

    def _viewer(self, trajectory: Trajectory, position: int = 0) -> Viewer:
        return Viewer(trajectory, position, alive=self.alive, owner=self.owner)

    def _drop_phases(self) -> None:
        if self._phases is not None:
            self._phases.close()  # an unfinished step puts the model back as it was
        self._phases, self.phase = None, None
