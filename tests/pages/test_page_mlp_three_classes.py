"""AppTest of the MLP page on data of three classes: a score per class, cross-entropy, the plane tinted by class.

Numbers are checked against the engine: a run of the same settings, stepped here with `Trajectory`.
"""

import json
from dataclasses import replace

import numpy as np
import pytest

from lessons import softmax as sm
from lessons.mlp.points import PointsError, read_csv, to_link, write_csv
from lessons.mlp.settings import RunSettings, make_model, run_link
from lessons.mlp.trajectory import Trajectory
from lessons.source import source
from tests.conftest import open_page
from tests.pages.test_page_mlp_training import chart, metrics, run_of

PAGE = "pages/mlp_training.py"
THREE = RunSettings(dataset="spiral3", n_points=60, layers=1, neurons=8, activation="relu", loss="cross_entropy",
                    lr=0.2)
OWN = RunSettings(dataset="custom", own_points=((-1.0, 0.0, 0.0), (1.0, 0.0, 1.0), (0.0, 1.0, 2.0), (0.0, -1.0, 2.0)),
                  layers=1, neurons=4, loss="cross_entropy")


def test_three_spirals_train_with_cross_entropy_and_a_score_per_class():
    at = open_page(PAGE, run_link(THREE))
    assert not at.exception and not at.error
    assert at.selectbox(key="mlp_loss").options == ["cross-entropy"]  # the only loss for three classes
    assert any("MLP(2, [8, 3])" in m.value for m in at.markdown)
    at.button(key="mlp_step").click().run()
    at.button(key="mlp_step").click().run()
    engine = Trajectory(THREE)
    engine.advance(), engine.advance()
    model = engine.model_at(2)
    scores = [model(x) for x in engine.trainer.X]
    assert metrics(at)["step"] == "2"
    assert metrics(at)["loss, all samples"] == f"{sm.mean_cross_entropy(scores, engine.trainer.y).data:.4g}"
    right = np.mean([sm.class_of(s) == y for s, y in zip(scores, engine.trainer.y)])
    assert metrics(at)["accuracy, all samples"] == f"{100 * right:.0f}%"


def test_the_plane_is_tinted_by_the_class_of_the_largest_score():
    at = open_page(PAGE, run_link(THREE))
    drawn = chart(at, 1)
    assert set(drawn["cells"]["region"]) <= {"class 0", "class 1", "class 2"}
    assert sorted(set(drawn["points"]["class"])) == ["class 0", "class 1", "class 2"]
    assert drawn["boundary"].empty  # no single 0 line: where the tints meet is the boundary
    assert any("squares class 2" in c.value for c in at.caption)
    # the click box offers the three classes, the data tools class 0, 1 and 2
    assert at.radio(key="mlp_click3").options == ["follow a point", "add class 0", "add class 1", "add class 2",
                                                  "remove"]
    assert "mlp_click" not in [g.key for g in at.get("button_group")]  # the two classes' box is not drawn
    assert at.radio(key="mlp_type_class3").options == ["class 0", "class 1", "class 2"]


def test_the_planes_numbers_give_each_points_three_scores():
    at = open_page(PAGE, run_link(THREE))
    at.session_state["mlp_plane_numbers"] = True
    at.run()
    table = next(t.value for t in at.table if "score 2" in t.value.columns)
    model = make_model(THREE)
    X = run_of(at).trajectory.trainer.X
    first = [s.data for s in model(X[0])]
    assert list(table.loc[0, ["score 0", "score 1", "score 2"]]) == pytest.approx(first, rel=1e-12)
    assert table.loc[0, "predicted"] == f"class {int(np.argmax(first))}"


def test_changing_to_two_classes_takes_the_lectures_loss_back_and_says_why():
    at = open_page(PAGE, run_link(THREE))
    at.selectbox(key="mlp_dataset").set_value("moons").run()
    assert not at.exception
    assert at.selectbox(key="mlp_loss").value == "squared_error"
    assert at.selectbox(key="mlp_loss").options == ["squared error", "hinge + L2"]
    assert run_of(at).settings.loss == "squared_error"
    assert any("Cross-entropy needs a score per class" in c.value for c in at.caption)


