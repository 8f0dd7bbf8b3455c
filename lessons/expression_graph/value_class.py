"""Building the Value class one piece at a time, as the lecture does, and the graph each stage allows.

At each stage the lecture's expression L = (a·b + c)·f is built with that stage's `Value`, and
shown with what the class knows so far: nothing to draw at first (one number), then the graph
(children), its operations, its names, its gradients (all 0) and at last backward().
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from lessons import lecture
from lessons.source import source
from micrograd_core.engine import Value as EngineValue

from .value_stages import s1_data, s2_children, s3_op, s4_label, s5_grad, s6_backward, s7_numbers

LEAVES = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}


@dataclass(frozen=True)
class Stage:
    """One step in building Value: what it adds, when the lecture adds it, and the class itself."""

    title: str
    chapter: str  # the lecture's chapter that adds it (lessons/lecture.py)
    module: ModuleType

    @property
    def time(self) -> str:
        """Where that chapter starts in the video."""
        return lecture.chapter(self.chapter).start

    @property
    def source(self) -> str:
        return source(self.module.Value)

    @property
    def has(self) -> set[str]:
        """The attributes a Value of this stage has."""
        probe = self.module.Value(1.0)
        return {name for name in ("_prev", "_op", "label", "grad", "_backward") if hasattr(probe, name)}


_VALUE = "starting the core Value object of micrograd and its visualization"
STAGES: tuple[Stage, ...] = (
    Stage("data: a number that can be added and multiplied", _VALUE, s1_data),
    Stage("_prev: the Values it was made from", _VALUE, s2_children),
    Stage("_op: the operation that made it", _VALUE, s3_op),
    Stage("label: a name for the drawing", _VALUE, s4_label),
    Stage("grad: d(output)/d(this Value), 0 to begin with", "manual backpropagation example #1: simple expression",
          s5_grad),
    Stage("_backward and backward(): the chain rule, automatically",
          "implementing the backward function for each operation", s6_backward),
    Stage("numbers on either side: a + 1 and 2 * a", "breaking up a tanh, exercising with more operations",
          s7_numbers),
)

# What the lecture types to find the class's limits: a plain number beside a Value, on either side.
TRIES: dict[str, Callable] = {"a + 1": lambda a: a + 1, "a * 2": lambda a: a * 2, "2 * a": lambda a: 2 * a}


def attempt(stage: int, expression: str) -> str:
    """What Python says to `expression` (one of TRIES) with a = Value(2.0) of `stage`: its value, or its error."""
    a = STAGES[stage].module.Value(2.0)
    try:
        result = TRIES[expression](a)
    except Exception as err:  # the lecture's own moment: Python refuses, and says why
        return f"{type(err).__name__}: {err}"
    return repr(result)


def diff(stage: int) -> str:
    """The class at `stage` (0-based) as a diff against the one before: '+' marks the new lines."""
    old = STAGES[stage - 1].source.splitlines() if stage else []
    new = STAGES[stage].source.splitlines()
    lines = difflib.unified_diff(old, new, lineterm="", n=1000)
    return "\n".join(line for line in list(lines)[2:] if not line.startswith("@@"))  # no file header


def build(stage: int):
    """The lecture's L = (a·b + c)·f with the Value of `stage` (0-based); backward() at the last stage."""
    value = STAGES[stage].module.Value
    a, b, c, f = (value(x) for x in LEAVES.values())
    e = a * b
    d = e + c
    L = d * f
    if "label" in STAGES[stage].has:
        for node, name in zip((a, b, c, f, e, d, L), ("a", "b", "c", "f", "e", "d", "L")):
            node.label = name
    if hasattr(L, "backward"):
        L.backward()
    return L


def as_engine_value(root) -> EngineValue:
    """The same graph as micrograd_core Values, to draw with the app's drawing (ui/graph_drawing.py).

    What the stage's class lacks stays empty: no operation ("?"), no label, a grad of 0.
    """
    made: dict[int, EngineValue] = {}

    def copy(node) -> EngineValue:  # graphs here are a few nodes deep
        if id(node) not in made:
            children = tuple(copy(child) for child in getattr(node, "_prev", ()))
            op = getattr(node, "_op", "?") if children else ""
            mirror = EngineValue(node.data, children, op, getattr(node, "label", ""))
            mirror.grad = getattr(node, "grad", 0.0)
            made[id(node)] = mirror
        return made[id(node)]

    return copy(root)
