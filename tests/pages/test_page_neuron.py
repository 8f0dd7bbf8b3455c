"""AppTest of the Neuron page: sliders and exact inputs, hand-derived gradients, the exp toggle, the quiz, PyTorch."""

import json
import math
import sys
import time

import pytest

from lessons import neuron
from tests.conftest import import_torch_or_skip, open_page
from tests.conftest import shown as rendered
from tests.fake_torch import fake_torch

PAGE = "pages/neuron.py"
LECTURE = dict(x1=2.0, x2=0.0, w1=-3.0, w2=1.0, b=6.8813735870195432)


def hand(x1, x2, w1, w2, b):
    n = x1 * w1 + x2 * w2 + b
    o = math.tanh(n)
    dn = 1 - o * o
    return n, o, {"x1": w1 * dn, "w1": x1 * dn, "x2": w2 * dn, "w2": x2 * dn, "b": dn}


def metric(at, label_start):
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def table_with(at, column):
    """The first table that has `column`, indexed by its first column; cells are the text the user sees."""
    frame = next(t.value for t in at.table if column in t.value.columns)
    return frame.set_index(frame.columns[0])


def shown(cell) -> float:
    return float(cell)


def assert_backprop_table(at, grads, exact=None):
    table = table_with(at, "backward()")
    for k, g in grads.items():
        assert shown(table.loc[k, "backward()"]) == pytest.approx(g, abs=5e-5), k
        assert shown(table.loc[k, "by hand"]) == pytest.approx(g, abs=5e-5), k


def test_lecture_defaults():
    at = open_page(PAGE)
    assert not at.exception
    assert metric(at, "o = tanh") == "0.7071" and metric(at, "do/dn") == "0.5000"
    assert_backprop_table(at, {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5, "n": 0.5, "o": 1.0})
    table = table_with(at, "backward()")
    assert table.loc["n", "with numbers"] == "(1 − 0.7071²) · 1.0000"
    assert table.loc["w1", "with numbers"] == "2.0000 · 0.5000"
    assert len(at.get("graphviz_chart")) == 1 and len(at.get("plotly_chart")) == 1
    assert "rankdir=TB" in at.get("graphviz_chart")[0].proto.spec
    assert float(at.text_input(key="neuron_b_exact").value) == 6.8813735870195432  # exact, not the slider's grid


def test_sliders_change_values_and_gradients():
    at = open_page(PAGE)
    at.slider(key="neuron_x2").set_value(1.5).run()
    at.slider(key="neuron_w1").set_value(-1.0).run()
    at.slider(key="neuron_b").set_value(0.25).run()
    n, o, grads = hand(2.0, 1.5, -1.0, 1.0, 0.25)
    assert metric(at, "n =") == f"{n:.4f}" and metric(at, "o = tanh") == f"{o:.4f}"
    assert metric(at, "do/dn") == f"{1 - o * o:.4f}"
    assert_backprop_table(at, grads)
    assert f"data {o:.4f}" in at.get("graphviz_chart")[0].proto.spec
    assert f"grad {grads['w1']:.4f}" in at.get("graphviz_chart")[0].proto.spec
    assert at.text_input(key="neuron_x2_exact").value == "1.5"  # the exact input follows the slider
    assert at.query_params["neuron_b"] in ("0.25", ["0.25"])


def test_exact_number_input_moves_the_slider():
    at = open_page(PAGE)
    at.text_input(key="neuron_w2_exact").set_value("0.123456789").run()
    assert at.slider(key="neuron_w2").value == pytest.approx(0.123456789)
    at.slider(key="neuron_x2").set_value(2.0).run()
    assert at.text_input(key="neuron_w2_exact").value == "0.123456789"  # not rounded by the slider
    _, _, grads = hand(2.0, 2.0, -3.0, 0.123456789, LECTURE["b"])
    assert_backprop_table(at, grads)


