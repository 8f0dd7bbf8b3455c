"""AppTest of the MLP page's network opened up: the diagram and a chosen neuron, the neurons' maps, held-out
data, equal initial weights, the class's own points (links, files, the dataset switch) and the numpy run."""

from dataclasses import replace

import numpy as np
import pytest
from streamlit import dataframe_util

from lessons.mlp.points import LINK_POINTS, PointsError, write_csv
from lessons.mlp.runs import hidden_maps
from lessons.mlp.settings import CUSTOM, PRESETS, RunSettings, held_out_data, make_data, make_model
from tests.conftest import open_page, preset_box
from tests.pages.test_page_mlp_training import chart, graphs, metrics, rerun_until, step_count
from ui.palette import HIGHLIGHT
from ui.parts.mlp import data as data_part

PAGE = "pages/mlp_training.py"
MOONS = {"mlp_dataset": "moons", "mlp_n_points": "40", "mlp_lr": "0.1"}
MOONS_SETTINGS = RunSettings(dataset="moons", n_points=40, lr=0.1)


def datasets(at, name: str, last: bool = False) -> dict:
    """The named datasets of the (first, or `last`) chart that has a dataset called `name`."""
    charts = [{d.name: d for d in element.proto.datasets} for element in at.get("vega_lite_chart")]
    found = [c for c in charts if name in c]
    assert found, f"no chart with a dataset {name}"
    chosen = found[-1] if last else found[0]
    return {k: dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for k, d in chosen.items()}


def test_choosing_a_neuron_shows_its_formula_numbers_and_marks_it_in_the_diagram():
    at = open_page(PAGE)
    at.button(key="mlp_step").click().run()
    at.selectbox(key="mlp_neuron").set_value((2, 3)).run()
    assert not at.exception
    model = at.session_state.mlp_run.model()
    neuron = model.layers[1].neurons[2]
    formula = next(c.value for c in at.code if c.value.startswith("tanh("))
    assert formula.count("·h") == 4 and f"{neuron.w[0].data:.3g}" in formula
    diagram = graphs(at, "u1_0")[0]
    assert f'u2_2 [label=3 fillcolor="{HIGHLIGHT}"' in diagram and diagram.count(HIGHLIGHT) == 1
    table = next(d.value for d in at.dataframe if "parameter" in d.value.columns)
    assert list(table["data"]) == pytest.approx([*(w.data for w in neuron.w), neuron.b.data])
    assert list(table["grad"]) == pytest.approx([*(w.grad for w in neuron.w), neuron.b.grad])
    assert any(g != 0 for g in table["grad"])  # the gradients of the step just taken


def test_the_neurons_maps_are_what_each_hidden_neuron_computes():
    at = open_page(PAGE, MOONS)
    maps = datasets(at, "maps")["maps"]
    assert sorted(set(maps["neuron"])) == sorted([f"L{i}.N{n}" for i in (1, 2) for n in (1, 2, 3, 4)][1:] +
                                                  ["L1.N1 ◀"])
    model = make_model(MOONS_SETTINGS)
    X, _ = make_data(MOONS_SETTINGS)
    expected = hidden_maps(model, X)
    l2n3 = maps[maps["neuron"] == "L2.N3"]
    assert len(l2n3) == 24 * 24
    for row in l2n3.iloc[[0, 100, 575]].itertuples():
        assert row.out == pytest.approx(expected[1][2][row.i, row.j], abs=1e-12)
    at.button(key="mlp_step").click().run()
    assert not np.array_equal(datasets(at, "maps")["maps"]["out"], maps["out"])  # redrawn from the new weights


def test_held_out_data_is_drawn_hollow_and_measured_beside_the_training_data():
    at = open_page(PAGE, {**MOONS, "mlp_test_fraction": "0.3"})
    settings = replace(MOONS_SETTINGS, test_fraction=0.3)
    plane = datasets(at, "cells")
    assert len(plane["points"]) == 28 and len(plane["held_out"]) == 12
    assert sorted(plane["held_out"]["k"]) == list(range(28, 40))
    assert "held-out loss" in metrics(at) and "held-out accuracy" in metrics(at)
    for _ in range(3):
        at.button(key="mlp_step").click().run()
    loss = chart(at, 0)
    assert len(loss["held_out"]) == 3 and set(loss["held_out"]["run"]) == {"held-out (dashed)"}
    tX, ty = held_out_data(settings)
    assert float(metrics(at)["held-out loss"]) > 0 and len(tX) == 12
    accuracy = chart(at, 2)["accuracy"]
    assert sorted(set(accuracy["set"])) == ["held-out samples", "training batch"]


