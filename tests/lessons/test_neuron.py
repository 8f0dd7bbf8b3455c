"""Tests of lessons.neuron against the neuron's hand-derived gradients."""

import ast
import contextlib
import io
import json
import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import neuron
from lessons.neuron import (
    LECTURE_VALUES,
    build_neuron,
    chain_to,
    manual_backprop,
    micrograd_forward_backward,
    micrograd_neuron,
    runnable_source,
    torch_forward_backward,
    torch_neuron,
)
from micrograd_core.engine import topological_order
from tests.conftest import import_torch_or_skip
from tests.fake_torch import fake_torch


def hand(v):
    """o and the gradients of o, derived on paper: do/dn = 1 - o², then the chain rule through * and +."""
    n = v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"]
    o = math.tanh(n)
    dn = 1 - o * o
    return {"o": o, "x1": v["w1"] * dn, "w1": v["x1"] * dn, "x2": v["w2"] * dn, "w2": v["x2"] * dn, "b": dn}


def assert_matches(got, expected, tol=1e-9):
    assert got.keys() == expected.keys()
    for k in expected:
        assert got[k] == pytest.approx(expected[k], rel=tol, abs=tol), k


def test_lecture_values():
    got = micrograd_neuron(LECTURE_VALUES)
    assert got["o"] == pytest.approx(0.7071, abs=1e-4)
    assert (got["x1"], got["w1"], got["x2"], got["w2"], got["b"]) == pytest.approx((-1.5, 1.0, 0.5, 0.0, 0.5))
    assert LECTURE_VALUES["b"] == 6.8813735870195432  # chosen so that n = atanh(1/√2)
    assert math.tanh(2 * -3 + LECTURE_VALUES["b"]) == pytest.approx(1 / math.sqrt(2), abs=1e-15)


values = st.fixed_dictionaries({k: st.floats(-4, 4) for k in ("x1", "x2", "w1", "w2")} | {"b": st.floats(-10, 10)})


@settings(max_examples=100, deadline=None)
@given(values)
def test_every_engine_version_and_the_manual_lines_agree_with_hand_formulas(v):
    expected = hand(v)
    for tanh_from_exp in (False, True):
        assert_matches(micrograd_neuron(v, tanh_from_exp), expected)
    assert_matches(micrograd_forward_backward(v), expected)
    lines = {line.name: line.grad for line in manual_backprop(v)}
    for k in ("x1", "w1", "x2", "w2", "b"):
        assert lines[k] == pytest.approx(expected[k], rel=1e-12, abs=1e-12)


def test_graph_names_and_ops():
    o, nodes = build_neuron(LECTURE_VALUES)
    assert o.label == "o" and o._op == "tanh" and nodes["n"]._op == "+"
    o2, nodes2 = build_neuron(LECTURE_VALUES, tanh_from_exp=True)
    assert o2._op == "*" and "e" not in nodes2  # o = (e - 1) * (e + 1)**-1
    assert "exp" in {v._op for v in topological_order(o2)} and "tanh" not in {v._op for v in topological_order(o2)}
    assert o2.data == pytest.approx(o.data)


def test_manual_lines_show_their_numbers():
    lines = manual_backprop(LECTURE_VALUES)
    assert [ln.name for ln in lines][:2] == ["o", "n"]
    n_line = lines[1]
    assert n_line.numbers == "(1 − 0.7071²) · 1.0000" and n_line.grad == pytest.approx(0.5)
    assert lines[0].statement == "o.grad = 1"
    w1 = next(ln for ln in lines if ln.name == "w1")
    assert w1.statement == "w1.grad = x1 · (x1*w1).grad = 2.0000 · 0.5000 = 1.0000"


@pytest.mark.parametrize(
    "name, path",
    [
        ("w1", ["o", "n", "x1*w1 + x2*w2", "x1*w1", "w1"]),
        ("x2", ["o", "n", "x1*w1 + x2*w2", "x2*w2", "x2"]),
        ("b", ["o", "n", "b"]),
        ("o", ["o"]),
    ],
)
def test_chain_to_follows_the_path_from_o(name, path):
    assert [line.name for line in chain_to(LECTURE_VALUES, name)] == path


