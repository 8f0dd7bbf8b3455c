"""AppTest of class mode: the lecture tour in the frame, the teacher's class, a student answering on the Class page.

Teacher and students are separate AppTests (separate sessions) sharing the server's store, as
separate browsers share one server.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lessons.tour import SCENES
from server.store import AnswersClosed, JoinsThrottled
from tests.conftest import open_page, shown
from ui.classroom import class_store

QUESTION = next(s for s in SCENES if s.question and s.question.kind == "number")
CHOICE = next(s for s in SCENES if s.question and s.question.kind == "choice")


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [h.value for h in at.subheader] + [t.value for t in at.title]
    return "\n".join(shown(p) for p in parts)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def start_class(at: AppTest | None = None) -> tuple[AppTest, str]:
    at = at or open_page("pages/classroom.py")
    button(at, "Start a class").click().run()
    assert not at.exception, at.exception
    return at, at.session_state["class_code"]


def arrive(at: AppTest, number: int) -> AppTest:
    """Go on to scene `number`'s page after a run that switched to it.

    AppTest runs the page it was last told to (`switch_page`), where a browser would follow the app's
    own switch: a test says where the app went.
    """
    at.switch_page(SCENES[number - 1].page)
    at.run()
    assert not at.exception, at.exception
    return at


def go_to(at: AppTest, number: int) -> AppTest:
    """The teacher moves the tour to scene `number`, as a prepared link would."""
    at.session_state["scene"] = number
    at.session_state["tour"] = True
    at.session_state["_tour_arrived"] = 0  # a fresh arrival: the frame opens the scene
    at.run()
    assert not at.exception, at.exception
    return arrive(at, number)


def student(code: str) -> AppTest:
    at = open_page("pages/classroom.py", {"join": code})
    assert not at.exception, at.exception
    return at


def send(at: AppTest, answer: str) -> AppTest:
    box = at.text_input[0] if at.text_input else None
    if box is not None and box.label.startswith("Your answer"):
        box.set_value(answer)
    else:
        at.radio[0].set_value(answer)
    next(b for b in at.button if b.label == "Send").click().run()
    assert not at.exception, at.exception
    return at


# ---- the tour ------------------------------------------------------------------------------------

def test_a_prepared_link_opens_the_tour_at_its_scene_on_its_page():
    scene = next(s for s in SCENES if s.params and s.page != "pages/home.py")
    at = open_page("pages/home.py", {"tour": "1", "scene": scene.id, "present": "1"})
    arrive(at, scene.number)
    for key, value in scene.params.items():
        assert at.query_params[key] in (value, [value]), key
    assert at.session_state["present"] is True
    assert f"Scene {scene.number} of {len(SCENES)}: {scene.title}" in texts(at)


def test_next_and_previous_walk_the_scenes_with_clicker_shortcuts():
    at = open_page("pages/home.py", {"tour": "1"})
    assert f"Scene 1 of {len(SCENES)}" in texts(at)
    assert button(at, "Previous").disabled
    nxt = button(at, "Next")
    assert nxt.proto.shortcut.lower() in ("pagedown", "page_down")
    nxt.click().run()
    arrive(at, 2)
    assert at.session_state["scene"] == 2
    assert f"Scene 2 of {len(SCENES)}: {SCENES[1].title}" in texts(at)
    for key, value in SCENES[1].params.items():
        assert at.query_params[key] in (value, [value]), key
    button(at, "Previous").click().run()
    arrive(at, 1)
    assert at.session_state["scene"] == 1 and set(at.query_params) == {"tour"}


def test_a_scene_resets_what_it_leaves_out_but_a_changed_control_stays():
    """Scene 3 is the derivatives page at its defaults: an x moved before must not leak into it."""
    at = open_page("pages/derivatives.py", {"deriv_x": "-1"})
    assert at.session_state["deriv_x"] == -1
    at = go_to(at, next(s.number for s in SCENES if s.id == "slope-at-3"))
    assert at.session_state["deriv_x"] == 3.0
    at.slider(key="deriv_x").set_value(1.5).run()  # the teacher tries something live
    at.run()
    assert at.session_state["deriv_x"] == 1.5 and at.session_state["tour"] is True


def test_leaving_the_tour_leaves_the_page_as_it_is():
    at = arrive(open_page("pages/home.py", {"tour": "1", "scene": "4"}), 4)
    page_state = {k: at.session_state[k] for k in SCENES[3].params}
    at.sidebar.toggle(key="tour").set_value(False).run()
    assert not at.exception
    assert "Scene 4" not in texts(at) and "tour" not in at.query_params
    assert {k: at.session_state[k] for k in SCENES[3].params} == page_state


def test_a_scene_number_outside_the_tour_is_refused_with_a_notice():
    at = open_page("pages/home.py", {"tour": "1", "scene": "999"})
    assert not at.exception
    assert any("scene" in w.value and "ignored" in w.value for w in at.warning)
    assert at.session_state["scene"] == 1


# ---- a class -------------------------------------------------------------------------------------

def test_starting_a_class_shows_its_code_link_and_qr_code_but_never_the_token():
    at, code = start_class()
    token = at.session_state["_class_token"]
    page = texts(at)
    assert code in page and f"classroom?join={code}" in page.replace("\u2060", "")
    assert token not in page and all(token not in str(v) for v in at.query_params.values())
    assert at.get("image"), "the QR code is drawn"
    assert class_store().state(code).scene == 0


def test_a_class_through_one_question_teacher_and_students():
    teacher, code = start_class()
    go_to(teacher, QUESTION.number)
    assert class_store().state(code).question == QUESTION.question.id
    assert shown(QUESTION.question.prompt) in texts(teacher)

    right, wrong = student(code), student(code)
    assert QUESTION.question.prompt in texts(right)
    send(right, str(QUESTION.question.truth()))
    assert "Sent" in texts(right)
    send(wrong, str(QUESTION.question.truth() + 100))
    send(wrong, str(QUESTION.question.truth() + 50))  # a changed answer overwrites
    assert class_store().count(code, QUESTION.question.id) == 2

    teacher.run()
    assert "2 answers" in texts(teacher)
    assert not [b for b in right.button if b.label == "Reveal"], "students have no teacher's controls"
    button(teacher, "Reveal").click().run()
    assert not teacher.exception, teacher.exception
    assert class_store().state(code).revealed
    assert "1 of 2 right" in texts(teacher) and "50%" in texts(teacher)

    right.run()
    wrong.run()
    assert ": right." in texts(right) and "not quite" in texts(wrong)
    assert not [b for b in wrong.button if b.label == "Send"], "no answer box after the reveal"
    with pytest.raises(AnswersClosed):  # nor through the store, e.g. a request replayed
        class_store().answer(code, wrong.session_state["_device_id"], QUESTION.question.id, "1")
    assert class_store().count(code, QUESTION.question.id) == 2


def test_the_teachers_next_scene_reaches_the_students():
    teacher, code = start_class()
    go_to(teacher, CHOICE.number)
    pupil = student(code)
    assert CHOICE.question.prompt in texts(pupil)
    assert list(pupil.radio[0].options) == list(CHOICE.question.choices)
    go_to(teacher, CHOICE.number + 1)
    pupil.run()
    nxt = SCENES[CHOICE.number]
    expected = nxt.question.prompt if nxt.question else "Waiting for the teacher's question"
    assert expected in texts(pupil)


@pytest.mark.parametrize("answer, message", [
    ("banana", "number"), ("nan", "number"), ("1e400", "number"), ("`[x](https://example.com)`", "number"),
])
def test_a_malformed_answer_gets_a_message_and_is_not_stored(answer, message):
    teacher, code = start_class()
    go_to(teacher, QUESTION.number)
    pupil = send(student(code), answer)
    assert pupil.error and message in pupil.error[0].value
    assert "example.com" not in "".join(e.value for e in pupil.error) or "](" not in pupil.error[0].value
    assert class_store().count(code, QUESTION.question.id) == 0


def test_a_flood_of_answers_from_one_session_is_slowed_down():
    teacher, code = start_class()
    go_to(teacher, QUESTION.number)
    pupil = student(code)
    for _ in range(8):
        send(pupil, str(QUESTION.question.truth()))
    assert any("Too many answers" in e.value for e in pupil.error)


@pytest.mark.parametrize("raw", ["ZZZZZZZZ", "abc", "[a](//e.co)", "![](//e.co/p)", "`[x](//e.co)`", "<b>x</b>",
                                 "`[click here](https://example.com)`"])
def test_a_wrong_code_gets_no_such_class_never_an_exception(raw):
    at = student(raw)
    page = texts(at)
    if len(raw) > 16:
        assert "was ignored (longer than 16 characters)" in page
    else:  # quoted back inert: the reader sees every character, where a link or image would hide some
        assert "No class with the code" in page
        assert raw.strip().upper() in page


def test_ending_the_class_tells_the_students():
    teacher, code = start_class()
    pupil = student(code)
    button(teacher, "End it now").click().run()
    assert class_store().state(code) is None
    pupil.run()
    assert "No class with the code" in texts(pupil)


def test_a_phone_held_back_while_many_join_says_so_and_tries_again_only_when_its_timer_fires(monkeypatch):
    _, code = start_class()
    store = class_store()
    tries = []

    def full(code, device):  # the class's join bucket is empty for this phone
        tries.append(device)
        raise JoinsThrottled(0.5)

    monkeypatch.setattr(store, "join", full)
    pupil = student(code)
    assert "Many students are joining right now" in texts(pupil) and "tries again by itself" in texts(pupil)
    assert len(tries) == 1  # one try for the page's run, not a rerun of the page straight after it


def test_a_passcode_set_by_the_host_is_asked_for_and_only_wrong_guesses_are_counted(monkeypatch):
    from server.limits import KeyedLimits
    from ui.parts import classroom as parts

    monkeypatch.setenv("MICROGRAD_TEACHER_PASSCODE", "correct horse battery staple")
    monkeypatch.setattr(parts, "_PASSCODE_TRIES", KeyedLimits(burst=5, every=60.0))

    def start(typed: str) -> AppTest:
        at = open_page("pages/classroom.py")
        box = next(t for t in at.text_input if t.label == "Teacher passcode")
        box.set_value(typed)
        button(at, "Start a class").click().run()
        assert not at.exception, at.exception
        return at

    right = start("correct horse battery staple")
    assert right.session_state["class_code"] and class_store().state(right.session_state["class_code"])
    for _ in range(3):  # a teacher starting again and again is never slowed by the guess limit
        assert "class_code" in start("correct horse battery staple").session_state
    assert "not this app's teacher passcode" in texts(start(""))  # none typed
    for _ in range(4):
        assert "not this app's teacher passcode" in texts(start("guess"))
    locked = start("correct horse battery staple")  # five wrong ones: even the right one waits a minute now
    assert "Too many wrong passcodes from here" in texts(locked) and "class_code" not in locked.session_state


# ---- the presenter view --------------------------------------------------------------------------

def test_the_presenter_view_moves_the_class_with_next_and_its_scene_box():
    teacher, code = start_class()
    teacher.switch_page("pages/presenter.py")
    teacher.run()
    assert not teacher.exception, teacher.exception
    start = class_store().state(code).scene
    button(teacher, "Next").click().run()
    on = start + 1
    assert class_store().state(code).scene == on
    # the box is drawn for the scene the class is on: picking another scene in it moves the class there
    box = teacher.selectbox(key=f"presenter_jump_{on}")
    assert box.value == on
    box.set_value(5).run()
    assert class_store().state(code).scene == 5
    assert f"Scene 5 of {len(SCENES)}" in texts(teacher)
    # the box of the scene left behind is gone: an old report of its value can move nothing
    assert not [s for s in teacher.selectbox if s.key == f"presenter_jump_{on}"]
    assert teacher.selectbox(key="presenter_jump_5").value == 5
