"""Tests for finite-difference gradient checking in micrograd_core.gradcheck."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_core.engine import Value, topological_order
from micrograd_core.gradcheck import GradCheckRow, gradient_check, numerical_gradient, relative_error


def neuron(v):
    """The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b)."""
    leaves = {name: Value(x, label=name) for name, x in v.items()}
    n = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    return n.tanh(), leaves


LECTURE = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


def test_numerical_gradient_of_a_polynomial():
    f = lambda v: v["x"] ** 3 + 2 * v["x"] * v["y"]  # noqa: E731
    g = numerical_gradient(f, {"x": 2.0, "y": -1.0})
    assert g == pytest.approx({"x": 3 * 4 - 2, "y": 4.0}, rel=1e-7)


def test_numerical_gradient_uses_central_differences():
    # for a quadratic the central difference is exact up to rounding, whatever h is
    g = numerical_gradient(lambda v: v["x"] ** 2, {"x": 3.0}, h=0.5)
    assert g["x"] == 6.0
    # and it does not change its input
    values = {"x": 3.0}
    numerical_gradient(lambda v: v["x"], values)
    assert values == {"x": 3.0}


def test_numerical_gradient_of_the_lectures_neuron():
    g = numerical_gradient(lambda v: neuron(v)[0].data, LECTURE)
    # the lecture's hand-derived values
    assert g == pytest.approx({"x1": -1.5, "x2": 0.5, "w1": 1.0, "w2": 0.0, "b": 0.5}, abs=1e-6)


def test_gradient_check_on_the_lectures_neuron():
    rows = gradient_check(neuron, LECTURE)
    assert [r.name for r in rows] == list(LECTURE)
    assert all(isinstance(r, GradCheckRow) for r in rows)
    by_name = {r.name: r for r in rows}
    assert by_name["x1"].autograd == pytest.approx(-1.5)
    assert by_name["w1"].autograd == pytest.approx(1.0)
    assert by_name["w2"].autograd == 0.0 and by_name["w2"].numerical == 0.0
    assert by_name["w2"].rel_error == 0.0
    assert all(r.rel_error < 1e-6 for r in rows)


@pytest.mark.parametrize(
    "make, x, derivative",
    [
        (lambda a: a.exp(), 0.7, math.exp(0.7)),
        (lambda a: a.log(), 2.5, 1 / 2.5),
        (lambda a: a.tanh(), 0.3, 1 - math.tanh(0.3) ** 2),
        (lambda a: a.sigmoid(), -1.2, math.exp(-1.2) / (1 + math.exp(-1.2)) ** 2),
        (lambda a: a.relu(), 1.5, 1.0),
        (lambda a: 1 / a, 4.0, -1 / 16),
        (lambda a: a * a * a - a, -2.0, 11.0),  # reuse: a used four times
    ],
)
def test_gradient_check_on_known_derivatives(make, x, derivative):
    def build(v):
        a = Value(v["a"])
        return make(a), {"a": a}

    (row,) = gradient_check(build, {"a": x})
    assert row.autograd == pytest.approx(derivative, rel=1e-12)
    assert row.numerical == pytest.approx(derivative, rel=1e-6)
    assert row.rel_error < 1e-6


def test_gradient_check_spots_a_wrong_gradient():
    # a "relu" whose local derivative is wrong: 2 instead of 1
    def build(v):
        a = Value(v["a"])
        out = Value(max(a.data, 0.0), (a,), "badrelu", "", (2.0,))
        return out, {"a": a}

    (row,) = gradient_check(build, {"a": 1.0})
    assert row.autograd == 2.0
    assert row.numerical == pytest.approx(1.0)
    assert row.rel_error == pytest.approx(0.5)


def test_gradient_check_needs_every_leaf():
    with pytest.raises(ValueError, match="y"):
        gradient_check(lambda v: (Value(v["x"]), {"x": Value(v["x"])}), {"x": 1.0, "y": 2.0})


def test_relative_error():
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1.0, 1.0) == 0.0
    assert relative_error(2.0, 1.0) == 0.5
    assert relative_error(-1.0, 1.0) == 2.0
    assert relative_error(1e-20, 0.0) == pytest.approx(1e-8)


# --- a property: backpropagation agrees with finite differences on random expressions ---

VARIABLES = ("a", "b", "c")
UNARY = {
    "square": lambda u: u**2,
    "exp": lambda u: u.exp(),
    "tanh": lambda u: u.tanh(),
    "sigmoid": lambda u: u.sigmoid(),
    "log": lambda u: u.log(),
    "neg": lambda u: -u,
}
BINARY = {
    "+": lambda u, w: u + w,
    "-": lambda u, w: u - w,
    "*": lambda u, w: u * w,
    "/": lambda u, w: u / w,
}


def expressions():
    """Expression trees as nested tuples over the variables a, b, c and small constants."""
    leaves = st.sampled_from(VARIABLES) | st.floats(-2, 2, allow_nan=False).map(lambda c: ("const", c))
    return st.recursive(
        leaves,
        lambda sub: (
            st.tuples(st.sampled_from(sorted(UNARY)), sub) | st.tuples(st.sampled_from(sorted(BINARY)), sub, sub)
        ),
        max_leaves=8,
    )


def evaluate(tree, leaves):
    if isinstance(tree, str):
        return leaves[tree]
    if tree[0] == "const":
        return Value(tree[1])
    if tree[0] in UNARY:
        return UNARY[tree[0]](evaluate(tree[1], leaves))
    return BINARY[tree[0]](evaluate(tree[1], leaves), evaluate(tree[2], leaves))


def builder(tree):
    def build(v):
        leaves = {name: Value(x, label=name) for name, x in v.items()}
        return evaluate(tree, leaves), leaves

    return build


@settings(max_examples=300, deadline=None)
@given(
    tree=expressions(),
    values=st.fixed_dictionaries({name: st.floats(-2, 2, allow_nan=False) for name in VARIABLES}),
)
def test_autograd_matches_finite_differences(tree, values):
    build = builder(tree)
    root, _ = build(values)
    # safe domains: logs of positive numbers, no division by (nearly) zero, no overflow;
    # every intermediate stays moderate, so rounding cannot swamp the finite differences
    for node in topological_order(root):
        assume(math.isfinite(node.data) and abs(node.data) < 10)
        if node._op == "log":
            assume(node._prev[0].data > 0.05)
        if node._op == "**-1":
            assume(abs(node._prev[0].data) > 0.05)
    for row in gradient_check(build, values):
        if abs(row.autograd) > 1e-2:
            assert row.rel_error < 1e-4, row
        else:
            # a gradient near 0 drowns in the rounding of f(x +- h): compare it absolutely
            assert abs(row.autograd - row.numerical) < 1e-6, row
