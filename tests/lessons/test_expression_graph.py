"""Tests of lessons.expression_graph: presets, the step-by-step replay, sources, the reuse bug, a nudge."""

import pytest

from lessons.expression_graph import (
    PRESETS,
    backward_order,
    backward_with_reuse_bug,
    chain_rule,
    doubled,
    engine_source,
    node_names,
    optimisation_step,
    replay,
    reuse_demo,
    two_branches,
)
from lessons.formulas import parse
from micrograd_core.engine import Value, topological_order

LECTURE = "Lecture: L = (a·b + c)·f"


def test_presets_give_the_lecture_numbers():
    L, leaves = PRESETS[LECTURE].build(PRESETS[LECTURE].values)
    assert L.data == -8.0
    g, leaves_g = PRESETS["micrograd README example"].build(PRESETS["micrograd README example"].values)
    g.backward()
    assert g.data == pytest.approx(24.7041, abs=1e-4)
    assert leaves_g["a"].grad == pytest.approx(138.8338, abs=1e-4)
    o, _ = PRESETS["Neuron: tanh(x1·w1 + x2·w2 + b)"].build(PRESETS["Neuron: tanh(x1·w1 + x2·w2 + b)"].values)
    assert o.data == pytest.approx(0.7071, abs=1e-4)


def test_replay_fills_gradients_in_backward_order():
    L, leaves = PRESETS[LECTURE].build(PRESETS[LECTURE].values)
    assert [n.label for n in backward_order(L)] == ["L", "d", "e"]
    filled, last = replay(L, 0)
    assert filled == {id(L)} and L.grad == 1.0 and leaves["a"].grad == 0.0
    filled, last = replay(L, 1)  # through L = d * f: dL/dd = f = -2, dL/df = d = 4
    d = L._prev[0]
    assert d.grad == -2.0 and leaves["f"].grad == 4.0 and leaves["a"].grad == 0.0
    assert [(c.local, c.upstream, c.amount) for c in last] == [(-2.0, 1.0, -2.0), (4.0, 1.0, 4.0)]
    replay(L, 3)
    assert (leaves["a"].grad, leaves["b"].grad, leaves["c"].grad) == (6.0, -4.0, -2.0)


def test_replay_shows_partial_sums_for_a_reused_node():
    f, leaves = parse("a*b + a").build({"a": 2.0, "b": 5.0})
    order = backward_order(f)
    replay(f, 1)  # through +: a has received 1 from its direct use only
    assert leaves["a"].grad == 1.0
    replay(f, len(order))
    assert leaves["a"].grad == 6.0  # b + 1


def test_chain_rule_is_written_with_the_graphs_own_names():
    L, leaves = PRESETS[LECTURE].build(PRESETS[LECTURE].values)
    L.backward()
    names = node_names(L)
    e = L._prev[0]._prev[0]
    assert [link.rule for link in chain_rule(e, names)] == ["∂e/∂a = b", "∂e/∂b = a"]
    assert [(link.local, link.upstream, link.amount) for link in chain_rule(e, names)] == [(-3, -2, 6), (2, -2, -4)]
    o, _ = PRESETS["Neuron: tanh(x1·w1 + x2·w2 + b)"].build(PRESETS["Neuron: tanh(x1·w1 + x2·w2 + b)"].values)
    assert [link.rule for link in chain_rule(o, node_names(o))] == ["∂o/∂n = 1 − o²"]
    x = Value(2.0, label="x")
    cube = x**3
    root = cube.exp() + 1
    names = node_names(root)
    assert names[id(root)] == "out"  # an output with no name
    assert chain_rule(cube, names)[0].rule == "∂(x**3)/∂x = 3·x**2"
    assert chain_rule(root._prev[0], names)[0].rule == "∂exp(x**3)/∂(x**3) = exp(x**3)"


def test_nameless_nodes_are_named_by_what_they_compute_or_their_place():
    f, _ = parse("a*b + c").build({"a": 1.0, "b": 2.0, "c": 3.0})
    names = node_names(f)
    assert sorted(names.values()) == ["(a · b)", "a", "b", "c", "out"]
    g, _ = parse("(a*b + c*d)*(a + b*c + d)").build(dict.fromkeys("abcd", 1.0))
    assert any(name.startswith("#") for name in node_names(g).values())  # too long to describe: its place


def test_engine_source_shows_the_operation_and_the_chain_rule_step():
    assert "def __mul__" in engine_source("*") and "def _backward" in engine_source("*")
    assert "def __pow__" in engine_source("**-1") and "def tanh" in engine_source("tanh")


