"""Tests for ui.training_figures: what each Vega-Lite chart draws, and specs that stay put as the numbers change."""

import numpy as np
import pytest

from ui.palette import NEGATIVE as NEGATIVE_COLOR
from ui.palette import POSITIVE as POSITIVE_COLOR
from ui.plane_figures import boundary_chart
from ui.training_figures import (
    EMPTY_TEXT,
    HELD_OUT,
    accuracy_chart,
    loss_chart,
    neuron_maps_chart,
    targets_chart,
)


def without_data(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k != "datasets"}


def rows(spec: dict, name: str) -> list[dict]:
    return spec["datasets"][name].to_dict("records")


def edge_at(formula: str, column: int, row: int) -> float:
    """Value of an edge formula "start + datum.j * spacing ± half" for one cell."""
    start, _, index, _, spacing, sign, half = formula.split()
    k = column if index == "datum.j" else row
    return float(start) + k * float(spacing) + (1 if sign == "+" else -1) * float(half)


def test_loss_chart_draws_earlier_runs_under_the_current_one():
    kept = [("lr 0.05 · tanh 4-4", [1, 2, 3], [4.0, 2.0, 1.0])]
    spec = loss_chart([1, 2], [5.0, 3.0], "this run", kept)
    assert [r["loss"] for r in rows(spec, "kept")] == [4.0, 2.0, 1.0]
    assert {r["run"] for r in rows(spec, "kept")} == {kept[0][0]}
    assert [(r["step"], r["loss"]) for r in rows(spec, "current")] == [(1, 5.0), (2, 3.0)]
    assert rows(spec, "dots") == rows(spec, "current") and rows(spec, "empty") == []
    color = spec["layer"][1]["encoding"]["color"]["scale"]
    assert color == {"domain": [kept[0][0], "this run"], "range": [color["range"][0], POSITIVE_COLOR]}
    assert spec["layer"][0]["mark"]["opacity"] < 1 and spec["layer"][1]["encoding"]["y"]["scale"]["type"] == "log"


def test_loss_chart_says_what_to_do_when_empty_and_drops_dots_on_long_curves():
    empty = loss_chart([], [], "this run")
    assert rows(empty, "empty") == [{"text": EMPTY_TEXT}] and rows(empty, "kept") == []
    long = loss_chart(list(range(1, 42)), [1.0] * 41, "this run")
    assert rows(long, "dots") == [] and len(rows(long, "current")) == 41


def test_a_redraw_changes_the_data_only():
    """Streamlit updates a Vega-Lite chart in place only while its spec is unchanged."""
    a = loss_chart([1], [5.0], "this run")
    b = loss_chart([1, 2, 3], [5.0, 2.0, 0.5], "this run")
    assert without_data(a) == without_data(b)
    assert without_data(accuracy_chart([1], [0.5])) == without_data(accuracy_chart([1, 2], [0.5, 0.9]))
    assert without_data(targets_chart([0.1, -3.0], [1, -1])) == without_data(targets_chart([0.9, -0.2], [1, -1]))
    xs, ys = np.linspace(-1, 1, 3), np.linspace(-2, 2, 3)
    points = ([[0.0, 0.0]], [1.0])
    first = boundary_chart(xs, ys, np.zeros((3, 3)), [], *points)
    later = boundary_chart(xs, ys, np.ones((3, 3)), [(0.0, 0.0, 1.0, 1.0)], *points)
    assert without_data(first) == without_data(later)


def test_accuracy_in_percent():
    spec = accuracy_chart([1, 2], [0.5, 0.75])
    assert rows(spec, "accuracy") == [{"step": 1, "accuracy": 50.0, "set": "training batch"},
                                      {"step": 2, "accuracy": 75.0, "set": "training batch"}]
    both = accuracy_chart([1, 2], [0.5, 0.75], held_out=[0.25, 1.0])
    assert [(r["set"], r["accuracy"]) for r in rows(both, "accuracy")] == [
        ("training batch", 50.0), ("training batch", 75.0), ("held-out samples", 25.0), ("held-out samples", 100.0)]
    dash = both["layer"][0]["encoding"]["strokeDash"]["scale"]
    assert dict(zip(dash["domain"], dash["range"])) == {"training batch": [1, 0], "held-out samples": [7, 4]}


def test_targets_chart_keeps_each_sample_in_its_place_and_colour_and_shows_values():
    spec = targets_chart([0.25, -0.5], [1.0, -1.0])
    samples = rows(spec, "samples")
    assert [r["sample"] for r in samples] == ["sample 1", "sample 2"]  # the category never changes with the value
    assert [r["value"] for r in samples] == ["0.250", "-0.500"] and [r["target"] for r in samples] == [1.0, -1.0]
    color = spec["layer"][0]["encoding"]["color"]
    assert color["field"] == "sample" and color["scale"]["range"][:2] == [POSITIVE_COLOR, NEGATIVE_COLOR]
    flipped = targets_chart([-0.25, 0.5], [1.0, -1.0])  # the values change sign: nothing else changes
    assert [r["sample"] for r in rows(flipped, "samples")] == ["sample 1", "sample 2"]
    assert without_data(flipped) == without_data(spec)


