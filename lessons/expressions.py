"""The lecture's expressions, built with the engine: shared by the lessons that show them.

L = (a*b + c) * f (the lecture's first expression), the example from micrograd's README, and the neuron
o = tanh(x1*w1 + x2*w2 + b) (the lecture's neuron). Each builder takes the leaf values by name and
returns the output and its nodes, named as in the lecture.
"""

from __future__ import annotations

from collections.abc import Mapping

from micrograd_core.engine import Value


def lecture_expression(v: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """L = (a*b + c) * f, named as in the lecture."""
    a, b = Value(v["a"], label="a"), Value(v["b"], label="b")
    c, f = Value(v["c"], label="c"), Value(v["f"], label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, {"a": a, "b": b, "c": c, "f": f}


def readme_expression(v: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """The example from micrograd's README: g = 24.7041 at a = -4, b = 2."""
    a, b = Value(v["a"], label="a"), Value(v["b"], label="b")
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
    for node, name in ((c, "c"), (d, "d"), (e, "e"), (f, "f"), (g, "g")):
        node.label = name
    return g, {"a": a, "b": b}


INPUTS = ("x1", "x2", "w1", "w2", "b")
# b chosen in the lecture so that n = 0.8814 and o = tanh(n) = 0.7071 (= 1/sqrt(2))
LECTURE_VALUES: dict[str, float] = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


def build_neuron(v: Mapping[str, float], tanh_from_exp: bool = False) -> tuple[Value, dict[str, Value]]:
    """Forward pass of the neuron; returns the output o and every node by its lecture name."""
    x1, x2 = Value(v["x1"], label="x1"), Value(v["x2"], label="x2")
    w1, w2 = Value(v["w1"], label="w1"), Value(v["w2"], label="w2")
    b = Value(v["b"], label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    if tanh_from_exp:  # tanh(n) = (e^(2n) - 1) / (e^(2n) + 1)
        e = (2 * n).exp()
        e.label = "e"
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    o.label = "o"
    nodes = {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "x1*w1": x1w1, "x2*w2": x2w2,
             "x1*w1 + x2*w2": x1w1x2w2, "n": n, "o": o}
    return o, nodes