def run_snippet(code: str, **modules) -> str:
    """Run a code snippet as a script (our own source, never user text) and return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__", **modules})  # noqa: S102
    return out.getvalue()


def test_shown_micrograd_code_runs_on_its_own_and_prints_the_gradients():
    v = {"x1": 0.5, "x2": -1.25, "w1": 2.0, "w2": 0.75, "b": 6.8813735870195432}
    code = runnable_source(micrograd_forward_backward, v, "from micrograd_core.engine import Value")
    assert code.startswith("from micrograd_core.engine import Value") and "6.881373587019543}" in code
    printed = run_snippet(code)
    assert_matches(ast.literal_eval(printed), hand(v))


@pytest.mark.parametrize("func", [micrograd_forward_backward, torch_forward_backward])
def test_shown_code_is_narrow_enough_for_two_columns(func):
    v = {"x1": -0.12345678901234568, "x2": -3.999999999999999, "w1": 1e-300, "w2": 0.1, "b": -9.87654321012345}
    code = runnable_source(func, v, "from micrograd_core.engine import Value")
    assert max(len(line) for line in code.splitlines()) <= 48


def test_shown_torch_code_runs_with_a_stand_in_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", fake_torch())
    code = runnable_source(torch_forward_backward, LECTURE_VALUES)
    assert "import torch" in code and "requires_grad=True" in code and "float64" in code
    assert_matches(ast.literal_eval(run_snippet(code)), hand(LECTURE_VALUES))


def test_torch_absent(monkeypatch):
    monkeypatch.setattr(neuron.importlib.util, "find_spec", lambda name: None)
    assert torch_neuron(LECTURE_VALUES) is None


def test_torch_found_but_not_importable(monkeypatch):
    monkeypatch.setattr(neuron, "torch_available", lambda: True)
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    assert torch_neuron(LECTURE_VALUES) is None


def test_torch_neuron_uses_torch_when_present(monkeypatch):
    monkeypatch.setattr(neuron, "torch_available", lambda: True)
    monkeypatch.setitem(sys.modules, "torch", fake_torch(tanh_scale=1.5))  # a wrong tanh shows through
    v = dict(LECTURE_VALUES)
    assert torch_neuron(v)["o"] == pytest.approx(math.tanh(1.5 * math.atanh(1 / math.sqrt(2))))


def test_real_torch_agrees_to_1e_12():
    import_torch_or_skip(reason="PyTorch is not installed here")
    v = {"x1": -1.3, "x2": 2.7, "w1": 0.4, "w2": -0.9, "b": 1.1}
    assert_matches(torch_neuron(v), hand(v), tol=1e-12)  # float64 throughout
    assert_matches(torch_neuron(LECTURE_VALUES), micrograd_forward_backward(LECTURE_VALUES), tol=1e-12)


def test_every_line_of_the_manual_backprop_reads_as_the_lecture_writes_it():
    statements = [line.statement for line in manual_backprop(LECTURE_VALUES)]
    assert statements == [
        "o.grad = 1",
        "n.grad = (1 − o²) · o.grad = (1 − 0.7071²) · 1.0000 = 0.5000",
        "(x1*w1 + x2*w2).grad = 1 · n.grad = 1 · 0.5000 = 0.5000",
        "b.grad = 1 · n.grad = 1 · 0.5000 = 0.5000",
        "(x1*w1).grad = 1 · (x1*w1 + x2*w2).grad = 1 · 0.5000 = 0.5000",
        "(x2*w2).grad = 1 · (x1*w1 + x2*w2).grad = 1 · 0.5000 = 0.5000",
        "x1.grad = w1 · (x1*w1).grad = -3.0000 · 0.5000 = -1.5000",
        "w1.grad = x1 · (x1*w1).grad = 2.0000 · 0.5000 = 1.0000",
        "x2.grad = w2 · (x2*w2).grad = 1.0000 · 0.5000 = 0.5000",
        "w2.grad = x2 · (x2*w2).grad = 0.0000 · 0.5000 = 0.0000",
    ]


def test_the_recording_of_pytorch_is_what_pytorch_computes_for_the_code_shown():
    """A hosted app without PyTorch shows its recording: wherever PyTorch is installed, it is recomputed."""
    recording = json.loads(neuron.RECORDING.read_text(encoding="utf-8"))
    assert recording["runs"] and recording["torch"] and recording["recorded"]
    for run in recording["runs"]:
        assert neuron.recorded_torch(run["inputs"]).results == run["results"]
        ours = neuron.micrograd_forward_backward(run["inputs"])
        assert ours == pytest.approx(run["results"], abs=1e-12)  # the engine agrees with the recording too
    assert neuron.recorded_torch({**LECTURE_VALUES, "w1": 2.0}) is None
    import_torch_or_skip(reason="PyTorch is not installed: the recording is checked where it is")
    for run in recording["runs"]:
        assert neuron.torch_forward_backward(run["inputs"]) == pytest.approx(run["results"], abs=1e-15)
