"""AppTest of the Neuron page: sliders and exact inputs, hand-derived gradients, the exp toggle, the quiz, PyTorch."""

import math

import pytest

from micrograd_core import neuron
from tests.conftest import open_page

PAGE = "pages/neuron.py"


def hand(x1, x2, w1, w2, b):
    n = x1 * w1 + x2 * w2 + b
    o = math.tanh(n)
    dn = 1 - o * o
    return n, o, {"x1": w1 * dn, "w1": x1 * dn, "x2": w2 * dn, "w2": x2 * dn, "b": dn}


def metric(at, label_start):
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def backprop_table(at):
    return at.table[0].value.set_index("gradient of")


def test_lecture_defaults():
    at = open_page(PAGE)
    assert not at.exception
    assert metric(at, "o = tanh") == "0.7071" and metric(at, "do/dn") == "0.5000"
    table = backprop_table(at)
    assert list(table.loc[["x1", "w1", "x2", "w2", "b"], "backward()"]) == pytest.approx([-1.5, 1.0, 0.5, 0.0, 0.5])
    assert list(table["by hand"]) == pytest.approx(list(table["backward()"]))
    assert len(at.get("graphviz_chart")) == 1 and len(at.get("plotly_chart")) == 1


def test_sliders_change_values_and_gradients():
    at = open_page(PAGE)
    at.slider(key="neuron_x2").set_value(1.5).run()
    at.slider(key="neuron_w1").set_value(-1.0).run()
    at.slider(key="neuron_b").set_value(0.25).run()
    n, o, grads = hand(2.0, 1.5, -1.0, 1.0, 0.25)
    assert metric(at, "n =") == f"{n:.4f}" and metric(at, "o = tanh") == f"{o:.4f}"
    table = backprop_table(at)
    for k, g in grads.items():
        assert table.loc[k, "backward()"] == pytest.approx(g)
    assert at.number_input(key="neuron_x2_exact").value == 1.5  # the exact input follows the slider
    assert at.query_params["neuron_b"] in ("0.25", ["0.25"])


def test_exact_number_input_moves_the_slider():
    at = open_page(PAGE)
    at.number_input(key="neuron_w2_exact").set_value(0.123456789).run()
    assert at.slider(key="neuron_w2").value == pytest.approx(0.123456789)
    at.slider(key="neuron_x2").set_value(2.0).run()
    _, _, grads = hand(2.0, 2.0, -3.0, 0.123456789, 6.8813735870195432)
    assert backprop_table(at).loc["w2", "backward()"] == pytest.approx(grads["w2"])


def test_large_bias_saturates_and_gradients_vanish():
    at = open_page(PAGE)
    at.slider(key="neuron_b").set_value(10.0).run()
    assert any("Saturated" in w.value for w in at.warning)
    _, o, grads = hand(2.0, 0.0, -3.0, 1.0, 10.0)
    assert abs(grads["w1"]) < 0.01  # from 1.0 at the lecture's bias
    assert backprop_table(at).loc["w1", "backward()"] == pytest.approx(grads["w1"])


def test_exp_toggle_changes_the_graph_not_the_numbers():
    at = open_page(PAGE)
    before = at.get("graphviz_chart")[0].proto.spec
    at.toggle(key="neuron_exp").set_value(True).run()
    after = at.get("graphviz_chart")[0].proto.spec
    assert "exp" in after and "exp" not in before
    table = at.table[1].value
    assert list(table["difference"].abs()) == pytest.approx([0.0] * 6, abs=1e-12)
    assert metric(at, "o = tanh") == "0.7071"


def test_quiz_hides_gradients_then_checks_right_and_wrong_answers():
    at = open_page(PAGE)
    at.toggle(key="neuron_quiz").set_value(True).run()
    assert "grad ?" in at.get("graphviz_chart")[0].proto.spec
    assert metric(at, "do/dn") == "?" and not at.table  # no table gives the answer away
    at.selectbox(key="neuron_quiz_target").set_value("w1").run()
    at.number_input(key="neuron_quiz_answer").set_value(0.5).run()
    next(b for b in at.button if b.label == "Check").click().run()
    assert at.error and "Not quite" in at.error[0].value and "1.0000" in at.error[0].value
    at.number_input(key="neuron_quiz_answer").set_value(1.0004).run()
    next(b for b in at.button if b.label == "Check").click().run()
    assert at.success and "Right" in at.success[0].value


def test_lecture_values_button_restores_defaults():
    at = open_page(PAGE, {"neuron_w1": "2"})
    assert at.slider(key="neuron_w1").value == 2.0
    next(b for b in at.button if b.label == "Lecture's values").click().run()
    assert at.slider(key="neuron_w1").value == -3.0 and metric(at, "o = tanh") == "0.7071"


def test_pytorch_panel_without_torch(monkeypatch):
    monkeypatch.setattr(neuron, "torch_available", lambda: False)
    at = open_page(PAGE)
    assert not at.exception
    assert any("PyTorch is not installed" in i.value for i in at.info)
    assert any("import torch" in c.value for c in at.code)  # the code is shown either way


def test_pytorch_panel_with_torch():
    pytest.importorskip("torch")
    at = open_page(PAGE)
    assert any("agree" in s.value for s in at.success)
    table = at.table[2].value
    assert list(table["difference"].abs()) == pytest.approx([0.0] * 6, abs=1e-6)


@pytest.mark.parametrize("raw", ["20", "x", "nan"])
def test_bad_url_value_falls_back(raw):
    at = open_page(PAGE, {"neuron_b": raw})
    assert not at.exception and at.slider(key="neuron_b").value == pytest.approx(6.8813735870195432)
    assert any("neuron_b" in w.value for w in at.warning)