def test_a_link_to_cross_entropy_on_two_classes_opens_with_the_lectures_loss():
    at = open_page(PAGE, {"mlp_dataset": "moons", "mlp_n_points": "30", "mlp_loss": "cross_entropy"})
    assert not at.exception and not at.error
    assert run_of(at).settings.loss == "squared_error"
    assert any("Cross-entropy needs a score per class" in c.value for c in at.caption)


def test_three_classes_go_to_the_browser_with_a_score_per_class():
    at = open_page(PAGE, {**run_link(THREE), "mlp_where": "browser"})
    assert not at.exception
    (component,) = at.get("component_instance")
    sent = json.loads(component.proto.json_args)
    assert json.loads(sent["start"])["nouts"] == [8, 3] and len(sent["colors"]["classes"]) == 3


def test_the_code_shown_is_cross_entropy_and_one_sample_names_its_class():
    at = open_page(PAGE, run_link(THREE))
    code = "\n".join(c.value for c in at.code)
    assert source(sm.mean_cross_entropy) in code and source(sm.cross_entropy) in code
    assert any("class " in m.value and "Sample 1" in m.value for m in at.markdown)
    assert any("score2" in g.proto.spec for g in at.get("graphviz_chart"))  # the sample's graph: a score per class
    for _ in range(2):  # forward, then loss: the step's graph followed from the sample's true class's score
        at.button(key="mlp_phase").click().run()
    assert not at.exception
    assert any("**forward**" in m.value and "loss **" in m.value for m in at.markdown)


def test_the_class_can_make_points_of_three_classes():
    at = open_page(PAGE, {**run_link(replace(OWN, own_points=())), "mlp_own_points": to_link(OWN.own_points)})
    assert not at.exception and not at.error
    assert run_of(at).trajectory.trainer.model.layers[-1].neurons.__len__() == 3
    at.number_input(key="mlp_type_x1").set_value(0.5)
    at.number_input(key="mlp_type_x2").set_value(0.5)
    at.radio(key="mlp_type_class3").set_value("2")
    at.button(key="FormSubmitter:mlp_type_point-Add the point").click().run(timeout=60)
    assert run_of(at).settings.own_points[-1] == (0.5, 0.5, 2.0)
    assert any("Added a point of class 2 at (0.5, 0.5)" in s.value for s in at.success)
    at.button(key="mlp_step").click().run()
    assert metrics(at)["step"] == "1"


def test_three_spirals_become_the_classes_own_points_with_their_labels():
    at = open_page(PAGE, run_link(THREE))
    at.number_input(key="mlp_type_x1").set_value(0.1)
    at.number_input(key="mlp_type_x2").set_value(0.2)
    at.radio(key="mlp_type_class3").set_value("0")
    at.button(key="FormSubmitter:mlp_type_point-Add the point").click().run(timeout=60)
    settings = run_of(at).settings
    assert settings.dataset == "custom" and len(settings.own_points) == 61
    assert {p[2] for p in settings.own_points} == {0.0, 1.0, 2.0} and settings.loss == "cross_entropy"


def test_a_file_of_three_labels_is_read_back_and_a_missing_class_is_named():
    points = [(0.0, 1.0, 0.0), (1.0, 0.0, 1.0), (0.5, 0.5, 2.0)]
    assert read_csv(write_csv(points).encode()) == points
    with pytest.raises(PointsError) as missing:
        read_csv(b"x1,x2,label\n0,1,0\n1,0,2\n")
    assert missing.value.code == "a_class_missing" and missing.value.found == "1"
    with pytest.raises(PointsError) as mixed:
        read_csv(b"0,1,-1\n1,0,2\n")
    assert mixed.value.code == "label"
    assert read_csv(b"0,1,0\n1,0,1\n") == [(0.0, 1.0, -1.0), (1.0, 0.0, 1.0)]  # 0 and 1 alone: two classes as before
