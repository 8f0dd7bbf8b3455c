"""Tests of micrograd_core.engine: lecture values, node reuse, deep graphs, the bug mode, numeric faults,
and autograd against central differences on random expressions (hypothesis)."""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from micrograd_core.engine import Value, topological_order


def test_micrograd_readme_example():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    assert g.data == pytest.approx(24.7041, abs=1e-4)
    assert a.grad == pytest.approx(138.8338, abs=1e-4)
    assert b.grad == pytest.approx(645.5773, abs=1e-4)


def test_lecture_expression_manual_values():
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    assert L.data == -8.0
    assert (d.grad, f.grad, e.grad, c.grad, a.grad, b.grad) == (-2.0, 4.0, -2.0, -2.0, 6.0, -4.0)


def test_lecture_neuron_and_manual_backward_calls_run_unchanged():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + b
    o = n.tanh()
    # the lecture's manual walk: seed, then call _backward node by node
    o.grad = 1.0
    for node in (o, n, x1w1x2w2, x2w2, x1w1):
        node._backward()
    assert o.data == pytest.approx(math.sqrt(0.5))
    assert n.grad == pytest.approx(0.5)
    assert (x1.grad, w1.grad, x2.grad, w2.grad) == pytest.approx((-1.5, 1.0, 0.5, 0.0))
    assert o._prev == (n,) and o._op == "tanh" and n._prev == (x1w1x2w2, b) and n._op == "+"


def test_node_used_twice_accumulates():
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0
    a2 = Value(3.0)
    (a2 * a2).backward()
    assert a2.grad == 6.0


def test_value_has_no_instance_dict():
    with pytest.raises(AttributeError):
        Value(1.0).something = 1


def test_deep_chain_without_recursion():
    x = Value(0.5)
    y = x
    for _ in range(100_000):
        y = y + 0.0
    y.backward()
    assert x.grad == 1.0
    assert len(topological_order(y)) == 200_001  # 100,000 sums and their 100,000 constants, plus x


def test_topological_order_is_stable_and_children_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = topological_order(d)
    assert order == [a, b, c, d]
    assert topological_order(d) == order


def test_reflected_operators():
    v = Value(4.0)
    assert (2 + v).data == 6.0 and (2 * v).data == 8.0 and (2 - v).data == -2.0 and (2 / v).data == 0.5
    assert (v - 1).data == 3.0 and (-v).data == -4.0 and (v / 8).data == 0.5
    r = 2 / v
    r.backward()
    assert v.grad == pytest.approx(-2 / 16)


def test_pow_rejects_value_exponent():
    with pytest.raises(TypeError):
        Value(2.0) ** Value(3.0)


def test_activation_values_and_grads():
    for x in (-2.0, -0.1, 0.0, 0.3, 3.0):
        for name, f, df in (
            ("tanh", math.tanh, lambda x: 1 - math.tanh(x) ** 2),
            ("sigmoid", lambda x: 1 / (1 + math.exp(-x)), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
            ("relu", lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
            ("exp", math.exp, math.exp),
        ):
            v = Value(x)
            out = getattr(v, name)()
            out.backward()
            assert out.data == pytest.approx(f(x)), name
            assert v.grad == pytest.approx(df(x)), name
    v = Value(2.0)
    v.log().backward()
    assert v.grad == 0.5


# --- numeric faults: IEEE-754 results, never an exception, never a finite wrong gradient ---


def test_exp_overflow_gives_inf():
    v = Value(1000.0)
    out = v.exp()
    out.backward()
    assert out.data == math.inf and v.grad == math.inf


def test_log_of_zero_and_negative():
    z, n = Value(0.0), Value(-1.0)
    lz, ln = z.log(), n.log()
    lz.backward()
    ln.backward()
    assert lz.data == -math.inf and math.isinf(z.grad)
    assert math.isnan(ln.data)


def test_division_by_zero():
    one, zero = Value(1.0), Value(0.0)
    q = one / zero
    q.backward()
    assert q.data == math.inf
    assert not math.isfinite(zero.grad)
    assert math.isnan((Value(0.0) / Value(0.0)).data)
    assert (Value(-1.0) / 0).data == -math.inf


def test_pow_overflow_and_fractional_power_of_negative():
    assert (Value(1e200) ** 2).data == math.inf
    assert (Value(-1e200) ** 3).data == -math.inf
    r = Value(-8.0) ** 0.5
    assert math.isnan(r.data)
    assert (Value(0.0) ** -2).data == math.inf


def test_sigmoid_saturates_without_overflow():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


# --- property-based: autograd equals central differences on random expressions ---

UNARY = {
    "tanh": (lambda v: v.tanh(), math.tanh),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x))),
    "exp": (lambda v: (v * 0.5).exp(), lambda x: math.exp(x * 0.5)),
    "log": (lambda v: (v * v + 1).log(), lambda x: math.log(x * x + 1)),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0)),
    "square": (lambda v: v**2, lambda x: x**2),
    "cube": (lambda v: v**3, lambda x: x**3),
    "neg": (lambda v: -v, lambda x: -x),
    "recip": (lambda v: 1 / (v * v + 1), lambda x: 1 / (x * x + 1)),
}
BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: a + b),
    "-": (lambda a, b: a - b, lambda a, b: a - b),
    "*": (lambda a, b: a * b, lambda a, b: a * b),
    "/": (lambda a, b: a / (b * b + 1), lambda a, b: a / (b * b + 1)),
    "rsub": (lambda a, b: 2 - a * b, lambda a, b: 2 - a * b),
}

