"""AppTest of the MLP training page: numbers checked against the lecture's loop written out here with the engine.

Train is carried out by the server's scheduler (server.scheduler) in its own thread, so tests
that train rerun the page, as the live view's timer would, until what they wait for has happened.
Each test gets a scheduler of its own.
"""

import inspect
import math
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
from streamlit import dataframe_util

from lessons.mlp.settings import PRESETS, RunSettings, run_link
from lessons.mlp.training import Trainer, hinge_loss, squared_error_loss
from micrograd_core.nn import MLP
from tests.conftest import open_page, preset_box, shown
from ui.parts.mlp import live as parts
from ui.parts.mlp.settings import SETTINGS as MLP_SETTINGS

PAGE = "pages/mlp_training.py"


def lecture(query: dict[str, str] | None = None):
    """The page on the lecture's run (whatever the page's defaults), with `query` beside it."""
    return open_page(PAGE, {**run_link(PRESETS["Lecture"]), **(query or {})})
XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def lecture_loop(lrs, zero_grad=True, activation="tanh", seed=0):
    """The lecture's training loop by hand: one loss per learning rate in `lrs`, and the network after."""
    n = MLP(3, [4, 4, 1], activation, "tanh" if activation == "tanh" else "linear", seed=seed)
    losses = []
    for lr in lrs:
        ypred = [n(x) for x in XS]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred))
        if zero_grad:
            for p in n.parameters():
                p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += -lr * p.grad
        losses.append(loss.data)
    return losses, n


def lecture_loss(n) -> float:
    return sum((n(x).data - y) ** 2 for x, y in zip(XS, YS))


def rerun_until(at, condition, timeout: float = 60.0):
    """Rerun the page every 50 ms until `condition(at)` holds (a generous limit, not a speed test)."""
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        assert not at.exception, at.exception
        if condition(at):
            return at
        assert time.monotonic() < deadline, "the page never showed what the test waited for"
        time.sleep(0.05)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def step_count(at) -> int:
    return int(metrics(at)["step"])


def chart(at, i: int) -> dict[str, pd.DataFrame]:
    """The named datasets of one of the page's charts (0: loss, 1: targets or boundary, 2: accuracy), as sent."""
    kinds = [{"current"}, {"samples", "cells"}, {"accuracy"}][i]
    for element in at.get("vega_lite_chart"):
        datasets = {d.name: d for d in element.proto.datasets}
        if kinds & set(datasets):
            return {name: dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for name, d in datasets.items()}
    raise AssertionError(f"no chart with datasets {kinds}")


def loss_curve(at) -> list[float]:
    """The current run's curve as the loss chart draws it."""
    current = chart(at, 0)["current"]
    return list(current["loss"]) if len(current) else []


def kept_runs(at) -> list[str]:
    """The labels of the earlier runs the loss chart overlays, in order."""
    kept = chart(at, 0)["kept"]
    return list(dict.fromkeys(kept["run"])) if len(kept) else []


def graphs(at, mark: str) -> list[str]:
    """The Graphviz sources on the page holding `mark` ("u1_0": the network diagram; "score |": a sample's graph)."""
    return [g.proto.spec for g in at.get("graphviz_chart") if mark in g.proto.spec]


def table(at):
    """Every parameter with its data and grad (the chosen neuron's own table aside)."""
    return next(d.value for d in at.dataframe if "name" in d.value.columns)


def run_of(at):
    return at.session_state.mlp_run


def test_opens_on_the_lecture_preset():
    at = open_page(PAGE)
    assert not at.exception
    assert preset_box(at).value == "Lecture"
    assert "41 parameters" in " ".join(m.value for m in at.markdown)
    _, untrained = lecture_loop([])
    # the loss is there before any step, as the lecture computes it first
    assert float(metrics(at)["loss, all samples"]) == pytest.approx(lecture_loss(untrained), rel=1e-3)
    assert metrics(at)["step"] == "0" and metrics(at)["learning rate"] == "0.05"
    assert len(table(at)) == 41 and list(table(at)["grad"]) == [0.0] * 41
    samples = chart(at, 1)["samples"]
    assert list(samples["target"]) == YS and list(samples["sample"]) == [f"sample {i}" for i in range(1, 5)]
    assert list(samples["output"]) == pytest.approx([untrained(x).data for x in XS], abs=1e-12)
    # the graph of one sample is capped, and says so
    assert at.get("graphviz_chart") and any("left out" in c.value for c in at.caption)
    assert at.get("download_button")[0].label == "Download the loss history (CSV)"


