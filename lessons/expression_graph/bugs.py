"""The lecture's bugs in backpropagation, kept apart from the engine: the node-reuse bug and tanh from exp.

`Value.backward` accumulates (`+=`) the gradient of a node used more than once; the lecture's first
version assigned it (`=`), and only the last use survived. tanh built from exp gives the same
numbers as one tanh operation, through a longer graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from micrograd_core.engine import Value, topological_order

from ..expressions import LECTURE_VALUES, build_neuron


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


def tanh_both_ways(values: Mapping[str, float] = LECTURE_VALUES) -> tuple[Value, Value]:
    """The neuron with tanh as one operation and built from exp, each backpropagated."""
    one, _ = build_neuron(values)
    composed, _ = build_neuron(values, tanh_from_exp=True)
    one.backward()
    composed.backward()
    return one, composed


def output_and_grads(o: Value) -> dict[str, float]:
    """o's value and the gradient of each named input (the constants of tanh from exp are left out)."""
    return {"o": o.data, **{n.label: n.grad for n in topological_order(o) if not n._prev and n.label}}
