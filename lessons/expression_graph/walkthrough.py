"""Backpropagation one node at a time: the heart of the expression-graph lesson.

Starting expressions (the lecture's, micrograd's README example, the neuron), a name for every
node (its label, or what it computes), a replay of `backward()` that stops after k nodes, the
chain rule at each node written with the graph's own names and in numbers, the engine's source
for an operation, and one step of optimisation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from micrograd_core.engine import FUNCTIONS, Value, topological_order

from ..expressions import LECTURE_VALUES as NEURON_VALUES
from ..expressions import build_neuron, lecture_expression, readme_expression
from ..source import source

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


def backward_order(root: Value) -> list[Value]:
    """The nodes whose `_backward` runs, in the order backward() runs them: reverse topological, leaves skipped."""
    return [node for node in reversed(topological_order(root)) if node._prev]


def replay(root: Value, steps: int) -> tuple[set[int], list[Link]]:
    """Run backward() on the graph only as far as `steps` nodes.

    Step 0 seeds root.grad = 1. Returns the ids of the nodes whose gradient has been
    filled in so far (partial sums where a node is used more than once and not all its
    uses are done yet), and the chain rule of the last node processed.
    """
    for node in topological_order(root):
        node.grad = 0.0
    root.grad = 1.0
    filled = {id(root)}
    last: list[Link] = []
    names = node_names(root)
    for node in backward_order(root)[:steps]:
        last = chain_rule(node, names)
        node._backward()
        filled.update(id(c) for c in node._prev)
    return filled, last


@dataclass
class Backprop:
    """backward() replayed to step k of a graph: the order it walks, the nodes' names, what is filled in."""

    root: Value
    k: int  # steps taken: 0 is the seed (root.grad = 1), len(order) is backward() done
    order: list[Value]
    names: dict[int, str]
    filled: set[int]  # ids of the nodes whose grad is (partly) known
    links: list[Link]  # the chain rule of the node at step k

    @classmethod
    def at(cls, root: Value, k: int) -> Backprop:
        """The graph after `k` steps, k clamped to the steps it has."""
        order = backward_order(root)
        k = max(0, min(k, len(order)))
        filled, links = replay(root, k)
        return cls(root, k, order, node_names(root), filled, links)

    @property
    def current(self) -> Value:
        """The node whose _backward() ran last (the output at step 0)."""
        return self.order[self.k - 1] if self.k else self.root


MAX_NAME = 12  # a node named by what it computes, e.g. (a·b + c), up to this length; else by its number


def node_names(root: Value) -> dict[int, str]:
    """A name for every node of the graph, by id: its label; else, for a result, what it computes
    from its inputs' names when that is short, such as (a·b); else #k, its place in the topological
    order (1-based); for an unnamed constant, its value; for an unnamed output, "out"."""
    names: dict[int, str] = {}
    for k, node in enumerate(topological_order(root), 1):
        if node.label:
            names[id(node)] = node.label
        elif node is root and node._prev:
            names[id(node)] = "out"
        elif not node._prev:
            names[id(node)] = f"{node.data:g}"
        else:
            described = _describe(node, [names[id(c)] for c in node._prev])
            names[id(node)] = described if len(described) <= MAX_NAME else f"#{k}"
    return names


_SYMBOL = {"+": "+", "*": "·"}


def _describe(node: Value, inputs: list[str]) -> str:
    if node._op in _SYMBOL:
        return f"({inputs[0]} {_SYMBOL[node._op]} {inputs[1]})"
    if node._op.startswith("**"):
        return f"{inputs[0]}{node._op}"
    return f"{node._op}({inputs[0]})"


@dataclass(frozen=True)
class Link:
    """The chain rule for one input of a node: local derivative × the node's gradient, added to the input's."""

    child: Value
    rule: str  # the local derivative in the graph's names, e.g. "∂e/∂a = b"
    local: float
    upstream: float
    before: float = 0.0  # the input's gradient before this addition (its earlier uses' share, when reused)

    @property
    def amount(self) -> float:
        return self.local * self.upstream

    @property
    def after(self) -> float:
        return self.before + self.amount


_ATOMIC = re.compile(r"[\w.#-]+|\(.*\)|\w+\(.*\)")  # a name, a number, #k, (…) or f(…)


def _grouped(name: str) -> str:
    """A name fit to stand in a formula: one made of an operation gets parentheses, e.g. (2**-1)."""
    return name if _ATOMIC.fullmatch(name) else f"({name})"


def _rule(node: Value, i: int, names: dict[int, str]) -> str:
    out, x = _grouped(names[id(node)]), _grouped(names[id(node._prev[i])])
    op = node._op
    if op == "+":
        rule = "1"
    elif op == "*":
        rule = _grouped(names[id(node._prev[1 - i])])  # the other input
    elif op.startswith("**"):
        k = float(op[2:])
        rule = f"{k:g}·{x}**{k - 1:g}"
    else:
        rule = FUNCTIONS[op].derivative.format(x=x, out=out)
    return f"∂{out}/∂{x} = {rule}"


def chain_rule(node: Value, names: dict[int, str]) -> list[Link]:
    """What the node's `_backward()` does, input by input, with its current gradient as the upstream one.

    Each link starts from the input's gradient as that addition finds it: an input used twice by this
    node (a·a) gets two additions, the second starting where the first ended.
    """
    links, running = [], {}
    for i, (child, local) in enumerate(zip(node._prev, node._local_grads)):
        link = Link(child, _rule(node, i, names), local, node.grad, running.get(id(child), child.grad))
        running[id(child)] = link.after
        links.append(link)
    return links


_OPERATORS = {"+": Value.__add__, "*": Value.__mul__}


def engine_source(op: str) -> str:
    """The engine's real code for an operation's forward and local derivative, then the chain-rule step."""
    method = Value.__pow__ if op.startswith("**") else _OPERATORS.get(op) or FUNCTIONS[op].method
    return source(method) + "\n" + source(Value._backward)


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
