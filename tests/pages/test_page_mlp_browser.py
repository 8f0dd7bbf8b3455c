"""AppTest of the MLP page trained in the browser: what the page sends, and what it does with what comes back.

AppTest runs no JavaScript, so the browser's part is played here by `BrowserRun`, the very loop the
browser's worker runs (tests/browser/test_browser_training_browser.py runs it in Chromium).
"""

from __future__ import annotations

import json

from lessons.mlp import in_browser
from lessons.mlp.browser_loop import BrowserRun
from lessons.mlp.settings import RunSettings, run_link
from tests.conftest import open_page, shown
from ui.parts.mlp import browser

PAGE = "pages/mlp_training.py"
SMALL = RunSettings(dataset="moons", n_points=20, neurons=4)


def page(settings: RunSettings = SMALL, **query: str):
    return open_page(PAGE, {**run_link(settings), "mlp_where": "browser", **query})


def sent(at) -> dict:
    """The component's arguments as the page last drew them."""
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)


def hand_back(at, steps: int, text: str | None = None) -> BrowserRun:
    """Play the browser: take `steps` steps from what the page sent, and hand the run back."""
    args = sent(at)
    run = BrowserRun(args["start"])
    for _ in range(steps):
        run.step()
    at.session_state[browser.KEY] = {"run_id": args["run_id"], "hand_back": text or run.hand_back()}
    at.run(timeout=60)
    return run


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_choosing_the_browser_loads_it_before_train_and_sends_the_projects_own_files():
    at = page()
    assert not at.exception
    args = sent(at)
    assert args["sources"] == in_browser.sources()
    assert not args["training"] and not args["showing"]  # one line: Python loading, Train runs here
    start = json.loads(args["start"])
    assert start["reports"] == [] and start["nouts"] == [4, 4, 1] and len(start["X"]) == 20
    assert len(args["grid"]["xs"]) == browser.PLANE
    assert metric(at, "step") == "0"  # the page's own live view, until Train


def test_train_hands_the_run_to_the_browser_and_pause_takes_it_back_where_the_browser_got_to():
    at = page()
    at.button(key="mlp_train").click().run(timeout=60)
    args = sent(at)
    assert args["training"] and args["showing"]
    assert all(at.button(key=k).disabled for k in ("mlp_train", "mlp_step", "mlp_phase", "mlp_reset"))
    assert not at.button(key="mlp_pause").disabled
    assert not any(m.label == "step" for m in at.metric)  # the browser draws the live view, the server none of it
    at.button(key="mlp_pause").click().run(timeout=60)
    assert not sent(at)["training"] and sent(at)["showing"]  # asked to pause: waiting for the run
    run = hand_back(at, 5)
    assert not at.exception and not at.warning
    assert metric(at, "step") == "5"
    assert at.session_state["mlp_run"].snapshot().reports == run.trainer.history
    args = sent(at)
    assert not args["showing"] and len(json.loads(args["start"])["reports"]) == 5  # Train again goes on from 5
    assert not at.button(key="mlp_step").disabled
    at.button(key="mlp_step").click().run(timeout=60)  # and the server takes the sixth step from there
    assert metric(at, "step") == "6"


def test_the_numbers_after_a_hand_back_are_the_servers_own_for_those_weights():
    at = page()
    at.button(key="mlp_train").click().run(timeout=60)
    at.button(key="mlp_pause").click().run(timeout=60)
    run = hand_back(at, 3)
    history = run.trainer.history
    state = at.session_state["mlp_run"]
    assert state.position == 3 and state.snapshot().reports == history


def test_a_setting_changed_while_the_browser_trains_waits_for_the_run_then_applies_and_trains_on():
    at = page()
    at.button(key="mlp_train").click().run(timeout=60)
    at.session_state["mlp_lr"] = 0.1
    at.run(timeout=60)
    assert not sent(at)["training"] and sent(at)["showing"]  # the run is asked back first
    assert at.session_state["mlp_run"].settings.lr == SMALL.lr
    hand_back(at, 4)
    args = sent(at)
    start = json.loads(args["start"])
    assert args["training"] and len(start["reports"]) == 4  # trains on, from where it got to
    assert start["config"]["lr"] == 0.1 and at.session_state["mlp_run"].settings.lr == 0.1


