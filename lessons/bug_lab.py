"""The backprop bugs everyone writes, each a small change to the real engine, and how a gradient check catches it.

Each broken engine is a copy of one piece of micrograd_core (or of the training loop) with a few
lines changed, and runs the same graphs as the real one: the five gradient bugs run a formula and
are caught by comparing their gradients with central differences; the two training bugs run the
lecture's training and are caught by their loss curve. `diff` shows the changed lines beside the
real ones; the code shown is the code run.
"""

from __future__ import annotations

import ast
import difflib
import math
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from micrograd_core.engine import Value, topological_order
from micrograd_core.gradcheck import relative_error

from .formulas import Expression, parse
from .mlp.settings import PRESETS, make_trainer
from .mlp.training import StepReport, Trainer
from .source import parse as parse_python
from .source import source

# a gradient passes the check when it is within these of central differences (relative, and absolute for ~0)
RELATIVE_GAP = 1e-5
ABSOLUTE_GAP = 1e-6


# --- the broken pieces, each beside the real one it changes ---


def _backward_assigning(self: Value) -> None:
    """Value._backward, assigning each child's gradient instead of adding to it."""
    for child, local in zip(self._prev, self._local_grads):
        child.grad = local * self.grad  # the bug: = instead of +=: a child used twice keeps only the last


def backward_assigning(self: Value) -> None:
    """Value.backward, with each node's chain rule done by `_backward_assigning`."""
    topo = topological_order(self)
    self.grad = 1.0
    for node in reversed(topo):
        _backward_assigning(node)


def backward_once(self: Value) -> None:
    """The right way: one backward() on a fresh graph."""
    self.backward()


def backward_without_topological_order(self) -> None:
    """Value.backward, with each node passing its gradient on as soon as it has run, in no order."""
    self.grad = 1.0

    def backprop(node):
        node._backward()
        for child in node._prev:
            backprop(child)  # the bug: a node used twice passes on its gradient before it is complete

    backprop(self)


def backward_twice(self) -> None:
    """Value.backward called a second time, without setting every grad back to 0 in between."""
    self.backward()
    self.backward()  # the bug: the first call's gradients are still there, and are added to


def tanh_with_the_inputs_derivative(self: Value) -> Value:
    """Value.tanh with its local derivative written from the input instead of the output."""
    t = math.tanh(self.data)
    # d(tanh a)/da = 1 - tanh(a)**2
    return Value(t, (self,), "tanh", "", (1.0 - self.data * self.data,))  # the bug: 1 - a**2


def mul_with_swapped_derivatives(self: Value, other: Value | float) -> Value:
    """Value.__mul__ with each input's local derivative given to the other input."""
    other = other if isinstance(other, Value) else Value(other)
    # d(a * b)/da = b, d(a * b)/db = a
    return Value(self.data * other.data, (self, other), "*", "", (self.data, other.data))  # the bug: swapped


def tanh_from_exp(self: Value) -> Value:
    """tanh built from exp, as (e**2x - 1) / (e**2x + 1): right for small x; its gradient goes wrong from
    x = 183, where the division's (e**2x + 1)**-2 falls below the smallest float, and its value is nan
    from x = 355, where e**2x overflows to inf."""
    e = (2 * self).exp()
    return (e - 1) / (e + 1)  # the bug: inf / inf is nan


class TrainerWithTheUpdateReversed(Trainer):
    """The lecture's training loop with the update's sign flipped: each step climbs the loss."""

    def update(self, lr: float) -> None:
        for p in self.model.parameters():
            p.data += lr * p.grad  # the bug: + instead of -


class TrainerZeroingAfterBackward(Trainer):
    """The lecture's training loop with zero_grad() moved after backward(): the update sees no gradient."""

    def backward(self, loss: Value) -> None:
        loss.backward()
        self.model.zero_grad()  # the bug: after backward(), not before it


Build = Callable[..., tuple[Value, dict[str, Value]]]  # (values, operations) -> (output, inputs by name)


