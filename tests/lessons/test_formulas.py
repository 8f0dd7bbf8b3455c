"""Tests for the formula parser: values and gradients, precedence, limits, and refusals."""

import ast
import math
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import formulas as expr
from lessons.formulas import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_NODES,
    Expression,
    ExpressionError,
    parse,
)
from micrograd_core.engine import topological_order


def grads(text: str, **values: float) -> tuple[float, dict[str, float]]:
    """Value of the formula and d(formula)/d(variable) for each variable."""
    root, leaves = parse(text).build(values)
    root.backward()
    return root.data, {name: leaf.grad for name, leaf in leaves.items()}


def same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


# --- values and gradients, against hand-derived numbers ---


@pytest.mark.parametrize("text", ["3*x**2 - 4*x + 5", "3*x^2 - 4*x + 5", " 3 * x ** 2-4*x+5 "])
def test_lecture_parabola(text):
    # f(x) = 3x² - 4x + 5, f(3) = 20, f'(x) = 6x - 4 = 14
    f, g = grads(text, x=3.0)
    assert f == pytest.approx(20.0)
    assert g["x"] == pytest.approx(14.0)


def test_lecture_neuron():
    f, g = grads("tanh(x1*w1 + x2*w2 + b)", x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432)
    assert f == pytest.approx(0.7071, abs=1e-4)
    assert g["x1"] == pytest.approx(-1.5, abs=1e-4)
    assert g["w1"] == pytest.approx(1.0, abs=1e-4)
    assert g["x2"] == pytest.approx(0.5, abs=1e-4)
    assert g["w2"] == pytest.approx(0.0, abs=1e-4)
    assert g["b"] == pytest.approx(0.5, abs=1e-4)


def test_reused_variable_is_one_leaf():
    root, leaves = parse("x*x + x").build({"x": 3.0})
    root.backward()
    assert [n for n in topological_order(root) if n.label == "x"] == [leaves["x"]]
    assert leaves["x"].grad == pytest.approx(7.0)  # 2x + 1


@pytest.mark.parametrize(
    ("text", "values", "f", "expected"),
    [
        ("a/b", {"a": 3.0, "b": 2.0}, 1.5, {"a": 0.5, "b": -0.75}),  # 1/b, -a/b²
        ("a - b", {"a": 3.0, "b": 2.0}, 1.0, {"a": 1.0, "b": -1.0}),
        ("exp(x)", {"x": 1.0}, math.e, {"x": math.e}),
        ("log(x)", {"x": 4.0}, math.log(4.0), {"x": 0.25}),
        ("sigmoid(x)", {"x": 0.0}, 0.5, {"x": 0.25}),
        ("relu(x) + relu(y)", {"x": -2.0, "y": 3.0}, 3.0, {"x": 0.0, "y": 1.0}),
        ("x**(1/2)", {"x": 4.0}, 2.0, {"x": 0.25}),
        ("x**-1", {"x": 2.0}, 0.5, {"x": -0.25}),
        ("-x**2", {"x": 3.0}, -9.0, {"x": -6.0}),
        ("a*b + c", {"a": 2.0, "b": -3.0, "c": 10.0}, 4.0, {"a": -3.0, "b": 2.0, "c": 1.0}),
    ],
)
def test_values_and_gradients(text, values, f, expected):
    got_f, got_g = grads(text, **values)
    assert got_f == pytest.approx(f)
    assert got_g == pytest.approx(expected)


@pytest.mark.parametrize("text", ["3*x**2 - 4*x + 5", "tanh(x*y + 1) / (1 + exp(-y))", "log(x*x + 1) - sigmoid(x/y)"])
def test_gradients_match_finite_differences(text):
    e = parse(text)
    point = {"x": 0.7, "y": -1.3}
    _, g = grads(text, **point)
    h = 1e-6
    for name in e.variables:
        up, down = dict(point), dict(point)
        up[name] += h
        down[name] -= h
        assert g[name] == pytest.approx((e.evaluate(up) - e.evaluate(down)) / (2 * h), rel=1e-5, abs=1e-7)