def test_chart_shows_the_operating_point_and_tangent():
    at = open_page(PAGE)
    at.slider(key="neuron_w1").set_value(-2.5).run()
    n, o, _ = hand(2.0, 0.0, -2.5, 1.0, LECTURE["b"])
    traces = {t["name"]: t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
    point = traces["(n, o)"]
    assert (point["x"][0], point["y"][0]) == pytest.approx((n, o))
    tangent = traces[f"tangent, slope {1 - o * o:.4f}"]
    (x0, x1), (y0, y1) = tangent["x"], tangent["y"]
    assert (y1 - y0) / (x1 - x0) == pytest.approx(1 - o * o) and x0 < n < x1


def test_large_bias_saturates_and_gradients_vanish():
    at = open_page(PAGE)
    assert not any("Saturated" in w.value for w in at.warning)
    at.slider(key="neuron_b").set_value(10.0).run()
    assert any("Saturated" in w.value for w in at.warning)
    _, o, grads = hand(2.0, 0.0, -3.0, 1.0, 10.0)
    assert abs(grads["w1"]) < 0.01  # from 1.0 at the lecture's bias
    assert_backprop_table(at, grads)
    at.slider(key="neuron_b").set_value(-10.0).run()
    assert any("Saturated: o = -1.0000" in w.value for w in at.warning)


def test_exp_toggle_changes_the_graph_not_the_numbers():
    at = open_page(PAGE)
    before = at.get("graphviz_chart")[0].proto.spec
    at.toggle(key="neuron_exp").set_value(True).run()
    after = at.get("graphviz_chart")[0].proto.spec
    assert "exp" in after and "exp" not in before and "tanh" in before and "tanh" not in after
    assert after.count("data ") > before.count("data ")
    table = table_with(at, "tanh from exp, −, +, /")
    assert [abs(shown(d)) for d in table["difference"]] == pytest.approx([0.0] * 6, abs=1e-12)
    assert shown(table.loc["w1", "tanh from exp, −, +, /"]) == pytest.approx(1.0)
    assert metric(at, "o = tanh") == "0.7071"
    assert_backprop_table(at, {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5})  # backward() of exp graph
    assert at.query_params["neuron_exp"] in ("1", ["1"])


def click(at, label):
    next(b for b in at.button if b.label == label).click().run()


def test_quiz_hides_gradients_then_checks_right_and_wrong_answers():
    at = open_page(PAGE)
    at.toggle(key="neuron_quiz").set_value(True).run()
    spec = at.get("graphviz_chart")[0].proto.spec
    assert "grad ?" in spec and "grad 0.5000" not in spec
    assert metric(at, "do/dn") == "?" and not at.table and not at.code  # nothing gives the answer away
    assert "0.5000" not in at.get("plotly_chart")[0].proto.spec
    at.selectbox(key="neuron_quiz_target").set_value("w1").run()
    at.number_input(key="neuron_quiz_answer").set_value(0.5).run()
    click(at, "Check")
    message = at.error[0].value
    assert "Not quite" in message and "do/dw1 = 1.0000" in message
    assert "w1.grad = x1 · (x1*w1).grad = 2.0000 · 0.5000 = 1.0000" in rendered(message)  # the chain, in numbers
    at.number_input(key="neuron_quiz_answer").set_value(1.0004).run()
    click(at, "Check")
    assert at.success and "Right" in at.success[0].value and not at.error


def test_quiz_on_other_values_and_reveal():
    at = open_page(PAGE, {"neuron_x2": "1.5", "neuron_b": "-0.5"})
    at.toggle(key="neuron_quiz").set_value(True).run()
    at.selectbox(key="neuron_quiz_target").set_value("x2").run()
    _, _, grads = hand(2.0, 1.5, -3.0, 1.0, -0.5)
    at.number_input(key="neuron_quiz_answer").set_value(round(grads["x2"], 4)).run()
    click(at, "Check")
    assert at.success and f"do/dx2 = {grads['x2']:.4f}" in at.success[0].value
    click(at, "Reveal the gradients")
    assert not at.toggle(key="neuron_quiz").value
    assert f"grad {grads['x2']:.4f}" in at.get("graphviz_chart")[0].proto.spec


def test_lecture_values_button_restores_defaults():
    at = open_page(PAGE, {"neuron_w1": "2"})
    assert at.slider(key="neuron_w1").value == 2.0
    click(at, "Lecture's values")
    assert at.slider(key="neuron_w1").value == -3.0 and metric(at, "o = tanh") == "0.7071"
    assert at.text_input(key="neuron_w1_exact").value == "-3"


def test_pytorch_panel_without_torch_shows_the_recording_for_the_values_recorded(monkeypatch):
    monkeypatch.setattr(neuron.importlib.util, "find_spec", lambda name: None)
    at = open_page(PAGE)  # the lecture's values: PyTorch was recorded for them
    assert not at.exception
    recorded = neuron.recorded_torch(LECTURE)
    column = f"PyTorch {recorded.torch} (recorded)"
    table = table_with(at, column)
    assert shown(table.loc["w1", column]) == pytest.approx(recorded.results["w1"], abs=1e-12)
    assert any("recorded on" in c.value and recorded.recorded in c.value for c in at.caption)
    assert any("agree" in s.value for s in at.success)
    at = open_page(PAGE, {"neuron_w1": "2"})  # values never recorded: only the live column, and why
    assert any("PyTorch is not installed" in i.value and "pip install torch" in i.value for i in at.info)
    codes = [c.value for c in at.code]
    assert any("import torch" in c for c in codes) and any("from micrograd_core" in c for c in codes)
    table = table_with(at, "micrograd_core")
    assert not [c for c in table.columns if "PyTorch" in c]


def test_pytorch_panel_with_a_stand_in_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", fake_torch())
    at = open_page(PAGE, {"neuron_w2": "0.5", "neuron_x2": "-1"})
    _, o, grads = hand(2.0, -1.0, -3.0, 0.5, LECTURE["b"])
    table = table_with(at, "PyTorch")
    assert shown(table.loc["o", "PyTorch"]) == pytest.approx(o, abs=1e-9)
    assert shown(table.loc["w2", "PyTorch"]) == pytest.approx(grads["w2"], abs=1e-9)
    assert any("agree" in s.value for s in at.success)
    assert any('"w2": 0.5' in c.value for c in at.code)  # the shown code carries the current values


def test_pytorch_panel_reports_a_disagreement(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", fake_torch(tanh_scale=1.01))
    at = open_page(PAGE)
    assert not at.success and any("differ" in e.value for e in at.error)


def test_pytorch_panel_with_real_torch():
    import_torch_or_skip(reason="PyTorch is not installed here")
    at = open_page(PAGE, {"neuron_x1": "-1.25"})
    deadline = time.monotonic() + 60
    while not at.success and time.monotonic() < deadline:  # PyTorch loads in the background, once
        assert any("Loading PyTorch" in c.value for c in at.caption)
        time.sleep(0.2)
        at.run()
    assert any("agree" in s.value for s in at.success)
    table = table_with(at, "PyTorch")
    _, o, grads = hand(-1.25, 0.0, -3.0, 1.0, LECTURE["b"])
    assert shown(table.loc["b", "PyTorch"]) == pytest.approx(grads["b"], abs=1e-9)
    assert [abs(shown(d)) for d in table["difference"]] == pytest.approx([0.0] * 6, abs=1e-6)


def test_presentation_mode_hides_exact_inputs():
    at = open_page(PAGE, {"present": "1"})
    assert not at.exception and not at.text_input and len(at.slider) == 5


@pytest.mark.parametrize("raw", ["20", "x", "nan"])
def test_bad_url_value_falls_back(raw):
    at = open_page(PAGE, {"neuron_b": raw})
    assert not at.exception and at.slider(key="neuron_b").value == pytest.approx(LECTURE["b"])
    assert any("neuron_b" in w.value for w in at.warning)


def test_left_to_right_layout_from_the_link():
    at = open_page(PAGE, {"neuron_layout": "LR"})
    assert not at.exception and "rankdir=LR" in at.get("graphviz_chart")[0].proto.spec
    at.radio(key="neuron_layout").set_value("TB").run()
    assert "rankdir=TB" in at.get("graphviz_chart")[0].proto.spec and "neuron_layout" not in at.query_params


def test_the_neuron_of_the_brain_is_drawn_beside_its_model_with_words_for_every_part():
    at = open_page("pages/neuron.py")
    svg = next(m.value for m in at.markdown if m.value.startswith("<svg"))
    for part in ("dendrites", "cell body", "axon", "x1·w1", "x2·w2", "o = tanh(n)", 'role="img"', "aria-label"):
        assert part in svg, part