def a_node_used_twice(values: Mapping[str, float], operations: Mapping[str, Callable] | None = None):
    """b = a + a; c = b + b: the smallest graph with a node (b) that is not an input and is used twice.

    A typed formula cannot make one: it names only its inputs, so only they can be used twice."""
    a = Value(values["a"], label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    return c, {"a": a}


@dataclass(frozen=True)
class Bug:
    """One broken engine: what it changes, the real code and the broken code, and an example that shows it."""

    key: str
    title: str
    real: Callable  # the real code it changes (shown in the diff)
    broken: Callable  # the changed copy
    formula: str  # an example where the symptom shows ("" for a training bug, or one built in code)
    values: Mapping[str, float]
    build: Build | None = None  # an example built in code, where no formula can show the bug
    backward: Callable[[Value], None] = Value.backward  # how the gradients are computed
    operations: Mapping[str, Callable] | None = None  # operations replaced in the formula's engine
    trainer: type[Trainer] | None = None  # a training bug's loop

    @property
    def training(self) -> bool:
        return self.trainer is not None


BUGS: tuple[Bug, ...] = (
    Bug("assign", "= instead of += when a node feeds two others", Value._backward, _backward_assigning,
        "a*b + a", {"a": 2.0, "b": -3.0}, backward=backward_assigning),
    Bug("order", "backward without a topological order", Value.backward, backward_without_topological_order,
        "", {"a": 1.0}, build=a_node_used_twice, backward=backward_without_topological_order),
    Bug("twice", "backward() called twice without zeroing", backward_once, backward_twice,
        "a*b + c", {"a": 2.0, "b": -3.0, "c": 10.0}, backward=backward_twice),
    Bug("tanh_grad", "tanh's local derivative from its input (1 − x², not 1 − t²)", Value.tanh,
        tanh_with_the_inputs_derivative, "tanh(w*x + b)", {"w": -3.0, "x": 2.0, "b": 6.8813735870195432},
        operations={"tanh": tanh_with_the_inputs_derivative}),
    Bug("mul_grad", "*'s local derivatives swapped", Value.__mul__, mul_with_swapped_derivatives,
        "a*b", {"a": 2.0, "b": -3.0}, operations={"*": mul_with_swapped_derivatives}),
    Bug("tanh_exp", "tanh from exp overflows to nan", Value.tanh, tanh_from_exp,
        "tanh(x*w)", {"x": 40.0, "w": 10.0}, operations={"tanh": tanh_from_exp}),
    Bug("sign", "the update with the wrong sign", Trainer.update, TrainerWithTheUpdateReversed.update, "", {},
        trainer=TrainerWithTheUpdateReversed),
    Bug("zero_grad_late", "zero_grad() after backward() instead of before it", Trainer.backward,
        TrainerZeroingAfterBackward.backward, "", {}, trainer=TrainerZeroingAfterBackward),
)
BY_KEY = {bug.key: bug for bug in BUGS}
GRADIENT_BUGS = tuple(b for b in BUGS if not b.training)


def diff(bug: Bug) -> str:
    """The real code and the broken code as one diff: - the real lines, + the broken ones."""
    lines = difflib.unified_diff(body(bug.real), body(bug.broken), lineterm="", n=100)
    return "\n".join(line for line in list(lines)[2:] if not line.startswith("@@"))


def body(function: Callable) -> list[str]:
    """A function's code without its signature and docstring: what differs is what it does."""
    code = textwrap.dedent(source(function))
    definition = parse_python(code).body[0]
    first = definition.body[0]
    documented = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant)
    start = first.end_lineno if documented else first.lineno - 1
    return textwrap.dedent("\n".join(code.splitlines()[start : definition.end_lineno])).splitlines()


@dataclass(frozen=True)
class Leaf:
    """One input's gradient three ways: the broken engine's, central differences', and the real engine's."""

    name: str
    broken: float
    numerical: float
    real: float

    @property
    def error(self) -> float:
        return relative_error(self.broken, self.numerical)

    @property
    def passes(self) -> bool:
        """The gradient check: the engine's gradient against central differences of the same engine's forward."""
        gap = abs(self.broken - self.numerical)
        return gap <= ABSOLUTE_GAP + RELATIVE_GAP * max(abs(self.broken), abs(self.numerical))  # nan fails


@dataclass(frozen=True)
class Check:
    """A formula run through a broken engine: its output, each input's gradients, and the verdict."""

    output: float
    real_output: float
    leaves: tuple[Leaf, ...]

    @property
    def passes(self) -> bool:
        return all(leaf.passes for leaf in self.leaves) and _same(self.output, self.real_output)


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b or abs(a - b) <= 1e-9 * max(1.0, abs(b))


def run(build: Build | Expression, values: Mapping[str, float], bug: Bug | None = None, h: float = 1e-6) -> Check:
    """Gradient check of a graph (a formula, or a builder) on the broken engine `bug` (None: the real engine)."""
    if isinstance(build, Expression):
        build = build.build
    operations = bug.operations if bug is not None else None
    backward = bug.backward if bug is not None else Value.backward
    root, leaves = build(values, operations)
    backward(root)
    real_root, real_leaves = build(values)
    real_root.backward()

    def forward(v: Mapping[str, float]) -> float:  # the broken engine's own forward, as a check would use
        return build(v, operations)[0].data

    rows = []
    for name in leaves:
        up = forward({**values, name: values[name] + h})
        down = forward({**values, name: values[name] - h})
        rows.append(Leaf(name, leaves[name].grad, (up - down) / (2 * h), real_leaves[name].grad))
    return Check(root.data, real_root.data, tuple(rows))


def example(bug: Bug) -> Check:
    """A gradient bug's own example, where it shows."""
    return run(bug.build or parse(bug.formula), bug.values, bug)


def exposes(expression: Expression, values: Mapping[str, float]) -> dict[str, bool]:
    """For each gradient bug, whether this formula at these values shows it (fails the check)."""
    return {bug.key: not run(expression, values, bug).passes for bug in GRADIENT_BUGS}


def training_curves(bug: Bug, steps: int = 30) -> tuple[list[StepReport], list[StepReport]]:
    """A training bug against the real loop: the lecture's training, `steps` steps of each."""
    real = make_trainer(PRESETS["Lecture"])
    broken_model = make_trainer(PRESETS["Lecture"])
    broken = bug.trainer(broken_model.model, broken_model.X, broken_model.y, broken_model.config)
    real.steps(steps)
    broken.steps(steps)
    return real.history, broken.history
