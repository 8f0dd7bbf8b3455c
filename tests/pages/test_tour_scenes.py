"""Every scene of the lecture tour opens its page as its link would: no error, no ignored value, every
parameter taken, and the page in the state its question's answer was computed for."""

import pytest

from lessons.expressions import LECTURE_VALUES
from lessons.mlp.settings import RunSettings
from lessons.tour import SCENES
from lessons.tour.answers import mlp_settings
from tests.conftest import open_page
from tests.pages.test_page_mlp_training import scheduler_of_its_own  # noqa: F401 (a fixture: a fresh scheduler per scene)
from ui import PAGES
from ui.parts.mlp import live
from ui.parts.mlp.settings import SETTINGS as MLP_SETTINGS


def test_every_scene_opens_a_page_of_the_app():
    assert {s.page for s in SCENES} <= {p.path for p in PAGES}


def same_state_as_the_answer(scene, state) -> None:
    """The page shows what the question's answer was computed on (the scene's params and the page's defaults)."""
    question = scene.question
    if question is None:
        return
    args = question.args
    if scene.page == "pages/derivatives.py":
        if "formula" in args and "x" in args:
            assert state["deriv_formula"] == args["formula"] and state["deriv_x"] == args["x"]
        if question.answer == "grad":  # the several-inputs section: d = a·b + c
            assert args["formula"] == "a*b + c"
            assert {k: state[f"deriv_{k}"] for k in "abc"} == args["values"]
    elif scene.page == "pages/expression_graph.py":
        if "preset" in args:  # the node-reuse tab's examples are fixed: nothing on the page changes them
            assert state["graph_preset"] == args["preset"]
            assert state["graph_leaves"] == dict(args.get("leaves") or {})
        if question.answer == "graph_grad" and args.get("step") is not None:  # asked before the next step
            assert state["graph_step"] == args["step"] - 1
        if question.answer == "step_direction":
            assert state["graph_opt_step"] == abs(args["size"]) and state["graph_tab"] == "One optimisation step"
    elif scene.page == "pages/neuron.py":
        values = {**LECTURE_VALUES, **(args.get("values") or {})}
        assert {k: state[f"neuron_{k}"] for k in LECTURE_VALUES} == values
    elif scene.page == "pages/mlp_training.py":
        on_page = RunSettings(**{s.field: state[s.key] for s in MLP_SETTINGS})
        assert on_page.run_key() == mlp_settings(args["preset"], args.get("changes")).run_key()
    elif scene.page == "pages/bug_lab.py":
        assert state["lab_bug"] == args["bug"]


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.id)
def test_the_scene_opens_its_page_in_its_state(scene):
    at = open_page(scene.page, dict(scene.params))
    assert not at.exception, at.exception
    assert not [w.value for w in at.warning if "ignored" in w.value]
    for key, raw in scene.params.items():
        assert key in at.session_state, key
        # the page keeps a setting in its link only when it read a value other than the default, and writes it
        # from its own state: the same text means the scene's value was parsed and is the one on the page
        assert at.query_params[key] in (raw, [raw]), key
    same_state_as_the_answer(scene, at.session_state)
    if scene.page == "pages/mlp_training.py":
        assert not live.scheduler().training  # opening a scene never starts a run
