"""What the pages do for accessibility beyond what axe-core checks in the browser tests.

Every chart and graph has a text alternative: a "Numbers" popover with a sentence and the numbers it
draws. Each test opens a chart's popover (as a click would) and checks its table against the engine, not
against the page's own arithmetic; the tables are built only while their popover is open. The reveal
tells right from wrong without colour; what updates by itself can be hidden, and motion reduced.
"""

from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest

from lessons.classroom.poll import tally
from lessons.derivatives import descend
from lessons.mlp.settings import PRESETS, run_link
from lessons.tour import SCENES
from micrograd_core.engine import Value
from tests.conftest import open_page, styles
from tests.pages.test_page_classroom import go_to, send, start_class, student
from ui.class_answers import answers_table


def popovers(at: AppTest) -> list[str]:
    """The keys of the page's "Numbers" popovers."""
    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return [n.proto.id.rsplit("-", 1)[-1] for n in walk(at._tree)
            if type(getattr(n, "proto", None)).__name__ == "Block" and n.proto.WhichOneof("type") == "popover"
            and n.proto.popover.label == "Numbers"]


def opened(at: AppTest, key: str):
    """The table of chart `key`'s Numbers popover, opened as a click opens it."""
    assert f"{key}_numbers" in popovers(at), popovers(at)
    # counted by their columns: a page may draw tables of its own meanwhile (the Neuron page's PyTorch one,
    # once torch has loaded)
    assert not [t for t in at.table if key_columns(t.value, key)], "the popover's table is drawn only once it is open"
    at.session_state[f"{key}_numbers"] = True
    at.run()
    assert not at.exception, at.exception
    [table] = [t.value for t in at.table if key_columns(t.value, key)]
    return table


def key_columns(frame, key: str) -> bool:
    return tuple(frame.columns[:2]) == COLUMNS[key]


COLUMNS = {"deriv_f": ("x", "f(x)"), "deriv_err": ("h", "error"), "deriv_descent": ("step", "weight"),
           "neuron_tanh": ("n", "tanh(n)"), "graph_main": ("value", "made by"), "neuron_graph": ("value", "made by"),
           "mlp_curves": ("step", "loss"), "mlp_plane": ("point", "x1"), "mlp_network": ("from", "to"),
           "mlp_maps": ("neuron", "least"), "mlp_targets": ("sample", "output"),
           "student_results": ("answer", "students")}


def test_the_derivatives_charts_give_their_numbers_from_the_formula():
    at = open_page("pages/derivatives.py")
    assert set(popovers(at)) == {"deriv_f_numbers", "deriv_err_numbers", "deriv_descent_numbers"}
    curve = opened(at, "deriv_f")
    assert len(curve) <= 101 and curve["x"].iloc[0] == -6.0 and curve["x"].iloc[-1] == 6.0
    assert list(curve["f(x)"]) == pytest.approx([3 * x * x - 4 * x + 5 for x in curve["x"]], rel=1e-12)
    errors = opened(at, "deriv_err")
    assert len(errors) == 61 and errors["h"].min() == pytest.approx(1e-15) and errors["h"].max() == 1.0
    next(b for b in at.button if b.label == "Run 10 steps").click().run()
    steps = opened(at, "deriv_descent")
    history = descend(0.0, 2.0, 0.8, 0.1, 10)
    assert list(steps["weight"]) == pytest.approx([r.weight for r in history], abs=1e-15)
    assert list(steps["error"]) == pytest.approx([r.error for r in history], abs=1e-15)


def test_the_tanh_chart_gives_tanh_and_its_slope_unless_the_quiz_asks_for_it():
    at = open_page("pages/neuron.py")
    table = opened(at, "neuron_tanh")
    for n, t, slope in table.itertuples(index=False):
        x = Value(n)
        v = x.tanh()
        v.backward()
        assert (t, slope) == (v.data, x.grad)
        assert slope == pytest.approx(1 - math.tanh(n) ** 2, abs=1e-15)
    graph = opened(at, "neuron_graph")
    assert {"o", "n", "x1", "w1", "b"} <= set(graph["value"]) and "grad" in graph.columns
    at.toggle(key="neuron_quiz").set_value(True).run()
    assert "slope 1 − tanh²" not in next(t.value for t in at.table if "tanh(n)" in t.value.columns).columns
    graph = next(t.value for t in at.table if "made by" in t.value.columns)
    assert set(graph["grad"]) == {"?"}, "the quiz asks for a gradient: the table hides them as the graph does"


def test_the_expression_graph_lists_each_node_with_what_made_it_and_its_grad():
    at = open_page("pages/expression_graph.py")
    next(b for b in at.button if b.label == "Run all").click().run()
    table = opened(at, "graph_main").set_index("value")
    # the lecture's L = (a·b + c)·f at a = 2, b = −3, c = 10, f = −2
    assert table.loc["L", "data"] == "-8.0000" and table.loc["L", "made by"] == "* of d, f"
    assert table.loc["a", "grad"] == "6.0000" and table.loc["b", "grad"] == "-4.0000"
    assert table.loc["a", "made by"] == "(an input)"
    assert list(table["highlighted"]).count("yes") == 1


