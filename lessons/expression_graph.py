"""Backpropagation one node at a time, for the Expression graph page.

Starting expressions (the lecture's, micrograd's README example, the neuron), a replay of
`backward()` that stops after k nodes, the chain rule at each node in numbers, the engine's
own source for an operation, the node-reuse bug, and one step of optimisation.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from micrograd_core.engine import Value, topological_order

from .expressions import LECTURE_VALUES as NEURON_VALUES
from .expressions import build_neuron, lecture_expression, readme_expression

Builder = Callable[[Mapping[str, float]], tuple[Value, dict[str, Value]]]


def neuron_expression(v: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """o = tanh(x1*w1 + x2*w2 + b), the lecture's neuron."""
    o, nodes = build_neuron(v)
    return o, {k: nodes[k] for k in ("x1", "x2", "w1", "w2", "b")}


@dataclass(frozen=True)
class Preset:
    """A named starting expression and its leaf values."""

    build: Builder
    values: dict[str, float]


PRESETS: dict[str, Preset] = {
    "Lecture: L = (a·b + c)·f": Preset(lecture_expression, {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}),
    "micrograd README example": Preset(readme_expression, {"a": -4.0, "b": 2.0}),
    "Neuron: tanh(x1·w1 + x2·w2 + b)": Preset(neuron_expression, dict(NEURON_VALUES)),
}


@dataclass(frozen=True)
class Contribution:
    """What one child receives at a step: local derivative × upstream gradient."""

    child: Value
    local: float
    upstream: float

    @property
    def amount(self) -> float:
        return self.local * self.upstream


def backward_order(root: Value) -> list[Value]:
    """The nodes whose `_backward` runs, in the order backward() runs them: reverse topological, leaves skipped."""
    return [node for node in reversed(topological_order(root)) if node._prev]


def replay(root: Value, steps: int) -> tuple[set[int], list[Contribution]]:
    """Run backward() on a fresh graph only as far as `steps` nodes.

    Step 0 seeds root.grad = 1. Returns the ids of the nodes whose gradient has been
    filled in so far (partial sums where a node is used more than once and not all its
    uses are done yet), and the contributions of the last node processed.
    """
    for node in topological_order(root):
        node.grad = 0.0
    root.grad = 1.0
    filled = {id(root)}
    last: list[Contribution] = []
    for node in backward_order(root)[:steps]:
        last = [Contribution(c, local, node.grad) for c, local in zip(node._prev, node._local_grads)]
        node._backward()
        filled.update(id(c) for c in node._prev)
    return filled, last


LOCAL_RULES = {
    "+": "d(a + b)/da = 1",
    "*": "d(a · b)/da = b, the other input",
    "exp": "d(eᵃ)/da = eᵃ, the output itself",
    "log": "d(ln a)/da = 1 / a",
    "tanh": "d(tanh a)/da = 1 − tanh²(a)",
    "sigmoid": "d(σ(a))/da = σ(a)(1 − σ(a))",
    "relu": "d(relu a)/da = 1 if a > 0 else 0",
    "**": "d(aᵏ)/da = k · aᵏ⁻¹",
}


def local_rule(op: str) -> str:
    """The local derivative of an operation, in words."""
    return LOCAL_RULES["**" if op.startswith("**") else op]


_METHODS = {"+": "__add__", "*": "__mul__", "exp": "exp", "log": "log", "tanh": "tanh", "sigmoid": "sigmoid",
            "relu": "relu"}


def engine_source(op: str) -> str:
    """The engine's real code for an operation's forward and local derivative, then the chain-rule step."""
    method = getattr(Value, "__pow__" if op.startswith("**") else _METHODS[op])
    return inspect.getsource(method) + "\n" + inspect.getsource(Value._backward)


def reuse_demo(build: Callable[[], tuple[Value, dict[str, Value]]]) -> tuple[Value, Value]:
    """Two copies of an expression: backpropagated with the lecture's bug (=) and correctly (+=)."""
    buggy, _ = build()
    backward_with_reuse_bug(buggy)
    fixed, _ = build()
    fixed.backward()
    return buggy, fixed


def doubled() -> tuple[Value, dict[str, Value]]:
    """b = a + a: one node used twice."""
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    return b, {"a": a}


def two_branches() -> tuple[Value, dict[str, Value]]:
    """f = (a·b)·(a + b): a and b each feed two branches."""
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    d = a * b
    d.label = "d"
    e = a + b
    e.label = "e"
    f = d * e
    f.label = "f"
    return f, {"a": a, "b": b}


@dataclass(frozen=True)
class Nudge:
    """The output before and after moving every leaf by ± step × its gradient."""

    before: float
    up: float
    down: float
    predicted_change: float  # step × Σ grad², the first-order estimate


def optimisation_step(build: Builder, values: Mapping[str, float], step: float) -> Nudge:
    """Nudge every leaf along its gradient (output rises) and against it (output falls)."""
    root, leaves = build(values)
    root.backward()
    grads = {k: leaves[k].grad for k in values}
    up = build({k: values[k] + step * grads[k] for k in values})[0].data
    down = build({k: values[k] - step * grads[k] for k in values})[0].data
    return Nudge(root.data, up, down, step * sum(g * g for g in grads.values()))


def backward_with_reuse_bug(root: Value) -> None:
    """Backpropagation with the lecture's bug: gradients *assigned* instead of accumulated.

    For teaching only. When a node is used more than once (b = a + a), only the last
    contribution survives and its gradient is wrong. `Value.backward` never does this.
    """
    topo = topological_order(root)
    for node in topo:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(topo):
        for child, local in zip(node._prev, node._local_grads):
            child.grad = local * node.grad  # the bug: = instead of +=