# --- precedence and grammar ---


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("-x**2", {"x": 3.0}, -9.0),
        ("(-x)**2", {"x": 3.0}, 9.0),
        ("2**3**2", {}, 512.0),
        ("2^3^2", {}, 512.0),
        ("(2**3)**2", {}, 64.0),
        ("2**-1", {}, 0.5),
        ("a-b-c", {"a": 10.0, "b": 3.0, "c": 2.0}, 5.0),
        ("a/b/c", {"a": 24.0, "b": 4.0, "c": 3.0}, 2.0),
        ("a+b*c", {"a": 2.0, "b": 3.0, "c": 4.0}, 14.0),
        ("(a+b)*c", {"a": 2.0, "b": 3.0, "c": 4.0}, 20.0),
        ("a*b**2", {"a": 2.0, "b": 3.0}, 18.0),
        ("--x", {"x": 3.0}, 3.0),
        ("+x - -x", {"x": 3.0}, 6.0),
        ("2*-x", {"x": 3.0}, -6.0),
        (".5 + 3. + 1e-3 + 2E5 + 1.5e+2", {}, 0.5 + 3.0 + 1e-3 + 2e5 + 150.0),
        ("exp(log(x))", {"x": 5.0}, 5.0),
        ("\tx\n*\r2", {"x": 3.0}, 6.0),
        ("inf + nan_1 + e", {"inf": 1.0, "nan_1": 2.0, "e": 3.0}, 6.0),  # just variable names
    ],
)
def test_precedence_and_syntax(text, values, expected):
    e = parse(text)
    assert e.evaluate(values) == pytest.approx(expected)
    assert e.build(values)[0].data == pytest.approx(expected)


def test_variables_in_order_of_first_appearance():
    assert parse("b*a + c*b + exp(a)").variables == ("b", "a", "c")
    assert list(parse("tanh(x1*w1 + x2*w2 + b)").variables) == ["x1", "w1", "x2", "w2", "b"]
    assert list(parse("2**3").variables) == []


def test_node_labels_and_ops():
    root, leaves = parse("exp(3*x**2)").build({"x": 2.0})
    assert leaves["x"].label == "x" and leaves["x"].data == 2.0
    assert root._op == "exp"
    product = root._prev[0]
    assert product._op == "*"
    three, square = product._prev
    assert three.label == "3" and three.data == 3.0
    assert square._op == "**2" and square._prev == (leaves["x"],)


def test_constant_formulas_build():
    root, leaves = parse("2**3").build({})
    assert root.data == 8.0 and leaves == {}
    assert parse("1.5").build({})[0].label == "1.5"


def test_build_is_fresh_each_time():
    e = parse("x*y")
    r1, l1 = e.build({"x": 2.0, "y": 3.0})
    r1.backward()
    r2, l2 = e.build({"x": 2.0, "y": 3.0})
    assert l2["x"] is not l1["x"] and l2["x"].grad == 0.0


def test_a_value_for_a_name_the_formula_lacks_is_left_alone():
    assert parse("x + 1").build({"x": 2.0, "unused": 9.0})[0].data == 3.0


def test_missing_value():
    e = parse("x + y")
    with pytest.raises(ExpressionError, match="no value given for 'y'") as info:
        e.evaluate({"x": 1.0})
    assert info.value.position == 4
    with pytest.raises(ExpressionError, match="no value given for 'x'"):
        e.build({})


def test_non_finite_values_propagate():
    e = parse("x*0 + 1/y + log(z)")
    assert math.isnan(e.evaluate({"x": math.inf, "y": 1.0, "z": 1.0}))
    assert e.evaluate({"x": 1.0, "y": 0.0, "z": 1.0}) == math.inf
    assert e.evaluate({"x": 1.0, "y": 1.0, "z": 0.0}) == -math.inf
    assert math.isnan(parse("x**(1/2)").evaluate({"x": -1.0}))
    assert parse("exp(x)").evaluate({"x": 1000.0}) == math.inf