def test_loss_chart_puts_an_exact_zero_on_its_floor_and_marks_a_stop():
    spec = loss_chart([1, 2, 3], [0.5, 0.01, 0.0], "this run", stop=None)
    current = rows(spec, "current")
    assert [r["shown"] for r in current][:2] == [0.5, 0.01] and current[2]["shown"] == pytest.approx(1e-3)
    assert [r["step"] for r in rows(spec, "zeros")] == [3] and len(rows(spec, "notes")) == 1
    stopped = loss_chart([1, 2], [1.0, 2.0], "this run", stop=(3, float("inf")))
    assert rows(stopped, "stop")[0]["step"] == 3 and rows(stopped, "stop")[0]["shown"] == pytest.approx(200.0)
    assert "inf" in rows(stopped, "stop")[0]["text"]
    assert without_data(stopped) == without_data(loss_chart([1], [1.0], "this run"))


def test_boundary_chart_cells_boundary_and_classes():
    xs, ys = np.linspace(-1, 1, 3), np.linspace(-2, 2, 3)
    z = np.array([[-1.0, 0.5, 1.0], [-0.5, 0.2, 0.8], [-0.2, 0.1, 0.3]])
    X, y = [[0.0, 0.0], [1.0, 1.0], [-1.0, 0.5]], [1.0, -1.0, 1.0]
    spec = boundary_chart(xs, ys, z, [(0.1, 0.2, 0.3, 0.4)], X, y)
    cells = rows(spec, "cells")
    assert len(cells) == 9 and [c["score"] for c in cells] == z.ravel().tolist()  # row by row, along x
    assert [(c["i"], c["j"]) for c in cells[:4]] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    # the spec turns a cell's row and column into its edges: centred on its grid point, a little wider
    edges = {e["as"]: edge_at(e["calculate"], column=1, row=2) for e in spec["layer"][0]["transform"]}
    assert (edges["x"] + edges["x2"]) / 2 == pytest.approx(xs[1]) and edges["x2"] - edges["x"] > xs[1] - xs[0]
    assert (edges["y"] + edges["y2"]) / 2 == pytest.approx(ys[2])
    assert rows(spec, "boundary") == [{"x": 0.1, "y": 0.2, "x2": 0.3, "y2": 0.4}]
    assert [p["class"] for p in rows(spec, "points")] == ["+1", "−1", "+1"]
    shapes = spec["layer"][3]["encoding"]["shape"]["scale"]
    assert dict(zip(shapes["domain"], shapes["range"])) == {"+1": "circle", "−1": "diamond"}
    assert spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == pytest.approx([-1.5, 1.5])


def test_held_out_points_are_drawn_hollow_numbered_after_the_training_ones_and_a_pick_is_ringed():
    xs, ys = np.linspace(-1, 1, 3), np.linspace(-1, 1, 3)
    X, y, tX, ty = [[0.0, 0.0], [1.0, 1.0]], [1.0, -1.0], [[0.5, 0.5]], [-1.0]
    spec = boundary_chart(xs, ys, np.zeros((3, 3)), [], X, y, (tX, ty), picked=2)
    assert [p["k"] for p in rows(spec, "points")] == [0, 1] and [p["k"] for p in rows(spec, "held_out")] == [2]
    held = next(layer for layer in spec["layer"] if layer["data"]["name"] == "held_out")
    assert held["mark"]["filled"] is False
    assert [(r["x1"], r["x2"]) for r in rows(spec, "ring")] == [(0.5, 0.5)]
    assert rows(boundary_chart(xs, ys, np.zeros((3, 3)), [], X, y), "ring") == []
    params = [p["name"] for layer in spec["layer"] for p in layer.get("params", [])]
    assert params == ["cell", "pick", "pick_test"]  # what a click on the plane can select


def test_loss_chart_draws_the_held_out_loss_dashed_beside_the_training_loss():
    spec = loss_chart([1, 2], [4.0, 2.0], "run", held_out=[5.0, 6.0])
    assert [r["loss"] for r in rows(spec, "held_out")] == [5.0, 6.0]
    dashed = next(layer for layer in spec["layer"] if layer["data"]["name"] == "held_out")
    assert dashed["mark"]["strokeDash"] == [7, 4]
    assert HELD_OUT in spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert rows(loss_chart([1, 2], [4.0, 2.0], "run"), "held_out") == []


def test_neuron_maps_one_small_map_per_shown_hidden_neuron_in_layer_order():
    maps = [[np.full((2, 2), v) for v in (0.1, 0.2, 0.3)], [np.full((2, 2), -0.5)] * 2]
    spec = neuron_maps_chart(maps, [2, 2], chosen=(2, 1))
    data = spec["datasets"]["maps"]
    assert list(dict.fromkeys(data["neuron"])) == ["L1.N1", "L1.N2", "L2.N1 ◀", "L2.N2"]  # a layer's first 2
    assert spec["facet"]["sort"] == ["L1.N1", "L1.N2", "L2.N1 ◀", "L2.N2"] and spec["columns"] == 2
    assert list(data[data["neuron"] == "L1.N2"]["out"]) == [0.2] * 4
    assert spec["spec"]["width"] == spec["spec"]["height"] <= 120