def test_step_follows_the_lectures_loop():
    at = lecture()
    at.button(key="mlp_step").click().run()
    losses, n = lecture_loop([0.05])
    assert step_count(at) == 1
    assert loss_curve(at) == pytest.approx(losses, abs=1e-12)
    assert float(metrics(at)["loss, all samples"]) == pytest.approx(lecture_loss(n), rel=1e-3)  # after the update
    assert list(table(at)["data"]) == pytest.approx([p.data for p in n.parameters()], abs=1e-12)
    assert list(table(at)["grad"]) == pytest.approx([p.grad for p in n.parameters()], abs=1e-12)
    at.button(key="mlp_step").click().run()
    losses, _ = lecture_loop([0.05, 0.05])
    assert loss_curve(at) == pytest.approx(losses, abs=1e-12)
    assert losses[1] < losses[0]


def test_the_bars_keep_their_place_and_colour_as_they_move():
    at = lecture()
    before = chart(at, 1)["samples"]
    for _ in range(30):
        at.button(key="mlp_step").click().run()
    after = chart(at, 1)["samples"]
    assert list(after["sample"]) == list(before["sample"])  # each sample in its place
    assert list(after["output"]) != list(before["output"])
    spec = at.get("vega_lite_chart")[1].proto.spec
    assert "sample|" not in spec and '"sign"' not in spec  # colour by sample, not by the value's sign


def test_the_step_in_five_phases():
    at = lecture()
    labels = []
    for _ in range(5):
        labels.append(at.button(key="mlp_phase").label)
        at.button(key="mlp_phase").click().run()
        assert not at.exception
        if labels[-1] == "Phase: zero_grad":
            assert list(table(at)["grad"]) == [0.0] * 41
        if labels[-1] == "Phase: backward":  # the gradients are in, the weights not yet moved
            losses, n = lecture_loop([0.05])
            assert list(table(at)["grad"]) == pytest.approx([p.grad for p in n.parameters()], abs=1e-12)
            assert list(table(at)["data"]) == pytest.approx([p.data for p in lecture_loop([])[1].parameters()])
    assert labels == ["Phase: forward", "Phase: loss", "Phase: zero_grad", "Phase: backward", "Phase: update"]
    assert step_count(at) == 1
    _, n = lecture_loop([0.05])
    assert list(table(at)["data"]) == pytest.approx([p.data for p in n.parameters()], abs=1e-12)
    assert any("→ **update**" in m.value or "**update**" in m.value for m in at.markdown)


def test_learning_rate_changes_apply_to_the_running_model():
    at = lecture()
    at.button(key="mlp_step").click().run()
    at.select_slider(key="mlp_lr").set_value(0.2).run()
    assert not any("re-initialised" in i.value for i in at.info)
    at.button(key="mlp_step").click().run()
    losses, _ = lecture_loop([0.05, 0.2, 0.2])
    assert loss_curve(at) == pytest.approx(losses[:2], abs=1e-12)
    assert metrics(at)["learning rate"] == "0.2"
    assert preset_box(at).value == "(your own settings)"


def test_the_preset_box_is_drawn_anew_for_each_preset_it_shows():
    """A late report of the box's old value (sent with a live chart's redraw as a setting changed) names a
    box that is gone, so it cannot load the old preset over the new setting."""
    at = lecture()
    assert preset_box(at).key == "mlp_preset_Lecture" and preset_box(at).value == "Lecture"
    at.select_slider(key="mlp_lr").set_value(0.2).run()
    assert [b.key for b in at.selectbox if (b.key or "").startswith("mlp_preset_")] == [
        "mlp_preset_(your own settings)"]
    preset_box(at).set_value("Lecture").run()  # picking a preset in the box still loads it
    assert at.select_slider(key="mlp_lr").value == PRESETS["Lecture"].lr
    assert preset_box(at).key == "mlp_preset_Lecture"