def test_the_mlp_charts_give_the_runs_numbers_from_its_engine():
    at = open_page("pages/mlp_training.py", run_link(PRESETS["micrograd demo"]))
    for _ in range(2):
        at.button(key="mlp_step").click().run()
    run = at.session_state.mlp_run
    curves = opened(at, "mlp_curves")
    assert list(curves["step"]) == [1, 2]
    assert list(curves["loss"]) == [r.loss for r in run.trajectory.reports(2)]
    points = opened(at, "mlp_plane")
    view = run.snapshot()
    assert len(points) == len(view.X) + len(view.test_X)  # every point, none thinned out
    first = points.iloc[0]
    assert first["score"] == pytest.approx(view.model([float(v) for v in view.X[0]]).data, abs=1e-12)
    assert first["predicted"] == ("+1" if first["score"] > 0 else "−1")
    assert first["right"] == ("yes" if first["predicted"] == first["class"] else "no")
    network = opened(at, "mlp_network")
    weights = {(e["from"], e["to"]): e["weight"] for e in network.to_dict("records")}
    assert weights[("x1", "L1.N1")] == view.model.layers[0].neurons[0].w[0].data
    assert set(network["sign"]) <= {"positive", "negative"}
    maps = opened(at, "mlp_maps")
    assert maps["neuron"].iloc[0] == "L1.N1" and (maps["least"] <= maps["mean"]).all()
    assert (maps["mean"] <= maps["largest"]).all()


def test_the_lectures_four_samples_give_their_outputs_and_targets():
    at = open_page("pages/mlp_training.py", run_link(PRESETS["Lecture"]))
    at.button(key="mlp_step").click().run()
    table = opened(at, "mlp_targets")
    view = at.session_state.mlp_run.snapshot()
    assert list(table["output"]) == view.predictions and list(table["target"]) == [1.0, -1.0, -1.0, 1.0]


def test_a_training_bug_gives_both_loss_curves():
    from lessons.bug_lab import BUGS, training_curves

    bug = next(b for b in BUGS if b.training)
    at = open_page("pages/bug_lab.py", {"lab_bug": bug.key})
    [key] = [k.removesuffix("_numbers") for k in popovers(at)]  # its one chart
    COLUMNS[key] = ("step", "the real loop")
    table = opened(at, key)
    real, broken = training_curves(bug, 30)
    assert list(table["the real loop"]) == [r.loss for r in real]
    assert list(table["with the bug"])[: len(broken)] == pytest.approx([r.loss for r in broken], nan_ok=True)


def test_presentation_mode_leaves_the_numbers_out():
    at = open_page("pages/derivatives.py", {"present": "1"})
    assert popovers(at) == []


QUESTION = next(s for s in SCENES if s.question and s.question.kind == "number")
CHOICE = next(s for s in SCENES if s.question and s.question.kind == "choice")


def test_a_students_phone_gives_the_class_answers_in_numbers_after_the_reveal():
    teacher, code = start_class()
    go_to(teacher, CHOICE.number)
    phone = student(code)
    send(phone, CHOICE.question.truth())
    assert popovers(phone) == []
    next(b for b in teacher.button if b.label == "Reveal").click().run()
    phone.run()
    table = opened(phone, "student_results").set_index("answer")
    assert table.loc[CHOICE.question.truth(), "students"] == 1
    assert table.loc[CHOICE.question.truth(), "the answer"] == "yes"
    assert table["students"].sum() == 1


def test_a_number_questions_table_counts_right_and_not_quite_per_bar():
    truth = QUESTION.question.truth()
    t = tally(QUESTION.question, [str(truth), str(truth), str(truth + 100)])
    table = answers_table(t)
    assert len(table) == 20 and table["right"].sum() == 2 and table["not quite"].sum() == 1
    bar = table[(table["from"] <= truth) & (truth <= table["to"])].iloc[0]
    assert bar["right"] == 2


def test_a_device_can_hide_the_classs_live_counts():
    """WCAG 2.2.2: what updates by itself can be hidden; the page still follows the class."""
    teacher, code = start_class()
    go_to(teacher, QUESTION.number)
    assert any(m.value.endswith("answers") for m in teacher.markdown), "the live count, by default"
    teacher.toggle(key="still").set_value(True).run()
    assert not teacher.exception
    assert not any(m.value.endswith("answers") for m in teacher.markdown)
    assert teacher.query_params.get("still") in ("1", ["1"])


def test_the_reveal_tells_right_from_wrong_without_colour():
    """The right choice carries a tick; wrong numbers are hatched bars, grey under the hatch (not white on white)."""
    from ui.class_answers import answers_chart
    from ui.palette import GREY

    choice = answers_chart(tally(CHOICE.question, [CHOICE.question.truth(), "nothing of the kind"]))
    assert choice.layout.xaxis.type == "category", "choices that read as numbers (1e-1, 1e-6) are still names"
    labels = dict(zip(choice.data[0].x, choice.data[0].text))
    assert labels[CHOICE.question.truth()] == "1 ✓" and all("✓" not in v for k, v in labels.items()
                                                          if k != CHOICE.question.truth())
    truth = QUESTION.question.truth()
    number = answers_chart(tally(QUESTION.question, [str(truth), str(truth + 100)]))
    right, wrong = number.data
    assert not right.marker.pattern.shape and wrong.marker.pattern.shape == "/"
    # laid over the grey: a pattern that replaces the fill draws the bar white, lost on a white page
    assert wrong.marker.color == GREY and wrong.marker.pattern.fillmode == "overlay"
    shapes = dict(zip(choice.data[0].x, choice.data[0].marker.pattern.shape))
    assert shapes.pop(CHOICE.question.truth()) == "" and set(shapes.values()) == {"/"}
    assert choice.data[0].marker.pattern.fillmode == "overlay"


def test_a_browser_asking_for_less_motion_gets_none():
    at = open_page("pages/home.py")
    assert "@media (prefers-reduced-motion: reduce)" in styles(at)
    assert "animation-duration: 0.01ms" in styles(at).split("prefers-reduced-motion")[1]
