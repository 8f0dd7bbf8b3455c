"""A training run in a student's browser: the page's own `Trainer`, stepped by a Web Worker under Pyodide.

The server sends where the run is (lessons/mlp/in_browser.py builds it): the model's shape, its weights
and gradients, the data, the settings and the steps so far, as JSON. The worker loads this module and
micrograd_core from the server's own files, so the step a student watches is the step the server would
have taken, to the last bit. It reports each step, draws the score over the plane with the engine's
activations, and hands the run back when it pauses. Plain Python, without numpy: Pyodide loads nothing
but its standard library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict

from micrograd_core.engine import Value
from micrograd_core.nn import ACTIVATIONS, MLP

from .training import StepReport, TrainConfig, Trainer, accuracy, cyclic_gc_paused, predicted


class BrowserRun:
    """One run, from the state the server sent; `step()` takes the lecture's step and says what it measured."""

    def __init__(self, start: str) -> None:
        spec = json.loads(start)
        model = MLP(spec["nin"], spec["nouts"], spec["activation"], spec["output_activation"])
        self.trainer = Trainer(model, spec["X"], spec["y"], TrainConfig(**spec["config"]))
        reports = [StepReport(**r) for r in spec["reports"]]
        self.trainer.set_state(spec["data"], spec["grad"], reports)
        self.trainer.optimiser.load(spec["optimiser"])  # momentum's velocity or Adam's averages, where the run was
        self.test_X: list[list[float]] = spec["test_X"]
        self.test_y: list[float] = spec["test_y"]
        self.max_steps: int = spec["max_steps"]
        self.start = len(reports)
        self.tests: list[tuple[float, float]] = []  # held-out loss and accuracy as each step here began
        self._good = self._state()  # weights and gradients after the last step applied

    @property
    def step_count(self) -> int:
        return len(self.trainer.history)

    def ended(self) -> str | None:
        """Why the run cannot go further here: "diverged", "step_limit", or None."""
        if self.trainer.stopped is not None:
            return "diverged"
        return "step_limit" if self.step_count >= self.max_steps else None

    def step(self) -> str:
        """One step of gradient descent; JSON of its report (and the held-out numbers), or of why it stopped."""
        if self.ended() is not None:
            return script_json({"ended": self.ended()})
        test = self.held_out()
        with cyclic_gc_paused():  # as the server steps: the graph has no cycles, and the collector's passes cost half
            report = self.trainer.step()
        if self.trainer.stopped is not None:
            return script_json({"ended": "diverged", "what": self.trainer.stopped.what, "report": asdict(report)})
        self.tests.append(test)
        self._good = self._state()
        return script_json({**asdict(report), "test": test if self.test_y else None})

    def scores(self, points: Sequence[Sequence[float]]) -> list[float] | list[list[float]]:
        """The model's score of each point (or, with more than two classes, its score per class), from its current
        weights, without building a graph.

        A weighted sum in floats, then the neuron's own activation from the engine (one `Value` a neuron):
        fast enough to redraw the plane while training, the same function the step trains.
        """
        layers = [([([w.data for w in n.w], n.b.data) for n in layer.neurons], ACTIVATIONS[layer.neurons[0].activation])
                  for layer in self.trainer.model.layers]
        out = []
        for x in points:
            a = list(x)
            for neurons, act in layers:
                a = [act(Value(math.fsum(wi * ai for wi, ai in zip(w, a)) + b)).data for w, b in neurons]
            out.append(a[0] if len(a) == 1 else a)
        return out

    def grid(self, xs: Sequence[float], ys: Sequence[float]) -> str:
        """JSON of the score at every (x, y) of the grid, row by row along ys; with more than two classes, the
        class of the largest score there."""
        scores = self.scores([(x, y) for y in ys for x in xs])
        return json.dumps([int(predicted(s)) if isinstance(s, list) else s for s in scores])

    def held_out(self) -> tuple[float, float]:
        """The held-out samples' loss (the run's own loss, L2 term included) and accuracy; nan without any."""
        if not self.test_y:
            return math.nan, math.nan
        scores = self.scores(self.test_X)
        values = [[Value(c) for c in s] if isinstance(s, list) else Value(s) for s in scores]
        return self.trainer.loss(values, self.test_y).data, accuracy(scores, self.test_y)

    def hand_back(self) -> str:
        """JSON of the run as the server takes it back: the last good state, every step's report, why it stopped."""
        data, grad = self._good
        stop = self.trainer.stopped
        return json.dumps({
            "data": data, "grad": grad,
            "reports": [asdict(r) for r in self.trainer.history],
            "tests": self.tests,
            "optimiser": self.trainer.optimiser.snapshot(),  # a step that blew up stopped before its update
            "stop": None if stop is None else {"what": stop.what, "report": asdict(stop.report),
                                               "first_loss": stop.first_loss},
        })

    def _state(self) -> tuple[list[float], list[float]]:
        params = self.trainer.model.parameters()
        return [p.data for p in params], [p.grad for p in params]


def script_json(value: object) -> str:
    """JSON a browser's script can read: inf and nan (a diverged loss) are written as text, which JSON has no
    number for. What goes back to the server keeps them as numbers (Python's json reads its own)."""

    def plain(v: object) -> object:
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        return v

    return json.dumps(plain(value))