def test_equal_initial_weights_are_said_to_keep_the_neurons_alike():
    at = open_page(PAGE, {**MOONS, "mlp_init": "constant"})
    assert any("same weights" in i.value for i in at.info)
    at.button(key="mlp_step").click().run()
    assert any("same weights" in i.value for i in at.info)
    maps = datasets(at, "maps")["maps"]
    first = [maps[maps["neuron"].str.startswith(f"L1.N{n}")]["out"].to_numpy() for n in (1, 2, 3, 4)]
    assert all(np.array_equal(first[0], f) for f in first[1:])
    assert not any("same weights" in i.value for i in open_page(PAGE, MOONS).info)


def test_the_symmetry_and_overfitting_presets_load():
    at = open_page(PAGE)
    preset_box(at).set_value("Symmetry").run()
    assert at.session_state.mlp_init == "constant" and any("same weights" in i.value for i in at.info)
    preset_box(at).set_value("Overfitting").run()
    assert at.session_state.mlp_test_fraction == 0.5 and "held-out loss" in metrics(at) and not at.exception


POINTS = ((0.5, 0.5, 1.0), (-0.5, -0.25, -1.0), (0.25, -0.75, 1.0))


def test_the_class_s_own_points_come_from_the_link_and_go_back_into_it():
    at = open_page(PAGE, {"mlp_dataset": "custom", "mlp_own_points": "0.5:0.5:1;-0.5:-0.25:-1;0.25:-0.75:1"})
    assert not at.exception and at.session_state.mlp_own_points == POINTS
    plane = datasets(at, "cells")["points"]
    assert plane[["x1", "x2"]].to_numpy().tolist() == [[0.5, 0.5], [-0.5, -0.25], [0.25, -0.75]]
    at.session_state["mlp_own_points"] = (*POINTS, (0.0, 1.0, -1.0))  # a point added (what a click on the plane does)
    at.run()
    assert at.query_params["mlp_own_points"] in (["0.5:0.5:1;-0.5:-0.25:-1;0.25:-0.75:1;0:1:-1"],
                                           "0.5:0.5:1;-0.5:-0.25:-1;0.25:-0.75:1;0:1:-1")
    assert len(datasets(at, "cells")["points"]) == 4


def test_adding_a_point_while_training_trains_on_with_the_new_point():
    at = open_page(PAGE, {"mlp_dataset": "custom", "mlp_own_points": "0.5:0.5:1;-0.5:-0.25:-1;0.25:-0.75:1",
                          "mlp_pace": "max"})
    at.button(key="mlp_train").click().run()
    rerun_until(at, lambda a: step_count(a) >= 3)
    at.session_state["mlp_own_points"] = (*POINTS, (0.0, 1.0, -1.0))
    at.run()
    assert any("The data changed" in i.value for i in at.info)
    rerun_until(at, lambda a: step_count(a) >= 2 and a.session_state.mlp_run.training)
    assert len(at.session_state.mlp_run.trainer.X) == 4
    at.button(key="mlp_pause").click().run()


def test_switching_to_your_own_points_starts_from_the_set_shown_and_says_a_link_cannot_hold_them():
    at = open_page(PAGE, {"mlp_dataset": "moons"})
    at.selectbox(key="mlp_dataset").set_value(CUSTOM).run()
    assert not at.exception
    X, y = make_data(RunSettings(dataset="moons"))
    points = at.session_state.mlp_own_points
    assert [list(p[:2]) for p in points] == X and [p[2] for p in points] == y
    assert "mlp_own_points" not in at.query_params
    assert any(f"more than a link holds ({LINK_POINTS})" in c.value for c in at.sidebar.caption)
    download = next(b for b in at.get("download_button") if "points" in b.proto.label)
    assert download.proto.label == "Save these points (CSV)"


def test_a_link_to_your_own_points_without_them_says_so_and_offers_a_way_on():
    at = open_page(PAGE, {"mlp_dataset": "custom"})
    assert not at.exception
    assert any("needs at least one of each class" in w.value for w in at.warning)
    at.button(key="mlp_empty_plane").click().run()
    assert not at.exception and at.session_state.mlp_own_points == data_part.STARTER
    assert len(datasets(at, "cells")["points"]) == 2


