"""AppTest of the Loss landscape page: the surface from the engine, stepping, optimisers' state, bad links."""

from __future__ import annotations

import json

import pytest
from streamlit import dataframe_util

from lessons import landscape as land
from tests.conftest import open_page

PAGE = "pages/landscape.py"


def chart_data(at, name: str):
    """A dataset of the landscape chart, as the page sent it."""
    element = at.get("vega_lite_chart")[0].proto
    for d in element.datasets:
        if d.name == name:
            return dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data)
    raise KeyError(name)


def press(at, key: str) -> None:
    at.button(key=key).click().run()
    assert not at.exception, at.exception


def test_the_surface_is_the_engines_loss_at_every_cell():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    cells = chart_data(at, "cells")
    assert len(cells) == land.GRID * land.GRID
    row = cells.iloc[1234]
    assert row["loss"] == land.loss_at(row["w"], row["b"])
    marks = chart_data(at, "marks").set_index("what")
    assert marks.loc["lowest", "w"] == pytest.approx(land.lowest()[0])


def test_stepping_draws_the_path_and_says_where_it_ended():
    at = open_page(PAGE, {"land_lr": "0.05"})
    press(at, "land_ten")
    path = land.descend("gradient descent", land.START, 0.05, 10)
    steps = chart_data(at, "steps")
    assert list(steps["w"]) == [s.w for s in path.steps] and list(steps["b"]) == [s.b for s in path.steps]
    assert any(f"loss **{path.end.loss:.4g}**" in m.value for m in at.markdown)
    arrow = chart_data(at, "arrow")
    assert arrow["w"].iloc[0] == path.end.w  # the gradient drawn where the path is now
    shaft = (arrow["w2"].iloc[0] - arrow["w"].iloc[0], arrow["b2"].iloc[0] - arrow["b"].iloc[0])
    assert shaft[0] * path.end.grad_w > 0 and shaft[1] * path.end.grad_b > 0, "uphill: along the gradient"
    press(at, "land_reset")
    assert len(chart_data(at, "steps")) == 1  # the start alone


def test_all_three_optimisers_show_their_state_as_the_engine_computes_it():
    at = open_page(PAGE, {"land_opt": "all three", "land_lr": "0.01", "land_steps": "20"})
    assert not at.exception, at.exception
    # on the landscape: momentum's and Adam's state as an arrow from where each path is now, the way it carries
    carried = chart_data(at, "carried")
    assert set(carried["optimiser"]) == {"momentum", "Adam"}  # plain descent keeps none
    for name in ("momentum", "Adam"):
        end = land.descend(name, land.START, 0.01, 20).end
        shaft = carried[carried["optimiser"] == name].iloc[0]
        assert (shaft["w"], shaft["b"]) == (end.w, end.b)
        w, b = end.state
        way = (-w["velocity"], -b["velocity"]) if name == "momentum" else (-w["m"], -b["m"])  # √v > 0: m's sign
        assert (shaft["w2"] - shaft["w"]) * way[0] > 0 and (shaft["b2"] - shaft["b"]) * way[1] > 0
    table = next(t.value for t in at.table if "velocity" in t.value.columns)
    momentum = land.descend("momentum", land.START, 0.01, 20).end.state
    adam = land.descend("Adam", land.START, 0.01, 20).end.state
    rows = table.set_index(["optimiser", "parameter"])
    assert rows.loc[("momentum", "w"), "velocity"] == momentum[0]["velocity"]
    assert rows.loc[("Adam", "b"), "m"] == adam[1]["m"] and rows.loc[("Adam", "b"), "v"] == adam[1]["v"]
    assert set(chart_data(at, "steps")["optimiser"]) == {"gradient descent", "momentum", "Adam"}
    assert len(at.code) >= 1 and any("self.velocity[i]" in c.value for c in at.code)


def test_a_learning_rate_too_large_leaves_the_valley_with_a_message():
    at = open_page(PAGE, {"land_lr": "0.2", "land_steps": "200"})
    assert not at.exception, at.exception
    assert any("left the valley at step" in w.value for w in at.warning)


def test_the_lowest_point_found_by_hand_is_kept():
    at = open_page(PAGE)
    at.slider(key="land_hand_w").set_value(2.0).run()
    at.slider(key="land_hand_b").set_value(-1.0).run()
    here = land.loss_at(2.0, -1.0)
    assert at.metric[0].value == f"{here:.4g}" and at.metric[1].value == f"{here:.4g}"
    at.slider(key="land_hand_w").set_value(4.0).run()
    assert at.metric[1].value == f"{here:.4g}", "the lowest so far stays"


@pytest.mark.parametrize("query", [{"land_lr": "5"}, {"land_w0": "nan"}, {"land_steps": "-3"}, {"land_opt": "sgd"}])
def test_a_bad_link_opens_the_page_with_a_notice(query):
    at = open_page(PAGE, query)
    assert not at.exception, at.exception
    assert at.warning, "the link's bad value is named"


def test_the_numbers_behind_the_landscape_list_each_step():
    at = open_page(PAGE, {"land_steps": "3"})
    at.session_state["land_chart_numbers"] = True
    at.run()
    table = next(t.value for t in at.table if "dloss/dw" in t.value.columns)
    path = land.descend("gradient descent", land.START, 0.02, 3)
    assert list(table["loss"]) == [s.loss for s in path.steps]



def test_the_adam_scene_steps_from_the_table_and_shows_the_answer_there():
    """Scene "adam-state" opens on the optimisers' table: its own Step, and w moved by the question's answer."""
    from lessons.tour import BY_ID
    from ui.tour import scene_query

    scene = BY_ID["adam-state"]
    at = open_page(PAGE, scene_query(scene, {}))
    assert not at.exception, at.exception
    press(at, "land_step_table")
    rows = next(t.value for t in at.table if "m" in t.value.columns).set_index(["optimiser", "parameter"])
    moved = abs(rows.loc[("Adam", "w"), "data"] - land.START[0])
    assert moved == pytest.approx(scene.question.truth(), abs=1e-12)
    assert scene.question.correct(scene.question.check(f"{moved:.3f}"))  # as a student would type it


@pytest.mark.parametrize("chosen, named", [("momentum", ["momentum"]),
                                           ("all three", ["gradient descent", "momentum", "Adam"])])
def test_the_legend_names_the_optimisers_drawn(chosen, named):
    at = open_page(PAGE, {"land_opt": chosen})
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    path = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")  # the paths' line
    assert path["encoding"]["color"]["scale"]["domain"] == named
