"""The questions learners ask most about micrograd, each answered with numbers the engine computes here.

From micrograd's own issue tracker: why a second backward() doubles the gradients, why zero_grad
clears only the parameters, why backward() sorts the graph instead of recursing, why a graph drawn
before backward() shows zeros, what exp and tanh do with large inputs, and Value ** Value.
"""

from __future__ import annotations

from dataclasses import dataclass

from micrograd_core.engine import Value, topological_order
from micrograd_core.nn import MLP

from ..bug_lab import backward_without_topological_order
from ..expressions import lecture_expression as _lecture
from .value_class import LEAVES


@dataclass(frozen=True)
class Answer:
    """A learner's question, the short answer, and what the engine shows of it."""

    question: str
    answer: str
    shown: str  # the numbers, computed now


def lecture_expression() -> dict[str, Value]:
    """L = (a·b + c)·f at the lecture's values: every node by name."""
    L, leaves = _lecture(LEAVES)
    return {**leaves, "L": L}


def _twice() -> Answer:
    once = lecture_expression()
    once["L"].backward()
    twice = lecture_expression()
    twice["L"].backward()
    twice["L"].backward()
    return Answer(
        "Why does calling backward() twice change the gradients?",
        "Every _backward adds to the gradients it finds (+=, so a node used twice gets both shares). Nothing sets "
        "them back to 0 between two calls, so the second call adds to each again; an inner node's gradient is "
        "already doubled when it is passed on, so the deeper a node, the more it grows.",
        f"L = (a·b + c)·f: a.grad is {once['a'].grad:g} after one backward(), {twice['a'].grad:g} after two.")


def _zero_grad() -> Answer:
    model = MLP(3, [4, 4, 1], seed=0)
    loss = (model([2.0, 3.0, -1.0]) - 1.0) ** 2
    nodes = topological_order(loss)
    return Answer(
        "Why does zero_grad() clear only the parameters?",
        "The parameters live from step to step; every other Value is made anew by the next forward pass, with "
        "grad 0. Only what survives a step can carry an old gradient into the next one.",
        f"MLP(3, [4, 4, 1]) on one sample: {len(model.parameters())} parameters, {len(nodes)} Values in the graph of "
        f"its loss; the other {len(nodes) - len(model.parameters())} are thrown away after the step.")


def _recursion() -> Answer:
    def build() -> tuple[Value, Value]:
        a = Value(1.0, label="a")
        b = a + a
        c = b + b
        return a, c

    a_sorted, c_sorted = build()
    c_sorted.backward()
    a_recursive, c_recursive = build()
    backward_without_topological_order(c_recursive)
    return Answer(
        "Why does backward() sort the graph first instead of recursing?",
        "A node may pass its gradient on only once every node that uses it has added its share. Recursing "
        "straight away, b = a + a is visited once per use of b, each time with b's gradient so far.",
        f"a = 1; b = a + a; c = b + b: dc/da is {a_sorted.grad:g} with the topological order, "
        f"{a_recursive.grad:g} by recursion.")


def _before_backward() -> Answer:
    v = lecture_expression()
    grads = {name: v[name].grad for name in ("a", "b", "L")}
    return Answer(
        "Why does a graph drawn before backward() show grad 0 everywhere?",
        "A Value starts with grad 0: nothing knows how the output depends on it until backward() has run.",
        "Before backward(): " + ", ".join(f"{k}.grad = {g:g}" for k, g in grads.items()) + ".")


def _large_inputs() -> Answer:
    big = Value(1000.0)
    e = big.exp()
    e.backward()
    t_in = Value(1000.0)
    t = t_in.tanh()
    t.backward()
    return Answer(
        "What do exp and tanh do with a large input?",
        "exp(1000) is beyond the largest float: it is inf, and so is its gradient (no exception, as in NumPy "
        "and PyTorch). tanh(1000) is 1 to every digit, and its slope 1 − tanh² is 0: a saturated unit learns "
        "nothing.",
        f"Value(1000).exp(): data {e.data}, grad of the input {big.grad}; Value(1000).tanh(): data {t.data:g}, "
        f"grad of the input {t_in.grad:g}.")


def _value_power() -> Answer:
    try:
        Value(2.0) ** Value(3.0)
    except (TypeError, AssertionError) as err:
        refused = f"{type(err).__name__}: {err}"
    else:
        refused = "it works"
    return Answer(
        "Can a Value be raised to a Value?",
        "Not in micrograd: ** takes a plain int or float exponent, whose local derivative k·x^(k−1) is all "
        "the lecture needs. x^y with both Values needs a second local derivative, x^y·ln x, for y.",
        f"Value(2) ** Value(3): {refused}. Value(2) ** 3: {(Value(2.0) ** 3).data:g}.")


QUESTIONS = (_twice, _zero_grad, _recursion, _before_backward, _large_inputs, _value_power)


def answers() -> list[Answer]:
    """Every question with its numbers, computed now."""
    return [question() for question in QUESTIONS]

