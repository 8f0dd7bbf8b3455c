"""Tests of small lesson parts alone: the quiz's tolerance, the network diagram, and a slope at one point."""

import math

import pytest

from lessons.derivatives import SlopeAt, partial_slopes, slope_at
from lessons.formulas import parse
from lessons.mlp.diagram import diagram
from lessons.quiz import TOLERANCE, check
from micrograd_core.nn import MLP


def test_a_quiz_answer_is_right_within_the_tolerance_only():
    assert check(1.0004, 1.0).right and check(0.9991, 1.0).right
    assert not check(1.0 + 2 * TOLERANCE, 1.0).right and not check(math.nan, 1.0).right
    assert check(math.inf, math.inf).right and not check(1e9, math.inf).right
    assert not check(0.0, math.nan).right


def test_the_diagram_is_the_models_weights():
    model = MLP(3, [4, 4, 1], seed=0)
    d = diagram(model)
    assert d.sizes == (3, 4, 4, 1) and d.shown == (3, 4, 4, 1)
    assert d.parameters == (16, 20, 5) and d.activations == ("tanh", "tanh", "tanh")
    assert len(d.edges) == 3 * 4 + 4 * 4 + 4 * 1
    for e in d.edges:
        assert e.weight == model.layers[e.layer - 1].neurons[e.target].w[e.source].data


def test_a_wide_layer_is_drawn_with_its_first_neurons():
    d = diagram(MLP(2, [16, 16, 1], "relu", "linear", seed=2), max_shown=5)
    assert d.sizes == (2, 16, 16, 1) and d.shown == (2, 5, 5, 1)
    assert len(d.edges) == 2 * 5 + 5 * 5 + 5 * 1
    assert d.parameters == (48, 272, 17) and d.activations == ("relu", "relu", "linear")


@pytest.mark.parametrize("text, x, status", [
    ("3*x**2 - 4*x + 5", 3.0, "defined"), ("1/x", 0.0, "undefined"), ("log(x)", -1.0, "undefined"),
    ("x**0.5", 0.0, "no_slope"), ("1/(x - 0.001)", 0.0, "nudge_undefined")])
def test_a_slope_at_a_point_says_whether_it_is_defined(text, x, status):
    point = slope_at(parse(text), x, 1e-3)
    assert isinstance(point, SlopeAt) and point.status == status and point.x == x and point.h == 1e-3


def test_the_slope_at_a_point_is_the_lectures():
    point = slope_at(parse("3*x**2 - 4*x + 5"), 3.0, 1e-3)
    assert point.fx == 20.0 and point.exact == 14.0
    assert point.fxh == pytest.approx(3 * 3.001**2 - 4 * 3.001 + 5)
    assert point.numerical == pytest.approx(14.003, rel=1e-9)


def test_partial_slopes_nudge_one_input_at_a_time():
    rows = partial_slopes(parse("a*b + c"), {"a": 2.0, "b": -3.0, "c": 10.0}, 1e-4)
    assert rows["a"]["before"] == 4.0 and rows["a"]["after"] == pytest.approx(4.0 - 3e-4)
    assert [rows[k]["autograd"] for k in "abc"] == [-3.0, 2.0, 1.0]
    assert [rows[k]["numerical"] for k in "abc"] == pytest.approx([-3.0, 2.0, 1.0], rel=1e-6)
