"""The lecture's single neuron, o = tanh(x1*w1 + x2*w2 + b): built with the engine, by hand, and in PyTorch.

`micrograd_forward_backward` and `torch_forward_backward` are short and parallel on purpose: the
Neuron page shows their source side by side, so the code on screen is the code that ran.
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from micrograd_core.engine import Value

# the neuron's inputs, their lecture values and its builder are part of this lesson's interface
from .expressions import INPUTS, build_neuron
from .expressions import LECTURE_VALUES as LECTURE_VALUES
from .source import source


@dataclass(frozen=True)
class ManualLine:
    """One line of backprop by hand: which gradient, the chain rule in symbols and in numbers, the result."""

    name: str
    rule: str
    numbers: str
    grad: float

    @property
    def statement(self) -> str:
        """The line as the lecture writes it, e.g. `w1.grad = x1 · (x1*w1).grad = 2.0000 · 0.5000 = 1.0000`."""
        grad_of = self.name if self.name.isidentifier() else f"({self.name})"
        if self.numbers == self.rule:
            return f"{grad_of}.grad = {self.rule}"
        return f"{grad_of}.grad = {self.rule} = {self.numbers} = {_fmt(self.grad)}"


def manual_backprop(v: Mapping[str, float]) -> list[ManualLine]:
    """The lecture's backprop by hand, from the output to the inputs, with plain floats (no autograd)."""
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    o = math.tanh(n)
    g_o = 1.0
    g_n = (1 - o**2) * g_o
    g_sum = g_b = g_n  # + passes the gradient on unchanged
    g_x1w1 = g_x2w2 = g_sum
    f = _fmt
    return [
        ManualLine("o", "1", "1", g_o),
        ManualLine("n", "(1 − o²) · o.grad", f"(1 − {f(o)}²) · {f(g_o)}", g_n),
        ManualLine("x1*w1 + x2*w2", "1 · n.grad", f"1 · {f(g_n)}", g_sum),
        ManualLine("b", "1 · n.grad", f"1 · {f(g_n)}", g_b),
        ManualLine("x1*w1", "1 · (x1*w1 + x2*w2).grad", f"1 · {f(g_sum)}", g_x1w1),
        ManualLine("x2*w2", "1 · (x1*w1 + x2*w2).grad", f"1 · {f(g_sum)}", g_x2w2),
        ManualLine("x1", "w1 · (x1*w1).grad", f"{f(v['w1'])} · {f(g_x1w1)}", v["w1"] * g_x1w1),
        ManualLine("w1", "x1 · (x1*w1).grad", f"{f(v['x1'])} · {f(g_x1w1)}", v["x1"] * g_x1w1),
        ManualLine("x2", "w2 · (x2*w2).grad", f"{f(v['w2'])} · {f(g_x2w2)}", v["w2"] * g_x2w2),
        ManualLine("w2", "x2 · (x2*w2).grad", f"{f(v['x2'])} · {f(g_x2w2)}", v["x2"] * g_x2w2),
    ]


# each node's parent on the way back to o: the chain rule multiplies along this path
_PARENT = {"n": "o", "x1*w1 + x2*w2": "n", "b": "n", "x1*w1": "x1*w1 + x2*w2", "x2*w2": "x1*w1 + x2*w2",
           "x1": "x1*w1", "w1": "x1*w1", "x2": "x2*w2", "w2": "x2*w2"}


def chain_to(v: Mapping[str, float], name: str) -> list[ManualLine]:
    """The lines of `manual_backprop` on the path from o down to `name`, in that order."""
    lines = {line.name: line for line in manual_backprop(v)}
    path = [name]
    while path[-1] in _PARENT:
        path.append(_PARENT[path[-1]])
    return [lines[node] for node in reversed(path)]


def tanh_and_slope(ns: list[float]) -> list[tuple[float, float, float]]:
    """(n, tanh(n), its slope d tanh / dn) for each n, each from a Value's tanh and backward()."""
    rows = []
    for x in ns:
        n = Value(x)
        t = n.tanh()
        t.backward()
        rows.append((x, t.data, n.grad))
    return rows


def _fmt(x: float) -> str:
    return f"{x:.4f}" if abs(x) < 1e5 else f"{x:.4g}"


def torch_available() -> bool:
    """Whether PyTorch can be found here (it is not a requirement of the app)."""
    return importlib.util.find_spec("torch") is not None


# The next two functions are shown side by side on the page, line for line, and they are what runs there.
def micrograd_forward_backward(v):
    def leaf(name):
        return Value(v[name], label=name)

    x1, w1 = leaf("x1"), leaf("w1")
    x2, w2 = leaf("x2"), leaf("w2")
    b = leaf("b")
    n = x1 * w1 + x2 * w2 + b
    o = n.tanh()
    o.backward()
    return {"o": o.data,
            "x1": x1.grad,
            "x2": x2.grad,
            "w1": w1.grad,
            "w2": w2.grad,
            "b": b.grad}


def torch_forward_backward(v):
    import torch  # optional for this app

    def leaf(name):  # float64 = Python float
        return torch.tensor(
            [v[name]], dtype=torch.float64,
            requires_grad=True)

    x1, w1 = leaf("x1"), leaf("w1")
    x2, w2 = leaf("x2"), leaf("w2")
    b = leaf("b")
    n = x1 * w1 + x2 * w2 + b
    o = torch.tanh(n)
    o.backward()
    return {"o": o.item(),
            "x1": x1.grad.item(),
            "x2": x2.grad.item(),
            "w1": w1.grad.item(),
            "w2": w2.grad.item(),
            "b": b.grad.item()}


def runnable_source(func: Callable, v: Mapping[str, float], header: str = "") -> str:
    """`func`'s source as a script that runs on its own: header, the function, the values, a print of the call.

    Lines stay short (under 48 characters) so two scripts fit side by side.
    """
    values = "{" + ",\n          ".join(f'"{name}": {float(v[name])!r}' for name in INPUTS) + "}"
    head = f"{header}\n\n\n" if header else ""
    return f"{head}{source(func)}\n\nvalues = {values}\nprint({func.__name__}(values))\n"


def torch_neuron(v: Mapping[str, float]) -> dict[str, float] | None:
    """Output and input gradients from PyTorch in double precision, or None when torch cannot be imported."""
    if not torch_available():
        return None
    try:
        return torch_forward_backward(v)
    except (ImportError, OSError):  # found but broken, e.g. a missing shared library
        return None


RECORDING = Path(__file__).with_name("pytorch_recording.json")  # made by scripts/record_pytorch.py


@dataclass(frozen=True)
class Recorded:
    """What PyTorch computed for these inputs when it was recorded, and with which PyTorch, when."""

    results: dict[str, float]
    torch: str
    recorded: str


def recorded_torch(v: Mapping[str, float]) -> Recorded | None:
    """PyTorch's recorded results for exactly these inputs, or None when none was recorded for them."""
    recording = json.loads(RECORDING.read_text(encoding="utf-8"))
    for run in recording["runs"]:
        if run["inputs"] == {k: float(v[k]) for k in INPUTS}:
            return Recorded(run["results"], recording["torch"], recording["recorded"])
    return None


def micrograd_neuron(v: Mapping[str, float], tanh_from_exp: bool = False) -> dict[str, float]:
    """Output and input gradients from `build_neuron` (tanh as one op, or from exp), shaped like `torch_neuron`."""
    o, nodes = build_neuron(v, tanh_from_exp)
    o.backward()
    return {"o": o.data, **{name: nodes[name].grad for name in INPUTS}}