def test_error_is_a_value_error_and_every_function_computes_the_same_both_ways():
    assert issubclass(ExpressionError, ValueError)
    assert set(FUNCTIONS) >= {"exp", "log", "tanh", "sigmoid", "relu"}  # the lecture's, at least
    for name in FUNCTIONS:
        e = parse(f"{name}(x)")
        for x in (-2.0, 0.5, 3.0):
            assert e.evaluate({"x": x}) == e.build({"x": x})[0].data or math.isnan(e.evaluate({"x": x}))


# --- evaluate() agrees with build() ---

FORMULAS = [
    "3*x**2 - 4*x + 5",
    "tanh(x*y + 1) / (1 + exp(-y))",
    "log(x) - sigmoid(x/y) + relu(y - x)",
    "x/y/x - y**-2 + (x*y)**3",
    "exp(x) * exp(-x) + x**(1/2) - y**0.5",
    "-x**3 + y^3^2 / (x - y)**2^(1/2)",
]
any_float = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FORMULAS), any_float, any_float)
def test_evaluate_equals_build(text, x, y):
    e = parse(text)
    values = {"x": x, "y": y}
    root, _ = e.build(values)
    assert same(e.evaluate(values), root.data)
    root.backward()  # never raises either


# --- limits and refusals ---

REFUSED = [
    ("__import__('os')", "unknown function"),
    ("x.grad", "'.'"),
    ("().__class__", "()"),
    ("9**9**9", "exponent"),
    ("2**200", "exponent"),
    ("x**(0/0)", "exponent"),
    ("x**y", "exp(y*log(x))"),
    ("2**x", "number exponents"),
    ("(" * 10000 + "x" + ")" * 10000, "too long"),
    ("-" * 10000 + "x", "too long"),
    ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), "nested too deeply"),
    ("-" * (MAX_DEPTH + 1) + "x", "nested too deeply"),
    ("x" + "**2" * (MAX_DEPTH + 1), "nested too deeply"),
    ("-".join(["x"] * 200), "nodes"),
    ("sin(x)", "exp, log, tanh, sigmoid, relu"),
    ("f(x)", "unknown function 'f'"),
    ("3x", "3*x"),
    ("2(x+1)", "2*(...)"),
    ("(x)(y)", "missing operator"),
    ("x y", "x*y"),
    ("", "empty"),
    ("   ", "empty"),
    ("\t\n", "empty"),
    ("ｘ+1", "U+FF58"),
    ("x\u200b+1", "U+200B"),
    ("x\u00a0+1", "U+00A0"),
    ("x \u2212 1", "U+2212"),
    ("2\u00d7x", "U+00D7"),
    ("x\u00b2", "**2"),
    ("\uff13", "U+FF13"),  # full-width digit 3: \d would have matched it
    ("x\x00", "U+0000"),
    ("1" * 100000, "too long"),
    ("1" * 51, "number"),
    ("1e999", "too large"),
    ("1.2.3", "'.'"),
    ("x +", "missing after '+'"),
    ("(x", "missing ')'"),
    ("exp(x", "missing ')'"),
    ("x)", "unexpected ')'"),
    ("*x", "unexpected '*'"),
    ("x ** * 2", "unexpected '*'"),
    ("x // 2", "unexpected '/'"),
    ("()", "empty parentheses"),
    ("exp()", "needs an argument"),
    ("exp(x, y)", "','"),
    ("exp + 1", "is a function"),
    ("tanh", "is a function"),
    ("x;y", "';'"),
    ("lambda: 1", "':'"),
    ("x = 1", "'='"),
    ("x[0]", "'['"),
    ('"x"', "quotes"),
    ("x @ y", "'@'"),
    ("x" * 600, "too long"),
]


@pytest.mark.parametrize(("text", "fragment"), REFUSED, ids=[repr(t[:20]) for t, _ in REFUSED])
def test_refused(text, fragment):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    message = str(info.value)
    assert fragment in message
    assert len(message) > 10
    assert info.value.position is None or 0 <= info.value.position <= len(text)


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("x.grad", 1, "'.' at position 1"),
        ("x + )", 4, "unexpected ')' at position 4"),
        ("(x", 2, "missing ')' for the '(' at position 0"),  # points where the ')' belongs
        ("3x", 1, "position 1"),
        ("ｘ+1", 0, "U+FF58 (FULLWIDTH LATIN SMALL LETTER X) at position 0"),
        ("x\u200b+1", 1, "U+200B (ZERO WIDTH SPACE) at position 1"),
        ("x**y", 3, "position 3"),
        ("sin(x)", 0, "'sin' at position 0"),
    ],
)
def test_error_positions(text, position, fragment):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.position == position
    assert fragment in str(info.value)


