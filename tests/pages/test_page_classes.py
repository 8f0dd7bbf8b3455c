"""AppTest of the More than two classes page: p − y on a sample, training steps, Reset, a bad link."""

from __future__ import annotations

import pytest

from lessons import softmax as sm
from tests.conftest import open_page

PAGE = "pages/classes.py"


def check_table(at):
    return next(t.value for t in at.table if "p − y" in t.value.columns)


def test_the_sample_table_shows_p_minus_y_and_the_engines_gradient():
    at = open_page(PAGE, {"cls_sample": "51"})
    assert not at.exception, at.exception
    table = check_table(at)
    X, y = sm.spiral()
    scores = [s.data for s in sm.make_model(1)(X[50])]
    assert list(table["score"]) == scores
    assert list(table["y (one-hot)"]) == [1.0 if c == y[50] else 0.0 for c in range(3)]
    assert list(table["grad of the score"]) == pytest.approx(list(table["p − y"]), abs=1e-12)
    assert any("p − y" in s.value for s in at.success)


def test_steps_train_the_network_and_reset_starts_again():
    at = open_page(PAGE)
    at.button(key="cls_step").click().run(timeout=60)
    at.button(key="cls_many").click().run(timeout=120)
    assert not at.exception, at.exception
    history = at.session_state["cls_model"]["history"]
    assert len(history) == 21 and history[-1].loss < history[0].loss
    assert at.metric[0].value == "21"
    model = sm.make_model(1)
    X, y = sm.spiral()
    for k in range(1, 22):
        report = sm.train_step(model, X, y, 0.5, k)
    assert report.loss == history[-1].loss  # the page's steps are the lesson's loop
    at.button(key="cls_reset").click().run()
    assert at.metric[0].value == "0"


def test_the_points_in_numbers_give_each_points_class_and_the_networks():
    at = open_page(PAGE)
    at.session_state["cls_points_numbers"] = True
    at.run()
    table = next(t.value for t in at.table if "predicted" in t.value.columns)
    assert len(table) == 150 and set(table["right"]) <= {"yes", "no"}  # every point, none thinned out
    X, y = sm.spiral()
    assert list(table["class"]) == [f"class {c}" for c in y]
    assert list(table["predicted"]) == [f"class {c}" for c in sm.predict(sm.make_model(1), X)]  # the engine's


@pytest.mark.parametrize("query", [{"cls_sample": "999"}, {"cls_lr": "-1"}, {"cls_seed": "x"}])
def test_a_bad_link_opens_the_page_with_a_notice(query):
    at = open_page(PAGE, query)
    assert not at.exception, at.exception
    assert at.warning


def test_the_classs_question_hides_p_minus_y_until_the_reveal():
    from lessons.tour import BY_ID
    from tests.pages.test_page_classroom import button, go_to, start_class

    scene = BY_ID["softmax"]
    teacher, _ = start_class()
    go_to(teacher, scene.number)
    table = next(t.value for t in teacher.table if "p = softmax" in t.value.columns)
    assert "p − y" not in table.columns and "grad of the score" not in table.columns
    assert any("Hidden until the answers are revealed" in i.value for i in teacher.info)
    truth = scene.question.truth()
    p = table.set_index("class")["p = softmax"]
    assert min(abs(v - 1 - truth) for v in p) < 1e-12  # the answer follows from what the table shows
    button(teacher, "Reveal").click().run()
    assert not teacher.exception, teacher.exception
    table = check_table(teacher)
    assert truth in list(table["p − y"])


def test_a_click_while_another_session_trains_waits_its_turn_then_says_the_server_is_busy(monkeypatch):
    """One session's steps at a time on the server: a click that cannot get its turn takes no step, and says so."""
    from server import one_at_a_time

    monkeypatch.setattr(one_at_a_time, "WAIT", 0.2)
    at = open_page(PAGE)
    with one_at_a_time.turn("203.0.113.9") as mine:  # another address's 20 steps
        assert mine
        at.button(key="cls_many").click().run()
    assert at.metric[0].value == "0"
    assert any("press again in a moment" in w.value for w in at.warning)
    at.button(key="cls_step").click().run()  # its turn has come
    assert at.metric[0].value == "1" and not at.warning


def test_addresses_take_turns_so_a_script_holds_a_student_back_by_one_click_at_most():
    import threading
    import time

    from server import one_at_a_time

    order: list[str] = []

    def click(who: str, name: str) -> None:
        with one_at_a_time.turn(who, wait=20.0) as mine:
            if mine:
                order.append(name)

    script = [threading.Thread(target=click, args=("198.51.100.7", f"script {k}")) for k in range(3)]
    student = threading.Thread(target=click, args=("203.0.113.5", "student"))
    with one_at_a_time.turn("198.51.100.7") as first:  # the script's first click holds the slot
        assert first
        for thread in [*script, student]:  # the script's three more clicks came before the student's
            thread.start()
            time.sleep(0.05)
    for thread in [*script, student]:
        thread.join(timeout=30)
    assert order[0] == "student" and sorted(order[1:]) == ["script 0", "script 1", "script 2"]
    assert order[1:] == ["script 0", "script 1", "script 2"]  # one address's clicks in the order they came


def test_the_same_network_opens_on_the_mlp_page_to_train_live():
    at = open_page(PAGE)
    at.button(key="cls_to_mlp").click().run()
    assert not at.exception, at.exception
    settings = at.session_state["mlp_run"].settings
    assert settings.dataset == "spiral3" and settings.hidden == (16, 16) and settings.loss == "cross_entropy"
    assert any("MLP(2, [16, 16, 3])" in m.value for m in at.markdown)
