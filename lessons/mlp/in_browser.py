"""Training in the student's browser: what the server sends to start a run there, and what it takes back.

A class whose students each train a run of their own does not fit on one server (a demo step costs
~0.1 s of a core, and the server has one or two), so a student can train in their own browser: a Web
Worker runs Pyodide (CPython in WebAssembly, served by this app, ui/components/browser_training) with
this project's own files, `SOURCES`, and steps with `browser_loop.BrowserRun`. The server sends the run
where it is (`start`) and, when the student pauses, takes back its state (`hand_back`), checked before
the page draws from it: a page could send anything.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, fields
from functools import cache
from pathlib import Path

from .settings import RunSettings, effective_batch, input_size, layer_sizes, output_activation, train_config
from .training import StepReport, Stop
from .trajectory import MAX_STEPS, HandedBack, Trajectory

ROOT = Path(__file__).resolve().parents[2]
# the files the browser runs, as they are on the server: the package, and the training loop of this page
SOURCES = (
    "micrograd_core/__init__.py", "micrograd_core/engine.py", "micrograd_core/nn.py", "micrograd_core/graph.py",
    "micrograd_core/gradcheck.py", "lessons/__init__.py", "lessons/optimisers.py", "lessons/mlp/__init__.py",
    "lessons/softmax.py", "lessons/mlp/training.py", "lessons/mlp/browser_loop.py",
)
MAX_HAND_BACK = 8 * 2**20  # characters of a run handed back: 5,000 steps of the demo's network take ~2 MB


@cache
def sources() -> dict[str, str]:
    """The text of each file the browser runs, by its path."""
    return {path: (ROOT / path).read_text(encoding="utf-8") for path in SOURCES}


def unsupported(settings: RunSettings) -> str | None:
    """Why this run cannot train in a browser, or None."""
    if effective_batch(settings) is not None:
        return ("its minibatches are drawn with numpy's random generator, which the browser does not load, so "
                "a run on minibatches trains on the server")
    return None


def start(trajectory: Trajectory, step: int) -> str:
    """JSON of the run after `step` steps, as `BrowserRun` starts from it."""
    settings, trainer = trajectory.settings, trajectory.trainer
    state = trajectory.state(step)
    output = output_activation(settings)
    return json.dumps({
        "nin": input_size(settings.dataset), "nouts": layer_sizes(settings),
        "activation": settings.activation, "output_activation": output,
        "X": trainer.X, "y": trainer.y, "test_X": trajectory.test_X.tolist(), "test_y": trajectory.test_y.tolist(),
        "config": asdict(train_config(settings)), "data": state.data.tolist(), "grad": state.grad.tolist(),
        "reports": [asdict(r) for r in state.reports],
        "optimiser": trajectory.optimiser_state(state.step).snapshot(),  # momentum goes on at its speed there too
        "max_steps": min(trajectory.max_steps, MAX_STEPS),
    })


def hand_back(trajectory: Trajectory, step: int, text: str) -> HandedBack:
    """Check what a browser sent back for the run it started at `step`; ValueError says what is wrong with it.

    The steps before `step` must be the server's own, the weights as many as the model's and finite,
    and no more steps than a run keeps. The steps after it are the browser's: the student's own run.
    """
    if not isinstance(text, str) or len(text) > MAX_HAND_BACK:
        raise ValueError("the run handed back is not text, or longer than any run")
    try:
        sent = json.loads(text)
        width = len(trajectory.trainer.model.parameters())
        data, grad = _floats(sent["data"], width), _floats(sent["grad"], width)
        reports = [StepReport(**_report_fields(r)) for r in sent["reports"]]
        tests = [(float(a), float(b)) for a, b in sent["tests"]]
        stop = sent["stop"]
        if stop is not None:
            stop = Stop(str(stop["what"]), StepReport(**_report_fields(stop["report"])), float(stop["first_loss"]))
        optimiser = _optimiser_state(sent["optimiser"], trajectory.trainer.optimiser.snapshot(), width, len(reports))
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"the run handed back is malformed ({type(err).__name__}: {err})") from None
    if not all(math.isfinite(d) for d in data):
        raise ValueError("the weights handed back are not all finite numbers")
    if len(reports) < step or reports[:step] != list(trajectory.state(step).reports[:step]):
        raise ValueError("the run handed back does not start where this page's run was")
    if len(reports) > min(trajectory.max_steps, MAX_STEPS) or len(tests) != len(reports) - step:
        raise ValueError("the run handed back has more steps than a run keeps, or a held-out result per step missing")
    if stop is not None and stop.what not in ("loss", "gradients", "exploded"):
        raise ValueError("the run handed back stopped for a reason a run does not have")
    return HandedBack(data, grad, reports, tests, stop, optimiser)


def _optimiser_state(sent: object, like: dict, width: int, steps: int) -> dict:
    """An optimiser's state as handed back, checked against the run's own: the same parts, a finite number per
    weight in each, and Adam's count of steps the run's."""
    if not isinstance(sent, dict) or set(sent) != set(like):
        raise ValueError("the optimiser's state has other parts than this run's optimiser keeps")
    state = {key: _floats(sent[key], width) for key in like if key != "t"}
    if not all(math.isfinite(v) for values in state.values() for v in values):
        raise ValueError("the optimiser's state is not all finite numbers")
    if "t" in like:
        if sent["t"] != steps:
            raise ValueError("the optimiser's count of steps is not the run's")
        state["t"] = steps
    return state


def _floats(values: object, width: int) -> list[float]:
    if not isinstance(values, list) or len(values) != width:
        raise ValueError(f"expected {width} numbers")
    return [float(v) for v in values]


def _report_fields(sent: object) -> dict:
    if not isinstance(sent, dict) or set(sent) != {f.name for f in fields(StepReport)}:
        raise ValueError("a step's report has other fields than a StepReport")
    return {"step": int(sent["step"]), "loss": float(sent["loss"]), "accuracy": float(sent["accuracy"]),
            "lr": float(sent["lr"]), "forget_zero_grad": bool(sent["forget_zero_grad"]),
            "batch": None if sent["batch"] is None else int(sent["batch"]), "lr_decay": bool(sent["lr_decay"])}