def test_errors_come_in_reading_order():
    # the unknown function is reported before the quote inside its call
    with pytest.raises(ExpressionError, match="unknown function '__import__'"):
        parse("__import__('os')")


def test_limits_are_inclusive():
    deep = "(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH
    assert parse(deep).evaluate({"x": 2.0}) == 2.0
    assert parse("-" * MAX_DEPTH + "x").evaluate({"x": 2.0}) == 2.0  # an even number of signs
    assert parse("x**100 + x**-100").evaluate({"x": 1.0}) == 2.0
    assert parse("1" * 50).evaluate({}) == float("1" * 50)


def test_node_limit_counts_the_values_built():
    # each '-' builds three Values: a + (b * -1); 1 + 166 * 3 = 499 nodes
    text = "-".join(["x"] * 167)
    root, _ = parse(text).build({"x": 1.0})
    assert len(topological_order(root)) == 499 <= MAX_NODES
    with pytest.raises(ExpressionError, match="nodes"):
        parse("-".join(["x"] * 168))


@pytest.mark.parametrize("piece", ["x/y--z", "-x-y", "-x/-y"])
def test_the_node_limit_is_exact_for_formulas_of_every_shape(piece):
    """A formula is refused exactly when its graph would have more than MAX_NODES Values (these shapes reach
    the node limit before the length limit)."""
    def size(k):
        root, _ = parse("+".join([piece] * k)).build({"x": 1.0, "y": 2.0, "z": 3.0})
        return len(topological_order(root))

    per_piece = size(2) - size(1)
    k = 1
    while True:
        try:
            parse("+".join([piece] * (k + 1)))
        except ExpressionError as err:
            assert "nodes" in str(err)
            break
        k += 1
    assert size(k) <= MAX_NODES < size(k) + per_piece  # the next piece would cross the limit


def test_non_text_is_refused():
    with pytest.raises(ExpressionError):
        parse(None)  # type: ignore[arg-type]


# --- fuzzing: nothing but ExpressionError, ever ---

PIECES = ["x", "y", "2", "0", ".5", "1e3", "e", "+", "-", "*", "/", "**", "^", "(", ")", " ", ".", ",", "'"]
PIECES += [f"{f}(" for f in FUNCTIONS] + ["sin(", "\u200b", "ｘ", "__class__"]


def check_safe(text: str) -> None:
    try:
        e = parse(text)
    except ExpressionError as err:
        assert str(err)
        return
    assert isinstance(e, Expression)
    values = dict.fromkeys(e.variables, 0.5)
    root, _ = e.build(values)
    assert same(e.evaluate(values), root.data)
    root.backward()


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_random_text_only_raises_expression_error(text):
    check_safe(text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_random_formulas_only_raise_expression_error(text):
    check_safe(text)


# --- the parser never hands text to Python ---


def test_no_eval_exec_compile_or_ast():
    source = Path(expr.__file__).read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w.])(eval|exec|compile|__import__)\s*\(", source)
    assert not re.search(r"^\s*(import|from)\s+ast\b", source, re.MULTILINE)
    calls = {
        node.func.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & {"eval", "exec", "compile", "__import__", "getattr", "setattr"}


@pytest.mark.parametrize(
    "text, says, not_says",
    [("sin(x)", "sin is not one of them", "sin*("), ("sqrt(x)", "x**0.5", "sqrt*("), ("ln(x)", "log(x)", "ln*("),
     ("x(1 + x)", "for a product write x*(...)", "not one of them")],
)
def test_an_unknown_function_gets_a_hint_that_fits_it(text, says, not_says):
    with pytest.raises(ExpressionError) as err:
        parse(text)
    assert says in str(err.value) and not_says not in str(err.value)