def test_train_and_pause():
    at = lecture()
    at.button(key="mlp_train").click().run()
    assert run_of(at).training
    # each button keeps its place: the same spot pressed again never undoes the first press
    assert at.button(key="mlp_train").disabled and not at.button(key="mlp_pause").disabled
    rerun_until(at, lambda at: step_count(at) >= 1)
    first = step_count(at)
    rerun_until(at, lambda at: step_count(at) > first)  # it goes on by itself
    at.button(key="mlp_pause").click().run()
    assert not run_of(at).training
    assert not at.button(key="mlp_train").disabled and at.button(key="mlp_pause").disabled
    paused = step_count(at)
    time.sleep(0.3)
    at.run()
    assert step_count(at) == paused  # Pause stopped the steps
    assert loss_curve(at) == pytest.approx(lecture_loop([0.05] * paused)[0], abs=1e-12)
    at.button(key="mlp_train").click().run()  # and Train goes on from there
    rerun_until(at, lambda at: step_count(at) > paused)
    at.button(key="mlp_pause").click().run()
    assert loss_curve(at) == pytest.approx(lecture_loop([0.05] * step_count(at))[0], abs=1e-12)


def test_the_slow_pace_takes_a_step_a_second():
    at = lecture({"mlp_pace": "slow"})
    at.button(key="mlp_train").click().run()
    start = time.monotonic()
    time.sleep(1.6)
    at.button(key="mlp_pause").click().run()
    elapsed = time.monotonic() - start
    # one step at once, then one a second: never a burst (max pace takes hundreds here)
    assert 1 <= step_count(at) <= elapsed + 1


def test_reset_restores_the_start_and_keeps_the_curve_to_compare():
    at = lecture()
    for _ in range(3):
        at.button(key="mlp_step").click().run()
    at.button(key="mlp_reset").click().run()
    assert step_count(at) == 0
    _, untrained = lecture_loop([])
    assert list(table(at)["data"]) == pytest.approx([p.data for p in untrained.parameters()], abs=1e-12)
    assert kept_runs(at) == ["lr 0.05 · tanh 4-4"] and loss_curve(at) == []
    assert list(chart(at, 0)["kept"]["loss"]) == pytest.approx(lecture_loop([0.05] * 3)[0], abs=1e-12)
    # a second run with another learning rate joins the comparison
    at.select_slider(key="mlp_lr").set_value(0.5).run()
    at.button(key="mlp_step").click().run()
    at.button(key="mlp_reset").click().run()
    assert kept_runs(at) == ["lr 0.05 · tanh 4-4", "lr 0.5 · tanh 4-4"]
    at.button(key="mlp_clear").click().run()
    assert kept_runs(at) == []


def test_a_kept_run_is_named_by_the_settings_it_ran_with():
    # the lecture's flow: the bug on, train, the bug off, Reset, train
    at = lecture()
    at.toggle(key="mlp_forget_zero_grad").set_value(True).run()
    for _ in range(3):
        at.button(key="mlp_step").click().run()
    at.toggle(key="mlp_forget_zero_grad").set_value(False).run()
    at.button(key="mlp_reset").click().run()
    at.button(key="mlp_step").click().run()
    assert kept_runs(at) == ["lr 0.05 · tanh 4-4 · no zero_grad"]
    assert "no zero_grad" not in chart(at, 0)["current"]["run"][0]


def test_changing_the_model_reinitialises_with_a_notice():
    at = lecture()
    at.button(key="mlp_step").click().run()
    at.number_input(key="mlp_neurons").set_value(5).run()
    assert any("re-initialised" in i.value for i in at.info)
    assert step_count(at) == 0
    assert "MLP(3, [5, 5, 1])" in " ".join(m.value for m in at.markdown)
    assert "56 parameters" in " ".join(m.value for m in at.markdown)  # 4*5 + 6*5 + 6
    assert len(table(at)) == 56
    assert kept_runs(at) == ["lr 0.05 · tanh 4-4"]  # the 4-4 run is kept


def test_forgetting_zero_grad_accumulates_gradients():
    at = lecture()
    at.toggle(key="mlp_forget_zero_grad").set_value(True).run()
    assert any("zero_grad is off" in w.value for w in at.warning)
    at.button(key="mlp_step").click().run()
    at.button(key="mlp_step").click().run()
    buggy_losses, buggy = lecture_loop([0.05, 0.05], zero_grad=False)
    _, fresh = lecture_loop([0.05, 0.05])
    assert loss_curve(at) == pytest.approx(buggy_losses, abs=1e-12)
    grads = list(table(at)["grad"])
    assert grads == pytest.approx([p.grad for p in buggy.parameters()], abs=1e-12)
    assert grads != pytest.approx([p.grad for p in fresh.parameters()], abs=1e-6)


