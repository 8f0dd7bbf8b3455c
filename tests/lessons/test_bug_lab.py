"""Tests of the bug lab: each broken engine really is broken where its bug can show, and right where it cannot.

Random graphs come from hypothesis: a few inputs, then operations on any earlier nodes, so that
inner nodes can be used more than once (the reuse bugs need that), or trees, where nothing is.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import bug_lab
from lessons.bug_lab import BUGS, BY_KEY, GRADIENT_BUGS, a_node_used_twice, diff, example, exposes, run
from lessons.formulas import parse
from micrograd_core.engine import Value

OPS = ("+", "*", "tanh")


def graph(program, shared: bool = True):
    """A builder for `run`: inputs a, b, c, then each (op, i, j) applied to earlier nodes i and j."""

    def build(values, operations=None):
        operations = operations or {}
        mul = operations.get("*", lambda x, y: x * y)
        tanh = operations.get("tanh", Value.tanh)
        leaves = {name: Value(values[name], label=name) for name in "abc"}
        nodes = list(leaves.values())
        for op, i, j in program:
            x, y = nodes[i % len(nodes)], nodes[j % len(nodes)]
            nodes.append(x + y if op == "+" else mul(x, y) if op == "*" else tanh(x))
        return nodes[-1], leaves

    return build


programs = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 20), st.integers(0, 20)), min_size=1, max_size=6)
inputs = st.fixed_dictionaries({name: st.floats(-1.5, 1.5) for name in "abc"})


def tree(depth: int, names: list[str]):
    """A tree (no node used twice): an expression whose inputs each appear once."""
    if depth == 0 or len(names) < 2:
        return names.pop(), names
    left, names = tree(depth - 1, names)
    right, names = tree(depth - 1, names)
    return f"({left} * {right})" if depth % 2 else f"tanh({left} + {right})", names


@settings(max_examples=150, deadline=None)
@given(program=programs, values=inputs)
def test_the_real_engine_always_passes_the_gradient_check(program, values):
    assert run(graph(program), values).passes


@pytest.mark.parametrize("bug", GRADIENT_BUGS, ids=lambda b: b.key)
def test_each_broken_engine_fails_on_its_own_example(bug):
    check = example(bug)
    assert not check.passes
    assert any(not leaf.passes for leaf in check.leaves) or math.isnan(check.output)


@pytest.mark.parametrize("key", ["assign", "order", "twice", "tanh_grad", "mul_grad"])
@settings(max_examples=300, deadline=None)
@given(program=programs, values=inputs)
def test_a_broken_engine_is_caught_only_where_its_bug_can_show(key, program, values):
    bug, check = BY_KEY[key], None
    check = run(graph(program), values, bug)
    used = [i % (3 + k) for k, (op, i, j) in enumerate(program) for i in ((i, j) if op != "tanh" else (i,))]
    if key in ("assign", "order") and len(used) == len(set(used)):
        assert check.passes  # no node used twice: assigning and the order cannot matter
    if key == "tanh_grad" and all(op != "tanh" for op, _, _ in program):
        assert check.passes
    if key == "mul_grad" and all(op != "*" for op, _, _ in program):
        assert check.passes


@pytest.mark.parametrize("key", ["assign", "order", "twice", "tanh_grad", "mul_grad"])
def test_random_graphs_catch_every_gradient_bug(key):
    from hypothesis import find

    failing = find(st.tuples(programs, inputs), lambda pv: not run(graph(pv[0]), pv[1], BY_KEY[key]).passes,
                   settings=settings(max_examples=2000, deadline=None, database=None))
    assert not run(graph(failing[0]), failing[1], BY_KEY[key]).passes


def test_tanh_from_exp_is_right_until_its_numbers_leave_the_floats():
    e = parse("tanh(x)")
    fine = [x for x in range(150, 400) if run(e, {"x": float(x)}, BY_KEY["tanh_exp"]).passes]
    assert fine == list(range(150, 183))  # (e**2x + 1)**-2 underflows from x = 183: the gradient goes wrong
    values = [run(e, {"x": float(x)}, BY_KEY["tanh_exp"]).output for x in (354, 355)]
    assert values[0] == 1.0 and math.isnan(values[1])  # e**2x overflows a float at 2x > 709.78
    assert run(e, {"x": 355.0}).passes  # math.tanh does not overflow


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(1, 3), data=st.data())
def test_on_a_tree_the_reuse_bugs_give_the_right_gradients(depth, data):
    names = [f"x{i}" for i in range(2**depth)]  # every input used once: a tree, no node used twice
    text, _ = tree(depth, list(names))
    values = {name: data.draw(st.floats(-1.5, 1.5), label=name) for name in names}
    for key in ("assign", "order"):
        assert run(parse(text), values, BY_KEY[key]).passes


def test_which_bugs_a_formula_exposes():
    plain = exposes(parse("a + b"), {"a": 1.0, "b": 2.0})
    assert plain == {"assign": False, "order": False, "twice": True, "tanh_grad": False, "mul_grad": False,
                     "tanh_exp": False}
    square = exposes(parse("a*a"), {"a": 1.5})
    assert square["assign"] and square["twice"] and not square["order"]  # a typed formula shares only inputs
    assert not square["mul_grad"]  # a*a: swapping the two local derivatives changes nothing
    assert exposes(parse("a*b"), {"a": 1.5, "b": -2.0})["mul_grad"]


def test_the_smallest_graph_for_the_order_bug():
    c, leaves = a_node_used_twice({"a": 1.0})
    c.backward()
    assert c.data == 4.0 and leaves["a"].grad == 4.0
    check = run(a_node_used_twice, {"a": 1.0}, BY_KEY["order"])
    assert check.leaves[0].broken == 8.0 and check.leaves[0].real == 4.0  # b passed on twice


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.key)
def test_each_diff_is_a_few_changed_lines_of_the_real_code(bug):
    lines = diff(bug).splitlines()
    changed = [line for line in lines if line[:1] in "+-"]
    assert 1 <= len(changed) <= 9 and any(line.startswith("+") for line in changed)
    assert any("the bug" in line for line in changed if line.startswith("+"))


def test_the_training_bugs_show_in_the_loss_curve():
    real, broken = bug_lab.training_curves(BY_KEY["sign"], steps=10)
    assert real[-1].loss < real[0].loss and broken[-1].loss > broken[0].loss  # it climbs
    real, broken = bug_lab.training_curves(BY_KEY["zero_grad_late"], steps=10)
    assert len({r.loss for r in broken}) == 1  # the update never sees a gradient: nothing moves
    assert [r.loss for r in real] != [r.loss for r in broken]