@pytest.mark.parametrize("link", ["1:2", "0:0:5", "a:b:1", "nan:1:1", "1e9:1:1", "<b>x</b>:1:1"])
def test_a_malformed_points_link_falls_back_with_a_notice(link):
    at = open_page(PAGE, {"mlp_dataset": "custom", "mlp_own_points": link})
    assert not at.exception
    assert any("mlp_own_points" in w.value for w in at.warning)  # the link's value is named, quoted, and set aside


def test_every_file_problem_has_its_own_words_with_the_files_text_quoted():
    codes = ["empty", "too_big", "too_many", "columns", "number", "finite", "label", "one_class"]
    texts = [data_part.file_problem(PointsError(code, 3, "**x**")) for code in codes]
    assert len(set(texts)) == len(codes)
    assert all("**x**" not in t for t in texts if "x" in t)  # the file's text never becomes Markdown
    assert "Row 3" in data_part.file_problem(PointsError("number", 3, "a,b,c"))
    assert "mix" in data_part.file_problem(PointsError("label", 0, "−1, 0 and 1 together"))


def test_points_are_saved_as_the_csv_the_page_reads():
    at = open_page(PAGE, {"mlp_dataset": "custom", "mlp_own_points": "0.5:0.5:1;-0.5:-0.25:-1;0.25:-0.75:1"})
    download = next(b for b in at.get("download_button") if b.proto.label == "Save these points (CSV)")
    assert download.proto.url  # served by the page; the text is write_csv's, tested with read_csv
    assert write_csv(POINTS).splitlines()[0] == "x1,x2,label"


def test_the_same_run_in_numpy_agrees_step_by_step_and_is_faster():
    at = open_page(PAGE)
    assert at.button(key="mlp_twin").disabled
    for _ in range(5):
        at.button(key="mlp_step").click().run()
    at.button(key="mlp_twin").click().run()
    assert not at.exception
    shown = metrics(at)
    assert shown["steps redone"] == "5"
    assert float(shown["largest difference, step by step"]) < 1e-12
    assert float(shown["times faster per step"].rstrip("×").replace(",", "")) > 1
    twin = datasets(at, "kept", last=True)
    assert set(twin["kept"]["run"]) == {"numpy"} and len(twin["kept"]) == 5
    assert any("lies on the Value engine's curve" in c.value for c in at.caption)
    assert any("def train_in_numpy" in c.value for c in at.code)


def test_the_numpy_run_is_said_to_part_on_a_chaotic_run():
    preset = PRESETS["Overfitting"]
    at = open_page(PAGE, {"mlp_dataset": "moons", "mlp_n_points": "30", "mlp_noise": "0.4", "mlp_neurons": "16",
                          "mlp_lr": "0.05", "mlp_test_fraction": "0.5", "mlp_pace": "max"})
    assert preset_box(at).value == "Overfitting" and preset.test_fraction == 0.5
    at.button(key="mlp_train").click().run()
    rerun_until(at, lambda a: step_count(a) >= 60)
    at.button(key="mlp_pause").click().run()
    at.button(key="mlp_twin").click().run()
    assert float(metrics(at)["largest difference, step by step"]) < 1e-12
    assert any("parts from the engine's at step" in c.value for c in at.caption)


def test_a_run_with_adam_shows_what_adam_keeps_beside_data_and_grad():
    from lessons.mlp.settings import run_link

    at = open_page("pages/mlp_training.py", run_link(replace(PRESETS["Lecture"], optimizer="Adam", lr=0.01)))
    assert not at.exception, at.exception
    for _ in range(3):
        at.button(key="mlp_step").click().run(timeout=60)
    run = at.session_state.mlp_run
    table = next(d.value for d in at.dataframe if "name" in d.value.columns)
    state = run.trajectory.trainer.optimiser.state()
    assert list(table["m"]) == [s["m"] for s in state] and list(table["v"]) == [s["v"] for s in state]
    assert run.trajectory.trainer.optimiser.t == 3
    assert at.selectbox(key="mlp_optimizer").value == "Adam"
    at.button(key="mlp_twin").click().run(timeout=60)  # the numpy run steps with Adam too
    assert float(metrics(at)["largest difference, step by step"]) < 1e-12
    assert any("lies on the Value engine's curve" in c.value for c in at.caption)
