"""Every scene of the lecture tour opens its page as its link would: no error, no ignored value, every
parameter taken, and the page in the state its question's answer was computed for."""

import pytest

from lessons.expressions import LECTURE_VALUES
from lessons.landscape import START
from lessons.mlp.settings import RunSettings
from lessons.optimisers import OPTIMISERS
from lessons.tour import SCENES
from lessons.tour.answers import mlp_settings
from tests.conftest import open_page
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
        on_page = RunSettings(**{s.stands_for: state[s.key] for s in MLP_SETTINGS})
        assert on_page.run_key() == mlp_settings(args["preset"], args.get("changes")).run_key() == scene.run.run_key()
    elif scene.page == "pages/bug_lab.py":
        assert state["lab_bug"] == args["bug"]
    elif scene.page == "pages/classes.py":  # the untrained network of the page's default seed
        assert state["cls_sample"] == args["sample"] and state["cls_seed"] == args.get("seed", 1)
        assert not state["cls_model"]["history"]
    elif scene.page == "pages/landscape.py":  # from the lesson's start, before the first step
        assert state["land_lr"] == args["lr"] and state["land_steps"] == 0
        assert (state["land_w0"], state["land_b0"]) == START
        shown = list(OPTIMISERS) if state["land_opt"] == "all three" else [state["land_opt"]]
        assert set(args.get("among") or [args["optimiser"]]) <= set(shown)
    else:  # a question on a page this check does not know would pass unchecked: say so instead
        pytest.fail(f"{scene.id}: add a check that {scene.page} shows the state its answer was computed on")


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


def test_every_focus_and_every_concealed_part_belongs_to_its_page():
    pages = {p.path: p for p in PAGES}
    for scene in SCENES:
        assert scene.focus in pages[scene.page].sections, scene.id
        if scene.question is not None:
            assert set(scene.question.conceal) <= set(pages[scene.page].hideable), scene.id


def mess_up(at) -> None:
    """Do on a scene what a teacher does live: move a control, step, train."""
    buttons = {b.key: b for b in at.button if b.key}
    if "mlp_step" in buttons:
        at.button(key="mlp_step").click().run()
        at.button(key="mlp_train").click().run()
    elif any(b.label == "Next step" and not b.disabled for b in at.button):
        next(b for b in at.button if b.label == "Run all").click().run()
    elif at.slider and not at.slider[0].disabled:
        slider = at.slider[0]
        slider.set_value(slider.min if slider.value != slider.min else slider.max).run()
    assert not at.exception, at.exception


def shows_its_link(at, scene) -> None:
    """The page is in exactly the state the scene's link names: its settings, the rest at their defaults."""
    assert not at.exception, at.exception
    assert at.session_state["scene"] == scene.number
    own = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()
           if k not in ("tour", "scene", "present")}
    assert own == dict(scene.params), scene.id
    if scene.page == "pages/mlp_training.py":
        run = at.session_state["mlp_run"]
        assert run.position == 0 and not run.training and not run.kept, f"{scene.id}: a run carried over"
        assert live.scheduler().training == 0


def press(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    return at


@pytest.mark.parametrize("scene", SCENES, ids=lambda s: s.id)
def test_a_scene_opens_in_its_state_from_either_neighbour_and_from_another_page(scene):
    arrivals = []
    if scene.number > 1:
        before = SCENES[scene.number - 2]
        arrivals.append((before, "Next"))
    if scene.number < len(SCENES):
        after = SCENES[scene.number]
        arrivals.append((after, "Previous"))
    for start, button in arrivals:
        at = open_page(start.page, {**start.params, "tour": "1", "scene": start.id, "present": "1"})
        mess_up(at)
        press(at, button)
        at.switch_page(scene.page)  # AppTest runs the page it is told to: the app switched to the scene's page
        at.run()
        shows_its_link(at, scene)
    elsewhere = next(p.path for p in PAGES if p.path not in (scene.page, "pages/classroom.py", "pages/presenter.py"))
    at = open_page(elsewhere, {"tour": "1", "scene": scene.id})  # a link that names only the scene
    at.switch_page(scene.page)
    at.run()
    shows_its_link(at, scene)
    if scene.params:  # the same link on the scene's own page opens the scene too, not the page's defaults
        at = open_page(scene.page, {"tour": "1", "scene": scene.id, "present": "1"})
        at.run()  # the page opened the scene on itself: this is its run on the scene's link
        shows_its_link(at, scene)
        assert at.session_state[next(iter(scene.params))] != "", scene.id
