"""Every operation of `Value`, forward and gradient, against PyTorch in float64 on random inputs.

Each expression is written once and run on both engines, as tinygrad's test_ops does: `Value` and a
torch tensor share `+ - * / **` and `.exp() .log() .tanh() .sigmoid() .relu()`. PyTorch is not a
requirement of the app; the tests install it (requirements-dev.txt) and under CI these must run.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from micrograd_core.engine import FUNCTIONS, Value
from tests.conftest import import_torch_or_skip

torch = import_torch_or_skip(
    reason="PyTorch is not installed (requirements-dev.txt installs it on Python 3.11 only): every "
        "comparison of the engine's operations with PyTorch's, about twenty tests, is skipped")

# name: (expression on two inputs, inputs' domain): each works on a Value and on a torch tensor alike
OPS = {
    "add": (lambda a, b: a + b, (-5, 5)),
    "sub": (lambda a, b: a - b, (-5, 5)),
    "mul": (lambda a, b: a * b, (-5, 5)),
    "div": (lambda a, b: a / b, (0.5, 5)),
    "neg": (lambda a, b: -a + b, (-5, 5)),
    "pow_int": (lambda a, b: a**3 + b**2, (-3, 3)),
    "pow_negative": (lambda a, b: a**-2 + b**-1, (0.5, 3)),
    "pow_fraction": (lambda a, b: a**0.5 + b**1.5, (0.1, 4)),
    "exp": (lambda a, b: a.exp() * b, (-3, 3)),
    "log": (lambda a, b: a.log() + b.log(), (0.1, 5)),
    "tanh": (lambda a, b: (a * b).tanh(), (-2, 2)),
    "sigmoid": (lambda a, b: (a - b).sigmoid(), (-4, 4)),
    "relu": (lambda a, b: (a * b).relu() + (a - b).relu(), (-3, 3)),
    "radd_rsub_rmul_rdiv": (lambda a, b: 2 + a - (3 - b) + 4 * a / (1 + b * b), (-3, 3)),
    "reuse": (lambda a, b: a * a + a * b + (a + b) * a, (-3, 3)),
}


def _call(name: str, x):
    """The operation `name` of a Value, or of a tensor: its method, else torch.nn.functional's (softplus)."""
    return getattr(x, name)() if hasattr(x, name) else getattr(torch.nn.functional, name)(x)


# every one-input operation of the engine, by its name, where a domain of its own is not given above
for _name in FUNCTIONS:
    OPS.setdefault(_name, (lambda a, b, name=_name: _call(name, a * b), (0.1, 3)))


def both(expression, a: float, b: float) -> tuple[list[float], list[float]]:
    """(output, da, db) from micrograd_core and from PyTorch."""
    va, vb = Value(a), Value(b)
    out = expression(va, vb)
    out.backward()
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    tout = expression(ta, tb)
    tout.backward()
    return [out.data, va.grad, vb.grad], [tout.item(), ta.grad.item(), tb.grad.item()]


@pytest.mark.parametrize("name", list(OPS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_each_operation_agrees_with_pytorch(name, data):
    expression, (lo, hi) = OPS[name]
    a = data.draw(st.floats(lo, hi, allow_nan=False), label="a")
    b = data.draw(st.floats(lo, hi, allow_nan=False), label="b")
    ours, theirs = both(expression, a, b)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("expression", "a", "b"), [
    (lambda a, b: (a * 1000).exp() * b, 1.0, 2.0),  # overflow: inf
    (lambda a, b: a.log() * b, 0.0, 2.0),  # log 0: -inf
    (lambda a, b: a.log() * b, -1.0, 2.0),  # log of a negative: nan
    (lambda a, b: a / b, 1.0, 0.0),  # divide by 0
    (lambda a, b: a**0.5 + b, -1.0, 1.0),  # a fractional power of a negative: nan
])
def test_numeric_faults_follow_pytorch(expression, a, b):
    ours, theirs = both(expression, a, b)
    for x, y in zip(ours, theirs):
        assert (math.isnan(x) and math.isnan(y)) or x == y, (ours, theirs)


def test_the_lectures_neuron_agrees_with_pytorch():
    def neuron(x, w):
        return (x * w + 6.8813735870195432 - 3 * x).tanh()

    ours, theirs = both(neuron, 2.0, 0.5)
    assert ours == pytest.approx(theirs, rel=1e-12)