def test_back_to_the_server_while_the_browser_trains_takes_the_run_back_first():
    at = page()
    at.button(key="mlp_train").click().run(timeout=60)
    at.session_state["mlp_where"] = "server"
    at.run(timeout=60)
    assert not sent(at)["training"]
    hand_back(at, 2)
    assert not at.get("component_instance") and metric(at, "step") == "2"


def test_a_run_handed_back_wrong_is_refused_and_the_page_goes_on_from_before_train():
    at = page()
    at.button(key="mlp_train").click().run(timeout=60)
    hand_back(at, 2, text='{"data": "everything"}')
    assert not at.exception
    assert "could not be taken back" in at.warning[0].value and metric(at, "step") == "0"
    assert not at.button(key="mlp_train").disabled


def test_python_failing_in_the_browser_is_said_and_the_page_trains_on_the_server():
    at = page()
    at.button(key="mlp_train").click().run(timeout=60)
    at.session_state[browser.KEY] = {"run_id": sent(at)["run_id"], "error": "out of memory <b>x</b>"}
    at.run(timeout=60)
    assert not at.exception and not at.get("component_instance")
    assert "Python could not run in this browser (out of memory <b>x</b>)" in shown(at.warning[0].value)  # inert
    at.button(key="mlp_train").click().run(timeout=60)
    assert at.session_state["mlp_run"].training  # on the server
    at.button(key="mlp_pause").click().run(timeout=60)


def test_python_failing_to_load_before_train_is_said_too():
    at = page()
    at.session_state[browser.KEY] = {"run_id": sent(at)["run_id"], "error": "WebAssembly is not supported"}
    at.run(timeout=60)
    assert "Python could not run in this browser (WebAssembly is not supported)" in at.warning[0].value
    assert not at.button(key="mlp_train").disabled


def test_an_old_runs_hand_back_is_ignored():
    at = page()
    at.button(key="mlp_train").click().run(timeout=60)
    at.session_state[browser.KEY] = {"run_id": "an old one", "hand_back": "{}"}
    at.run(timeout=60)
    assert sent(at)["training"] and not at.warning


def test_a_run_on_minibatches_trains_on_the_server_and_says_why():
    at = page(RunSettings(dataset="moons", n_points=20, neurons=4, batch_size=8))
    assert not at.get("component_instance")
    assert any("trains on the server: its minibatches" in c.value for c in at.caption)
    at.button(key="mlp_train").click().run(timeout=60)
    assert at.session_state["mlp_run"].training
    at.button(key="mlp_pause").click().run(timeout=60)


def test_a_link_to_an_unknown_place_to_train_says_so_and_trains_on_the_server():
    at = page(mlp_where="the cloud")
    assert not at.exception and not at.get("component_instance")
    assert any("mlp_where=the cloud" in w.value and "was ignored" in w.value for w in at.warning)


def test_choosing_the_browser_while_the_server_trains_moves_the_run_there_from_its_step():
    at = open_page(PAGE, {**run_link(SMALL), "mlp_pace": "slow"})
    at.button(key="mlp_train").click().run(timeout=60)
    assert at.session_state["mlp_run"].training and not at.get("component_instance")
    at.session_state["mlp_where"] = "browser"
    at.run(timeout=60)
    run = at.session_state["mlp_run"]
    args = sent(at)
    assert args["training"] and not run.training  # the server let go of it
    assert len(json.loads(args["start"])["reports"]) == run.position


def test_a_student_of_a_class_training_on_the_server_is_offered_the_browser_in_one_click(monkeypatch):
    from ui.parts.mlp import live

    monkeypatch.setattr(live, "CLASS", 1)  # a class: more students than this train at once
    classmates = [open_page(PAGE, {**run_link(SMALL), "mlp_model_seed": str(seed)}) for seed in (1, 2)]
    for at in classmates:
        at.button(key="mlp_train").click().run(timeout=60)
    at = classmates[0]
    at.run(timeout=60)
    offer = at.button(key="mlp_to_browser")
    assert offer.label == "Train in this browser instead"
    offer.click().run(timeout=60)
    assert at.session_state["mlp_where"] == "browser" and sent(at)["training"]
    assert not at.session_state["mlp_run"].training
    for other in classmates:
        other.button(key="mlp_pause").click().run(timeout=60)