def test_forgotten_zero_grad_is_named_as_the_cause_not_the_learning_rate():
    at = lecture({"mlp_dataset": "moons", "mlp_forget_zero_grad": "1", "mlp_pace": "max"})
    at.button(key="mlp_train").click().run()
    rerun_until(at, lambda at: any("has not moved" in i.value for i in at.info), timeout=120)
    at.button(key="mlp_pause").click().run()
    message = next(i.value for i in at.info if "has not moved" in i.value)
    assert "zero_grad is off" in message and "Lower the learning rate" not in message


def test_huge_learning_rate_stops_with_an_explanation_a_spike_and_the_state_kept():
    at = lecture()
    at.selectbox(key="mlp_activation").set_value("relu").run()
    at.select_slider(key="mlp_lr").set_value(1e6).run()
    at.button(key="mlp_train").click().run()
    rerun_until(at, lambda at: not run_of(at).training)
    assert not at.exception
    assert len(at.error) == 1 and "learning rate 1e+06 is too large" in at.error[0].value
    kept = step_count(at)
    assert kept >= 1 and len(loss_curve(at)) == kept
    assert all(math.isfinite(v) for v in table(at)["data"])
    losses, _ = lecture_loop([1e6] * kept, activation="relu")
    assert loss_curve(at) == pytest.approx(losses, rel=1e-9)
    stop = chart(at, 0)["stop"]  # the step that blew up is drawn, above the curve
    assert list(stop["step"]) == [kept + 1] and stop["shown"][0] > max(losses)
    assert "stopped" in stop["text"][0]
    at.button(key="mlp_train").click().run()  # Train again: refused, state kept
    assert not run_of(at).training and step_count(at) == kept
    at.button(key="mlp_step").click().run()
    assert step_count(at) == kept and len(at.error) == 1
    at.button(key="mlp_reset").click().run()
    assert step_count(at) == 0 and not at.error


def test_a_loss_of_exactly_zero_stays_on_the_log_chart():
    # the zero_grad bug on the four samples: tanh saturates to exactly ±1 and the loss to exactly 0
    at = lecture({"mlp_forget_zero_grad": "1", "mlp_pace": "max"})
    at.button(key="mlp_train").click().run()
    rerun_until(at, lambda at: len(chart(at, 0)["zeros"]) > 0, timeout=120)
    at.button(key="mlp_pause").click().run()
    data = chart(at, 0)
    zeros = data["zeros"]
    assert (zeros["loss"] == 0).all() and (zeros["shown"] > 0).all()  # drawn on the floor, not dropped
    assert len(data["current"]) == step_count(at) and len(data["notes"]) == 1


