"""Tests of the Derivatives lesson's core: numerical slopes, partial slopes, one-weight descent."""

import math

import pytest

from lessons.derivatives import (
    autograd_slope,
    contraction,
    descend,
    evaluate_weight,
    forward_difference,
    partial_slopes,
    slope_at,
    slope_errors,
)
from lessons.formulas import parse


def f(x):
    return 3 * x**2 - 4 * x + 5


def test_forward_difference_is_the_secant_slope():
    assert forward_difference(f, 3.0, 0.001) == pytest.approx(14.003)
    assert forward_difference(f, 3.0, 1.0) == pytest.approx(f(4.0) - f(3.0))


def test_autograd_slope_of_a_parsed_formula():
    e = parse("3*x**2 - 4*x + 5")
    assert autograd_slope(e, {"x": 3.0}, "x") == pytest.approx(14.0)
    assert autograd_slope(parse("5"), {}, "x") == 0.0


def test_slope_error_shows_truncation_and_round_off():
    hs = [10.0**-k for k in range(0, 16)]
    errors = slope_errors(f, 3.0, 14.0, hs)
    best = min(range(len(hs)), key=errors.__getitem__)
    assert 4 <= best <= 11  # the sweet spot is in the middle
    assert errors[0] == pytest.approx(3.0)  # truncation: 3h at h = 1
    assert errors[-1] > errors[best] * 100  # round-off at h = 1e-15


def test_partial_slopes_of_d_equals_ab_plus_c():
    rows = partial_slopes(parse("a*b + c"), {"a": 2.0, "b": -3.0, "c": 10.0}, 1e-4)
    assert [rows[n]["autograd"] for n in "abc"] == pytest.approx([-3.0, 2.0, 1.0])
    assert [rows[n]["numerical"] for n in "abc"] == pytest.approx([-3.0, 2.0, 1.0], rel=1e-6)
    assert rows["a"]["before"] == 4.0 and rows["c"]["after"] == pytest.approx(4.0001)


def test_one_weight_gradient_and_descent():
    step = evaluate_weight(0.5, 2.0, 0.8)
    assert step.pred == 1.0 and step.error == pytest.approx(0.5 * 0.2**2) and step.grad == pytest.approx(0.2 * 2.0)
    history = descend(0.0, 2.0, 0.8, 0.1, 50)
    assert len(history) == 51 and history[-1].weight == pytest.approx(0.4, abs=1e-6)
    w = 0.0
    for record in history[:5]:
        assert record.weight == pytest.approx(w)
        w -= 0.1 * (w * 2.0 - 0.8) * 2.0


def test_one_weight_diverges_when_lr_times_input_squared_exceeds_two():
    assert contraction(2.0, 0.7) == pytest.approx(-1.8)
    history = descend(0.0, 2.0, 0.8, 0.7, 30)
    assert abs(history[-1].weight) > 1e6
    history = descend(0.0, 2.0, 0.8, 0.7, 2000)  # overflows to inf/nan, never raises
    assert not math.isfinite(history[-1].error)


def test_a_corner_is_found_and_named_but_a_smooth_curve_never_is():
    relu = slope_at(parse("relu(x)"), 0.0, 1e-3)
    assert relu.status == "corner" and relu.corner == pytest.approx((0.0, 1.0))
    assert relu.exact == 0.0 and relu.numerical == pytest.approx(1.0)  # autograd's convention, the right-hand nudge
    v = slope_at(parse("relu(x) + relu(-x)"), 0.0, 1e-3)  # abs, built from relu
    assert v.status == "corner" and v.corner == pytest.approx((-1.0, 1.0))
    for formula, x in [("3*x**2 - 4*x + 5", 3.0), ("x**3", 0.0), ("tanh(x)", 0.0), ("exp(x)", 5.0),
                       ("relu(x)", 1.0), ("relu(x)", -1.0), ("1/x", 0.5)]:
        assert slope_at(parse(formula), x, 1e-3).status == "defined", formula