def test_reuse_bug_cases():
    buggy, fixed = reuse_demo(doubled)
    assert buggy._prev[0].grad == 1.0 and fixed._prev[0].grad == 2.0
    buggy, fixed = reuse_demo(two_branches)
    a_fixed = fixed._prev[0]._prev[0]
    assert a_fixed.grad == pytest.approx(3.0 * 1.0 + (-6.0) * 1.0)  # b·e + d·1 with a=-2, b=3
    assert buggy._prev[0]._prev[0].grad != a_fixed.grad


def test_optimisation_step_moves_output_by_step_times_grad_squared():
    preset = PRESETS[LECTURE]
    nudge = optimisation_step(preset.build, preset.values, 0.01)
    assert nudge.before == -8.0
    assert nudge.predicted_change == pytest.approx(0.01 * (36 + 16 + 4 + 16))
    assert nudge.up > nudge.before > nudge.down
    assert nudge.up - nudge.before == pytest.approx(nudge.predicted_change, rel=0.05)


def test_builders_make_fresh_graphs():
    a = PRESETS[LECTURE].build(PRESETS[LECTURE].values)[0]
    b = PRESETS[LECTURE].build(PRESETS[LECTURE].values)[0]
    assert a is not b and isinstance(a, Value)


def test_reuse_bug_mode_assigns_and_is_wrong_only_when_asked():
    a = Value(3.0)
    b = a + a
    backward_with_reuse_bug(b)
    assert a.grad == 1.0  # the lecture's wrong answer


def test_reuse_bug_two_branches():
    a, b = Value(-2.0), Value(3.0)
    d = a * b
    e = a + b
    f = d * e
    backward_with_reuse_bug(f)
    buggy = a.grad
    for v in (a, b, d, e, f):
        v.grad = 0.0
    f.backward()
    assert a.grad == pytest.approx(b.data * e.data + d.data * 1.0)  # -6 + 3 = -3
    assert buggy != a.grad


def test_bug_mode_does_not_leak():
    a = Value(3.0)
    backward_with_reuse_bug(a + a)
    a.grad = 0.0
    (a + a).backward()
    assert a.grad == 2.0


def test_the_lectures_expressions_name_their_nodes_as_the_lecture_does():
    L, leaves = PRESETS[LECTURE].build(PRESETS[LECTURE].values)
    assert [n.label for n in topological_order(L)] == ["a", "b", "e", "c", "d", "f", "L"]
    assert list(leaves) == ["a", "b", "c", "f"] and all(leaves[k].label == k for k in leaves)
    g, leaves = PRESETS["micrograd README example"].build(PRESETS["micrograd README example"].values)
    named = {n.label for n in topological_order(g) if n.label}
    assert named == {"a", "b", "c", "d", "e", "f", "g"} and g.label == "g"
    o, leaves = PRESETS["Neuron: tanh(x1·w1 + x2·w2 + b)"].build(PRESETS["Neuron: tanh(x1·w1 + x2·w2 + b)"].values)
    assert [n.label for n in topological_order(o)] == ["x1", "w1", "x1*w1", "x2", "w2", "x2*w2", "x1*w1 + x2*w2",
                                                       "b", "n", "o"]
    assert list(leaves) == ["x1", "x2", "w1", "w2", "b"]


def test_the_reuse_bug_keeps_only_the_last_contribution_exactly():
    buggy, fixed = reuse_demo(two_branches)
    a_bug, b_bug = buggy._prev[0]._prev  # f = d·e, d = a·b
    a_fix, b_fix = fixed._prev[0]._prev
    # d is processed last: its assignments overwrite what e gave; with the fix, both add up
    assert (a_bug.grad, b_bug.grad) == (3.0, -2.0)
    assert (a_fix.grad, b_fix.grad) == (-3.0, -8.0)
    assert buggy.grad == 1.0 and a_bug.label == "a" and buggy.label == "f"
    b_doubled, _ = doubled()
    assert b_doubled.label == "b" and b_doubled._prev[0].label == "a" and b_doubled._prev[0].data == 3.0


def test_names_of_constants_numbers_and_places():
    x = Value(2.0, label="x")
    out = (x * 3.0 + x.log()).relu()
    names = node_names(out)
    nodes = topological_order(out)
    assert names[id(nodes[1])] == "3" and names[id(out)] == "out"
    assert "(x · 3)" in names.values() and "log(x)" in names.values()
    assert [link.rule for link in chain_rule(out, names)] == [f"∂out/∂{names[id(out._prev[0])]} = (1 if "
                                                              f"{names[id(out._prev[0])]} > 0 else 0)"]
    assert chain_rule(out._prev[0], names)[0].rule.endswith("= 1")
    logs = [n for n in nodes if n._op == "log"]
    assert chain_rule(logs[0], names)[0].rule == "∂log(x)/∂x = 1/x"
    long = parse("(a + b)*(c + d)*(a + d)").build(dict.fromkeys("abcd", 1.0))[0]
    assert sorted(v for v in node_names(long).values() if v.startswith("#")) == ["#7"]  # the 7th, counted from 1