def test_micrograd_demo_preset_draws_the_decision_boundary():
    at = lecture()
    preset_box(at).set_value("micrograd demo").run()
    assert not at.exception
    s = at.session_state
    assert (s.mlp_dataset, s.mlp_n_points, s.mlp_layers, s.mlp_neurons, s.mlp_activation, s.mlp_loss, s.mlp_lr,
            s.mlp_lr_decay) == ("moons", 100, 2, 16, "relu", "hinge", 1.0, True)
    assert "337 parameters" in " ".join(m.value for m in at.markdown)
    boundary = chart(at, 1)
    cells = boundary["cells"]
    assert len(cells) == 40 * 40
    from lessons.mlp.data import make_moons

    X, _ = make_moons(100, 0.1, seed=0)
    xs = np.linspace(X[:, 0].min() - 0.3, X[:, 0].max() + 0.3, 40)
    ys = np.linspace(X[:, 1].min() - 0.3, X[:, 1].max() + 0.3, 40)
    n = MLP(2, [16, 16, 1], "relu", "linear", seed=2)
    for k in (0, 841, 1599):
        cell = cells.iloc[k]
        assert cell.score == pytest.approx(n([float(xs[int(cell.j)]), float(ys[int(cell.i)])]).data, abs=1e-9)
    segments = boundary["boundary"]
    assert len(segments) > 10
    ends = [[float(r.x), float(r.y)] for r in segments.itertuples()]
    scores = sorted(abs(n(e).data) for e in ends)
    assert scores[len(scores) // 2] < 0.01 and scores[-1] < 0.2
    assert sorted(boundary["points"]["class"].value_counts().items()) == [("+1", 50), ("−1", 50)]
    assert len(at.get("vega_lite_chart")) == 4  # loss, accuracy, boundary, the hidden neurons' maps
    at.button(key="mlp_step").click().run()
    assert not np.array_equal(chart(at, 1)["cells"]["score"], cells["score"])  # the boundary moved with the step
    assert float(metrics(at)["learning rate"]) == pytest.approx(1 - 0.9 * 1 / 100, rel=1e-3)
    at.button(key="mlp_step").click().run()
    assert float(metrics(at)["learning rate"]) == pytest.approx(1 - 0.9 * 2 / 100, rel=1e-3)
    assert preset_box(at).value == "micrograd demo"


def test_widgets_stop_at_the_limits():
    at = lecture()
    assert at.number_input(key="mlp_layers").max == 4
    assert at.number_input(key="mlp_neurons").max == 32
    assert at.slider(key="mlp_n_points").max == 500
    assert any("Limits: 4 hidden layers, 32 neurons each, 500 points" in c.value for c in at.caption)


@pytest.mark.parametrize(
    "query, key, expected",
    [
        ({"mlp_layers": "9"}, "mlp_layers", 2),
        ({"mlp_neurons": "100"}, "mlp_neurons", 4),
        ({"mlp_n_points": "800", "mlp_dataset": "moons"}, "mlp_n_points", 100),
        ({"mlp_lr": "0.07"}, "mlp_lr", 0.05),
        ({"mlp_dataset": "iris"}, "mlp_dataset", "tiny"),
        ({"mlp_pace": "warp"}, "mlp_pace", "fast"),
    ],
)
def test_link_values_beyond_the_limits_fall_back_with_a_notice(query, key, expected):
    at = open_page(PAGE, query)
    assert not at.exception
    assert at.session_state[key] == expected
    assert any(key in w.value and "ignored" in w.value for w in at.warning)


def test_largest_model_trains_on_minibatches_with_a_message():
    query = {"mlp_dataset": "spiral", "mlp_n_points": "500", "mlp_layers": "4", "mlp_neurons": "32"}
    at = open_page(PAGE, query)
    assert not at.exception and not at.warning
    assert "3,297 parameters" in " ".join(m.value for m in at.markdown)  # 3*32 + 3*33*32 + 33
    note = [i.value for i in at.info if "minibatches" in i.value]
    assert len(note) == 1 and "minibatches of 18 samples" in note[0]  # 60,000 // (2*32 + 3*32*32 + 32)
    at.button(key="mlp_step").click().run()
    assert step_count(at) == 1 and not at.exception


def test_old_links_open_the_same_setup():
    query = {"mlp_dataset": "moons", "mlp_neurons": "16", "mlp_activation": "relu", "mlp_model_seed": "2",
             "mlp_loss": "hinge", "mlp_lr": "1", "mlp_lr_decay": "1", "mlp_batch_size": "all", "mlp_pace": "max"}
    at = open_page(PAGE, query)
    assert not at.exception and not at.warning
    assert preset_box(at).value == "micrograd demo"
    assert at.session_state.mlp_pace == "max"


def test_accuracy_chart_follows_the_steps():
    at = lecture()
    preset_box(at).set_value("micrograd demo").run()
    at.button(key="mlp_step").click().run()
    at.button(key="mlp_step").click().run()
    acc = chart(at, 2)["accuracy"]
    assert list(acc["step"]) == [1, 2]
    from lessons.mlp.data import make_moons

    X, y = make_moons(100, 0.1, seed=0)
    n = MLP(2, [16, 16, 1], "relu", "linear", seed=2)
    right = sum((n(list(map(float, x))).data > 0) == (t > 0) for x, t in zip(X, y))
    assert acc["accuracy"][0] == pytest.approx(right)  # percent of 100 points


def test_tanh_stuck_at_a_large_learning_rate_is_explained():
    at = lecture({"mlp_lr": "1", "mlp_pace": "max"})
    at.button(key="mlp_train").click().run()
    rerun_until(at, lambda at: any("has not moved" in i.value for i in at.info))
    at.button(key="mlp_pause").click().run()
    assert any("saturate" in i.value and "Lower the learning rate" in i.value for i in at.info)
    assert float(metrics(at)["loss, all samples"]) == pytest.approx(8.0)  # two of four outputs at the wrong sign


def test_presentation_mode_puts_every_setting_and_the_data_tools_in_reach_on_the_stage():
    at = lecture({"present": "1", "mlp_dataset": "moons"})
    assert not at.exception
    main = {w.key for w in at.main.select_slider} | {w.key for w in at.main.toggle} | {
        w.key for w in at.main.slider} | {w.key for w in at.main.number_input} | {w.key for w in at.main.selectbox}
    assert {"mlp_lr", "mlp_forget_zero_grad", "mlp_pace", "mlp_dataset", "mlp_n_points", "mlp_layers"} <= main
    assert not [w for w in at.sidebar.select_slider] and not [w for w in at.sidebar.slider]
    assert [b for b in at.main.button if b.key == "mlp_starter"]  # the class's own data, from the stage too
    assert at.get("file_uploader")
    at.button(key="mlp_step").click().run()
    assert step_count(at) == 1 and not at.exception


def test_sessions_do_not_share_a_model():
    a, b = lecture(), lecture()
    a.button(key="mlp_step").click().run()
    a.button(key="mlp_step").click().run()
    b.run()
    assert step_count(a) == 2 and step_count(b) == 0
    a.number_input(key="mlp_neurons").set_value(3).run()
    b.run()
    assert step_count(b) == 0 and len(table(b)) == 41 and len(table(a)) == 28


def test_the_sample_chosen_is_the_sample_drawn():
    at = lecture()
    at.number_input(key="mlp_sample").set_value(3).run()
    graph = graphs(at, "score |")[0]
    score = lecture_loop([])[1](XS[2]).data
    assert f"score | data {score:.4f}" in graph and f"loss | data {(score + 1) ** 2:.4f}" in graph
    assert any("Sample 3: inputs (0.5, 1, 1), target -1." in m.value for m in at.markdown)
    assert at.query_params["mlp_sample"] in (["3"], "3")


def test_the_network_is_shown_as_its_classes_and_a_diagram():
    at = lecture()
    codes = [c.value for c in at.code]
    assert any(c.startswith("class Neuron(Module)") for c in codes) and any(c.startswith("class MLP(") for c in codes)
    diagram = graphs(at, "u1_0")[0]
    assert diagram.count("penwidth") >= 12 + 16 + 4  # one edge per weight: 3x4 + 4x4 + 4x1
    assert any("layer 1: 16, layer 2: 20, layer 3: 5; 41 in all" in c.value for c in at.caption)


def test_the_code_shown_is_the_code_run():
    at = lecture()
    codes = [c.value.strip() for c in at.code]
    loop = next(c for c in codes if "def step_phases" in c)
    for method in (Trainer.step_phases, Trainer.backward, Trainer.update):
        assert textwrap.dedent(inspect.getsource(method)).strip() in loop
    assert inspect.getsource(squared_error_loss).strip() in codes
    at.selectbox(key="mlp_loss").set_value("hinge").run()
    assert any(inspect.getsource(hinge_loss).strip() in c.value for c in at.code)


def test_learning_rate_moved_while_training_applies_from_the_next_step():
    at = lecture({"mlp_pace": "steady"})
    at.button(key="mlp_train").click().run()
    rerun_until(at, lambda at: step_count(at) >= 2)
    at.select_slider(key="mlp_lr").set_value(0.2).run()
    rerun_until(at, lambda at: run_of(at).snapshot().reports[-1].lr == 0.2)
    at.button(key="mlp_pause").click().run()
    lrs = [r.lr for r in run_of(at).snapshot().reports]
    assert lrs[0] == 0.05 and lrs[-1] == 0.2
    assert lrs == sorted(lrs)  # 0.05 until the change, 0.2 after it
    assert loss_curve(at) == pytest.approx(lecture_loop(lrs)[0], abs=1e-12)


def test_a_run_whose_page_is_gone_pauses_itself_and_says_so(monkeypatch):
    monkeypatch.setattr(parts, "UNSEEN", 0.3)  # the page uses five minutes
    at = lecture()
    at.button(key="mlp_train").click().run()
    run = run_of(at)
    deadline = time.monotonic() + 30
    while run.training and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not run.training
    at.run()
    assert at.button(key="mlp_train").label == "Train"
    assert any("Training paused" in i.value for i in at.info)
    assert loss_curve(at) == pytest.approx(lecture_loop([0.05] * step_count(at))[0], abs=1e-12)


def test_an_unexpected_error_in_training_is_shown_and_the_page_keeps_working():
    at = lecture()
    run_of(at).trainer.loss = lambda *args: 1 / 0
    at.button(key="mlp_train").click().run()
    rerun_until(at, lambda at: not run_of(at).training)
    assert any("ZeroDivisionError" in shown(e.value) for e in at.error)
    at.number_input(key="mlp_model_seed").set_value(1).run()  # another run is not affected
    at.button(key="mlp_step").click().run()
    assert step_count(at) == 1 and not at.error


def test_students_on_the_same_settings_share_one_run_and_the_page_says_how_many_train():
    a, b = lecture({"mlp_pace": "slow"}), lecture({"mlp_pace": "slow"})
    a.button(key="mlp_train").click().run()
    b.button(key="mlp_train").click().run()
    rerun_until(b, lambda at: any("2 students are training" in c.value for c in at.caption))
    assert run_of(a).trajectory is run_of(b).trajectory  # computed once
    caption = next(c.value for c in b.caption if "students are training" in c.value)
    assert "on 1 run " in caption
    a.number_input(key="mlp_model_seed").set_value(3).run()  # another model: a run of its own
    a.button(key="mlp_train").click().run()
    rerun_until(b, lambda at: any("on 2 runs" in c.value for c in at.caption))


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_presets_link_opens_the_preset(name):
    at = open_page(PAGE, run_link(PRESETS[name]))
    assert not at.exception and not at.warning
    on_page = RunSettings(**{s.stands_for: at.session_state[s.key] for s in MLP_SETTINGS})
    assert on_page.run_key() == PRESETS[name].run_key()


def test_a_point_can_be_added_by_its_coordinates_without_a_mouse():
    """The keyboard's way to do what a click on the plot does: type x1, x2 and the class, then Add (or Enter)."""
    at = open_page(PAGE, run_link(RunSettings(dataset="moons", n_points=20, neurons=4)))
    at.number_input(key="mlp_type_x1").set_value(0.25)
    at.number_input(key="mlp_type_x2").set_value(-0.5)
    at.radio(key="mlp_type_class").set_value("−1")
    at.button(key="FormSubmitter:mlp_type_point-Add the point").click().run(timeout=60)
    assert not at.exception
    settings = at.session_state["mlp_run"].settings
    assert settings.dataset == "custom" and len(settings.own_points) == 21
    assert settings.own_points[-1] == (0.25, -0.5, -1.0)  # the 20 moons, then the point typed
    assert any("Added a point of class −1 at (0.25, -0.5)" in s.value for s in at.success)



def test_a_point_can_be_removed_by_its_number_without_a_mouse():
    """The number is the one the plane's table of numbers gives it; the last point of a class stays, with why."""
    at = open_page(PAGE, run_link(RunSettings(dataset="moons", n_points=20, neurons=4)))
    at.button(key="mlp_starter").click().run(timeout=60)  # (−1, 0) of class +1 and (1, 0) of class −1
    at.number_input(key="mlp_type_x1").set_value(0.5)
    at.number_input(key="mlp_type_x2").set_value(0.5)
    at.button(key="FormSubmitter:mlp_type_point-Add the point").click().run(timeout=60)
    at.number_input(key="mlp_remove_k").set_value(1)
    at.button(key="FormSubmitter:mlp_remove_point-Remove the point").click().run(timeout=60)
    assert not at.exception
    assert at.session_state["mlp_run"].settings.own_points == ((1.0, 0.0, -1.0), (0.5, 0.5, 1.0))
    assert any("Removed point 1." in s.value for s in at.success)
    at.number_input(key="mlp_remove_k").set_value(1)  # now the only −1
    at.button(key="FormSubmitter:mlp_remove_point-Remove the point").click().run(timeout=60)
    assert at.session_state["mlp_run"].settings.own_points == ((1.0, 0.0, -1.0), (0.5, 0.5, 1.0))
    assert any("last point of its class" in e.value for e in at.error)
    at.number_input(key="mlp_remove_k").set_value(9)
    at.button(key="FormSubmitter:mlp_remove_point-Remove the point").click().run(timeout=60)
    assert any("There is no point 9: the plane has 2." in e.value for e in at.error)