program = st.lists(
    st.one_of(
        st.tuples(st.just("u"), st.sampled_from(sorted(UNARY)), st.integers(0, 50)),
        st.tuples(st.just("b"), st.sampled_from(sorted(BINARY)), st.integers(0, 50), st.integers(0, 50)),
    ),
    min_size=1,
    max_size=12,
)


def run_program(steps, inputs, engine: bool):
    """Evaluate the same random program on Values (engine=True) or plain floats.

    Returns the last result, the inputs, and the smallest |argument| given to relu (its kink is at 0).
    """
    nodes = [Value(x) for x in inputs] if engine else list(inputs)
    nearest_kink = math.inf
    for step in steps:
        if step[0] == "u":
            fv, ff = UNARY[step[1]]
            x = nodes[step[2] % len(nodes)]
            if step[1] == "relu":
                nearest_kink = min(nearest_kink, abs(x.data if engine else x))
            nodes.append(fv(x) if engine else ff(x))
        else:
            fv, ff = BINARY[step[1]]
            a, b = nodes[step[2] % len(nodes)], nodes[step[3] % len(nodes)]
            nodes.append(fv(a, b) if engine else ff(a, b))
    return nodes[-1], nodes[: len(inputs)], nearest_kink


@settings(max_examples=300, deadline=None)
@given(program, st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_autograd_matches_central_differences(steps, inputs):
    out, leaves, nearest_kink = run_program(steps, inputs, engine=True)
    assume(nearest_kink > 1e-3)  # central differences across relu's kink are not a derivative
    out.backward()
    assume(all(abs(x) < 1e6 for x in (out.data, *(leaf.grad for leaf in leaves))))
    h = 1e-6
    for i, leaf in enumerate(leaves):
        up, down = list(inputs), list(inputs)
        up[i] += h
        down[i] -= h
        f_up = run_program(steps, up, engine=False)[0]
        f_down = run_program(steps, down, engine=False)[0]
        numeric = (f_up - f_down) / (2 * h)
        assert leaf.grad == pytest.approx(numeric, rel=1e-4, abs=1e-4)
    # forward values agree with plain floats too
    plain = run_program(steps, inputs, engine=False)[0]
    assert out.data == pytest.approx(plain, rel=1e-12, abs=1e-12)


def test_every_operation_names_itself_and_leaves_its_result_unnamed():
    a, b = Value(2.0, label="a"), Value(0.5, label="b")
    assert a._op == "" and Value(1.0).label == ""
    results = {"+": a + b, "*": a * b, "**3": a**3, "**0.5": a**0.5, "exp": a.exp(), "log": a.log(),
               "tanh": a.tanh(), "sigmoid": a.sigmoid(), "relu": a.relu()}
    for op, result in results.items():
        assert result._op == op and result.label == "" and result._prev[0] is a


def test_powers_of_zero_and_overflow_follow_ieee():
    assert (Value(0.0) ** -2).data == math.inf and (Value(-0.0) ** -2).data == math.inf  # even: +inf
    assert (Value(0.0) ** -3).data == math.inf and (Value(-0.0) ** -3).data == -math.inf  # odd: the zero's sign
    assert (Value(-10.0) ** 401).data == -math.inf and (Value(-10.0) ** 400).data == math.inf
    assert (Value(10.0) ** 400).data == math.inf and math.isnan((Value(-2.0) ** 0.5).data)
    with pytest.raises(TypeError, match="number exponent"):
        Value(2.0) ** Value(3.0)
