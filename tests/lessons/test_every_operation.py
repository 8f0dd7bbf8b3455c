"""Every one-input operation of the engine, through every place that takes one.

The engine's FUNCTIONS table is the one record of an operation: a new one added there must work in
a typed formula (on every page), in the chain-rule stepper, in the drawn graph, in the Bug lab's
gradient check and in the numpy activations, with nothing else to edit.
"""

from __future__ import annotations

import math

import pytest

from lessons import bug_lab
from lessons.expression_graph.walkthrough import backward_order, chain_rule, engine_source, node_names
from lessons.formulas import FUNCTIONS as FORMULA_FUNCTIONS
from lessons.formulas import parse
from lessons.mlp.activations import NUMPY_ACTIVATIONS, numpy_activation
from micrograd_core.engine import FUNCTIONS, Value
from micrograd_core.graph import draw_dot
from micrograd_core.nn import ACTIVATIONS, Neuron

NAMES = list(FUNCTIONS)
POINT = {"x": 0.7, "y": 1.3}  # inside every operation's domain (log needs x·y > 0)


def test_a_formula_may_call_every_operation_of_the_engine():
    assert set(FORMULA_FUNCTIONS) == set(FUNCTIONS)


@pytest.mark.parametrize("name", NAMES)
def test_a_typed_formula_computes_it_as_the_engine_does(name):
    expression = parse(f"{name}(x*y) + x")
    root, leaves = expression.build(POINT)
    direct = getattr(Value(POINT["x"]) * Value(POINT["y"]), name)() + POINT["x"]
    assert root.data == direct.data == expression.evaluate(POINT)
    assert FUNCTIONS[name].of_float(POINT["x"] * POINT["y"]) + POINT["x"] == pytest.approx(root.data, rel=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_the_chain_rule_stepper_writes_its_local_derivative_and_shows_its_code(name):
    root, _ = parse(f"{name}(x*y)").build(POINT)
    root.backward()
    names = node_names(root)
    node = next(n for n in backward_order(root) if n._op == name)
    (link,) = chain_rule(node, names)
    assert link.rule.startswith("∂") and "{" not in link.rule  # the derivative's text, filled in
    assert link.local == pytest.approx(node._local_grads[0])
    assert f"def {name}" in engine_source(name)


@pytest.mark.parametrize("name", NAMES)
def test_the_graph_draws_it(name):
    root, _ = parse(f"{name}(x*y)").build(POINT)
    assert f'label={name}' in draw_dot(root).source or f'label="{name}"' in draw_dot(root).source


@pytest.mark.parametrize("name", NAMES)
def test_the_bug_labs_gradient_check_passes_it_on_the_real_engine(name):
    check = bug_lab.run(parse(f"{name}(x*y) + x"), POINT)
    assert check.passes
    assert all(math.isfinite(leaf.numerical) for leaf in check.leaves)


def test_every_activation_of_a_neuron_has_its_numpy_twin_and_an_unknown_one_is_an_error():
    import numpy as np

    assert set(NUMPY_ACTIVATIONS) == set(ACTIVATIONS)
    z = np.linspace(-3, 3, 13)
    for name in ACTIVATIONS:
        neuron = Neuron(1, name, seed=0)
        neuron.w[0].data, neuron.b.data = 1.0, 0.0  # its output is the activation of its input
        engine, slopes = [], []
        for zi in z:
            x = Value(float(zi))
            out = neuron([x])
            out.backward()
            engine.append(out.data)
            slopes.append(x.grad)
        twin = numpy_activation(name)
        forward = twin.forward(z)
        assert forward == pytest.approx(engine, rel=1e-12, abs=1e-15)
        assert twin.slope(forward) == pytest.approx(slopes, rel=1e-9, abs=1e-12)
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        numpy_activation("softplus")
    with pytest.raises(ValueError, match="unknown activation"):
        Neuron(2, "softplus")
