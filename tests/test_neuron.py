"""Tests of micrograd_core.neuron against the neuron's hand-derived gradients."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_core import neuron
from micrograd_core.neuron import LECTURE_VALUES, build_neuron, manual_backprop, micrograd_neuron, torch_neuron


def hand(v):
    """o and the gradients of o, derived on paper: do/dn = 1 - o², then the chain rule through * and +."""
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    o = math.tanh(n)
    dn = 1 - o * o
    return {"o": o, "x1": v["w1"] * dn, "w1": v["x1"] * dn, "x2": v["w2"] * dn, "w2": v["x2"] * dn, "b": dn}


def test_lecture_values():
    got = micrograd_neuron(LECTURE_VALUES)
    assert got["o"] == pytest.approx(0.7071, abs=1e-4)
    assert (got["x1"], got["w1"], got["x2"], got["w2"], got["b"]) == pytest.approx((-1.5, 1.0, 0.5, 0.0, 0.5))


values = st.fixed_dictionaries({k: st.floats(-4, 4) for k in ("x1", "x2", "w1", "w2")} | {"b": st.floats(-10, 10)})


@settings(max_examples=100, deadline=None)
@given(values)
def test_engine_manual_and_exp_versions_agree_with_hand_formulas(v):
    expected = hand(v)
    for tanh_from_exp in (False, True):
        got = micrograd_neuron(v, tanh_from_exp)
        for k in expected:
            assert got[k] == pytest.approx(expected[k], rel=1e-9, abs=1e-9), (k, tanh_from_exp)
    lines = {line.name: line.grad for line in manual_backprop(v)}
    for k in ("x1", "w1", "x2", "w2", "b"):
        assert lines[k] == pytest.approx(expected[k], rel=1e-12, abs=1e-12)


def test_graph_names_and_ops():
    o, nodes = build_neuron(LECTURE_VALUES)
    assert o.label == "o" and o._op == "tanh" and nodes["n"]._op == "+"
    o2, nodes2 = build_neuron(LECTURE_VALUES, tanh_from_exp=True)
    assert o2._op == "*" and "e" not in nodes2  # o = (e - 1) * (e + 1)**-1
    assert o2.data == pytest.approx(o.data)


def test_manual_lines_show_their_numbers():
    lines = manual_backprop(LECTURE_VALUES)
    assert [ln.name for ln in lines][:2] == ["o", "n"]
    n_line = lines[1]
    assert n_line.numbers == "(1 − 0.7071²) · 1.0000" and n_line.grad == pytest.approx(0.5)


def test_torch_absent(monkeypatch):
    monkeypatch.setattr(neuron.importlib.util, "find_spec", lambda name: None)
    assert torch_neuron(LECTURE_VALUES) is None


def test_torch_present_agrees_to_1e_6():
    pytest.importorskip("torch")
    theirs, ours = torch_neuron(LECTURE_VALUES), micrograd_neuron(LECTURE_VALUES)
    assert theirs.keys() == ours.keys()
    for k in ours:
        assert theirs[k] == pytest.approx(ours[k], abs=1e-12)  # float64 throughout
