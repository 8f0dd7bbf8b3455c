"""Tests of lessons.tour: the scene file, its loader, and the questions' computed answers and answer checking."""

import dataclasses
import math
import re
import textwrap

import pytest

from lessons.expression_graph import PRESETS
from lessons.expressions import LECTURE_VALUES
from lessons.quiz import TOLERANCE
from lessons.tour import SCENES, Question, load_scenes
from lessons.tour.answers import ANSWERS
from tests.conftest import ROOT
from ui.registry import PAGES

QUESTIONS = [s.question for s in SCENES if s.question is not None]
NUMBERS = [q for q in QUESTIONS if q.kind == "number"]
CHOICES = [q for q in QUESTIONS if q.kind == "choice"]
LECTURE = "Lecture: L = (a·b + c)·f"


def seconds(time: str) -> int:
    h, m, s = map(int, time.split(":"))
    return 3600 * h + 60 * m + s


# --- the file ---


def test_the_file_loads_once_with_20_to_35_scenes_numbered_in_order():
    assert load_scenes() is SCENES  # read once, at import
    assert 20 <= len(SCENES) <= 35
    assert [s.number for s in SCENES] == list(range(1, len(SCENES) + 1))


def test_ids_are_unique_and_each_question_is_known_by_its_scene():
    assert len({s.id for s in SCENES}) == len(SCENES)
    for scene in SCENES:
        if scene.question is not None:
            assert scene.question.id == scene.id


def test_every_page_exists_and_every_param_is_text():
    for scene in SCENES:
        assert (ROOT / scene.page).is_file(), scene.id
        assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in scene.params.items()), scene.id


def test_the_tour_follows_the_lecture():
    times = [seconds(s.time) for s in SCENES]
    assert times == sorted(times)
    starts: dict[str, str] = {}
    for scene in SCENES:  # one chapter, one start time
        assert starts.setdefault(scene.chapter, scene.time) == scene.time, scene.id
    assert {s.page for s in SCENES} >= {p.path for p in PAGES if p.lecture}  # every lesson has a scene


def test_titles_are_short_and_notes_are_one_paragraph():
    for scene in SCENES:
        assert len(scene.title) <= 60, scene.id
        assert "\n" not in scene.note and len(scene.note) > 80, scene.id


def test_about_half_the_scenes_ask_a_question_of_both_kinds():
    assert 0.35 <= len(QUESTIONS) / len(SCENES) <= 0.65
    assert len(NUMBERS) >= 4 and len(CHOICES) >= 4


def test_scenes_cannot_be_changed():
    scene = SCENES[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        scene.title = "x"
    with pytest.raises(TypeError):
        SCENES[1].params["graph_step"] = "0"
    with pytest.raises(TypeError):
        QUESTIONS[0].args["x"] = 1.0
    assert hash(scene) == hash(load_scenes()[0])


# --- the truths ---


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_truth_is_computed(question):
    truth = question.truth()
    if question.kind == "number":
        assert isinstance(truth, float) and math.isfinite(truth)
    else:
        assert truth in question.choices


def truth_of(scene_id: str) -> float | str:
    return next(s.question for s in SCENES if s.id == scene_id).truth()


def test_truths_are_the_lectures_numbers():
    assert truth_of("slope-at-3") == pytest.approx(14.0)
    assert truth_of("h-too-small") == "1e-6"
    assert truth_of("d-nudged") == pytest.approx(-3.0)  # dd/da = b
    assert truth_of("graph-before-grads") == "a"  # |dL/da| = 6 beats 4, 2 and 4
    assert truth_of("backprop-step-2") == pytest.approx(6.0)
    assert truth_of("optimisation-step") == "up"
    assert truth_of("neuron") == "w1"  # do/dw1 = 1, do/db = 0.5, do/dw2 = 0 (x2 = 0)
    assert truth_of("neuron-dx1") == pytest.approx(-1.5)
    assert truth_of("neuron-saturated") == pytest.approx(1 - math.tanh(3.0) ** 2)
    assert truth_of("reuse-bug") == pytest.approx(1.0)  # the right answer is 2
    assert truth_of("tanh-from-exp") == "the same as before"
    assert truth_of("parameters") == 41.0  # (3 + 1)·4 + (4 + 1)·4 + (4 + 1)·1
    assert truth_of("gradient-descent") == "down"
    assert truth_of("bug-lab") == pytest.approx(-9.0)  # -3, then -3 · 2 again


def test_the_answers_match_the_lectures_numbers_on_the_pages_own_values():
    assert PRESETS[LECTURE].values == {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
    assert LECTURE_VALUES == {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
    assert ANSWERS["slope"]("3*x**2 - 4*x + 5", 3.0) == pytest.approx(14.0)
    assert ANSWERS["slope"]("3*x**2 - 4*x + 5", -3.0) == pytest.approx(-22.0)
    grads = {leaf: ANSWERS["graph_grad"](LECTURE, leaf) for leaf in "abcf"}
    assert grads == pytest.approx({"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0})
    assert ANSWERS["graph_grad"](LECTURE, "d") == pytest.approx(-2.0)
    assert ANSWERS["neuron_value"]("o") == pytest.approx(0.7071, abs=1e-4)
    assert ANSWERS["neuron_value"]("n") == pytest.approx(0.8814, abs=1e-4)
    assert ANSWERS["neuron_grad"]("w1") == pytest.approx(1.0)
    assert ANSWERS["neuron_grad"]("x1") == pytest.approx(-1.5)
    assert ANSWERS["neuron_grad"]("w2") == 0.0
    assert ANSWERS["neuron_grad"]("w1", tanh_from_exp=True) == pytest.approx(1.0)
    assert ANSWERS["grad"]("a*b + c", "b", {"a": 2.0, "b": -3.0, "c": 10.0}) == pytest.approx(2.0)
    assert ANSWERS["reuse_bug_grad"]("doubled", "a", buggy=False) == pytest.approx(2.0)
    assert ANSWERS["mlp_parameter_count"]("micrograd demo") == 337.0  # 2-16-16-1


def test_the_stepper_answers_follow_the_page_step_by_step():
    # step 1: L = d·f has run; step 2: d = e + c; step 3: e = a·b
    assert ANSWERS["graph_grad"](LECTURE, "f", step=0) == 0.0
    assert ANSWERS["graph_grad"](LECTURE, "f", step=1) == pytest.approx(4.0)
    assert ANSWERS["graph_grad"](LECTURE, "c", step=1) == 0.0
    assert ANSWERS["graph_grad"](LECTURE, "c", step=2) == pytest.approx(-2.0)
    assert ANSWERS["graph_grad"](LECTURE, "a", step=2) == 0.0
    assert ANSWERS["graph_grad"](LECTURE, "a", step=3) == pytest.approx(6.0)


def test_directions_follow_the_sign_of_the_step():
    assert ANSWERS["step_direction"](LECTURE, 0.01) == "up"
    assert ANSWERS["step_direction"](LECTURE, -0.01) == "down"
    assert ANSWERS["largest_grad"](LECTURE, ["b", "c"]) == "b"
    assert ANSWERS["neuron_largest_grad"](["w2", "b"]) == "b"
    assert ANSWERS["best_step"]("3*x**2 - 4*x + 5", 3.0, ["1e-1", "1e-2"]) == "1e-2"


# --- a student's answer ---


def number_forms(truth: float) -> list[str]:
    forms = [repr(truth), f"{truth:.4f}", f"{truth:.3e}", f" {truth:g} "]
    if truth < 0:
        forms.append("\u2212" + f"{-truth:g}")  # a unicode minus
    else:
        forms.append(f"+{truth:g}")
    return forms


@pytest.mark.parametrize("question", NUMBERS, ids=lambda q: q.id)
def test_good_numbers_are_accepted_and_marked_right(question):
    truth = question.truth()
    for raw in number_forms(truth):
        value = question.check(raw)
        assert isinstance(value, float) and value == float(raw.strip().replace("\u2212", "-")), raw
    assert question.correct(question.check(repr(truth)))


@pytest.mark.parametrize("question", CHOICES, ids=lambda q: q.id)
def test_each_choice_is_accepted_and_only_the_truth_is_right(question):
    truth = question.truth()
    for choice in question.choices:
        assert question.check(choice) == choice
        assert question.correct(choice) == (choice == truth)


HOSTILE = ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e7", "", "   ", "1" * 65, "1,5",
           "`[x](http://a)`", "0x10", "1_000", "\u0661\u0662", "3 4", "--3", "1e", ".", "e5", "<b>1</b>"]


@pytest.mark.parametrize("raw", HOSTILE)
def test_malformed_numbers_are_refused_with_a_short_plain_message(raw):
    question = NUMBERS[0]
    with pytest.raises(ValueError) as err:
        question.check(raw)
    message = str(err.value)  # shown to the student as plain text: short, and never quoting what was typed
    assert 0 < len(message) <= 120
    assert not any(c in message for c in "`[]<>*_") and "http" not in message


@pytest.mark.parametrize("raw", ["maybe", "", "UP", " ", "x" * 65, "`[x](http://a)`", "up down"])
def test_unknown_choices_are_refused(raw):
    question = next(q for q in CHOICES if "up" in q.choices)
    with pytest.raises(ValueError):
        question.check(raw)


def test_an_answer_that_is_not_text_is_refused():
    with pytest.raises(ValueError):
        NUMBERS[0].check(3.0)  # type: ignore[arg-type]


def test_numbers_at_the_limit_are_accepted():
    question = NUMBERS[0]
    assert question.check("1e6") == 1e6
    assert question.check("-1000000") == -1e6
    assert question.check("0." + "1" * 62) == pytest.approx(1 / 9)  # 64 characters


def test_correct_honours_the_tolerance():
    question = Question("t", "What is dL/da?", "number", (), 0.05, "graph_grad",
                        {"preset": LECTURE, "node": "a"})
    assert question.correct(6.0) and question.correct(6.049) and question.correct(5.951)
    assert not question.correct(6.051) and not question.correct(5.9) and not question.correct(-6.0)
    assert not question.correct(math.nan) and not question.correct(math.inf)
    exact = dataclasses.replace(question, tolerance=0.0)
    assert exact.correct(6.0) and not exact.correct(6.001)


def test_scene_tolerances_accept_a_rounded_answer_and_refuse_a_near_miss():
    for question in NUMBERS:
        truth = question.truth()
        assert question.correct(truth + 0.9 * question.tolerance)
        assert not question.correct(truth + question.tolerance + max(0.01, abs(truth) * 0.01))
        assert question.tolerance <= max(0.05, abs(truth) * 0.05, TOLERANCE)


# --- the loader refuses a broken file, naming the scene ---


GOOD = """
[[scenes]]
id = "one"
title = "One"
chapter = "intro"
page = "pages/home.py"
focus = "lessons"
note = "A note."

[[scenes]]
id = "two"
title = "Two"
chapter = "derivative of a simple function with one input"
page = "pages/derivatives.py"
focus = "one_input"
note = "A note."
[scenes.params]
deriv_x = "-3"
[scenes.question]
prompt = "Slope?"
kind = "number"
tolerance = 0.05
answer = "slope"
args = { formula = "3*x**2 - 4*x + 5", x = -3.0 }
conceal = ["slope"]
givens = { of = "neuron_numbers", args = { data = ["o"] } }
"""


def write(tmp_path, text: str):
    path = tmp_path / "scenes.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_good_file_loads_from_any_path(tmp_path):
    scenes = load_scenes(write(tmp_path, GOOD))
    assert [s.id for s in scenes] == ["one", "two"]
    assert scenes[1].params == {"deriv_x": "-3"} and scenes[1].question.truth() == pytest.approx(-22.0)
    assert scenes[0].question is None and scenes[0].params == {}
    assert (scenes[0].focus, scenes[1].focus) == ("lessons", "one_input")
    assert scenes[1].question.conceal == ("slope",) and scenes[1].question.given() == {"o": pytest.approx(0.7071068)}


@pytest.mark.parametrize(
    "old, new, named",
    [
        ('id = "two"', 'id = "one"', "scene 2 (one)"),  # a duplicate id: the second one is named
        ('id = "two"', 'id = "Two scene"', "scene 2"),
        ('page = "pages/derivatives.py"', 'page = "pages/nowhere.py"', "two"),
        ('page = "pages/derivatives.py"', 'page = "pages/../README.md"', "two"),
        ('answer = "slope"', 'answer = "eval"', "two"),
        ('page = "pages/derivatives.py"', 'page = "pages/derivatives.py"\nfoo = 1', "two"),
        ('chapter = "derivative of a simple function with one input"', 'chapter = "derivatives"', "two"),
        ('chapter = "intro"', 'chapter = "micrograd overview"\nx = 1', "one"),
        ('chapter = "intro"', 'chapter = "preview of a single optimization step"', "two"),  # 2 before 1
        ('deriv_x = "-3"', "deriv_x = -3", "two"),
        ('kind = "number"', 'kind = "choice"', "two"),  # a choice question without choices
        ('kind = "number"', 'kind = "essay"', "two"),
        ("tolerance = 0.05", "tolerance = -1", "two"),
        ("x = -3.0 }", "x = -3.0, y = 2 }", "two"),  # arguments slope() does not take
        ('note = "A note."\n[scenes.params]', 'note = ""\n[scenes.params]', "two"),
        ('focus = "one_input"', 'focus = ""', "two"),  # every scene names what it is about
        ('focus = "one_input"', 'focus = "One Input!"', "two"),
        ('conceal = ["slope"]', 'conceal = "slope"', "two"),
        ('of = "neuron_numbers"', 'of = "eval"', "two"),  # givens come from the engine's functions only
        ('data = ["o"] }', 'data = ["o"], x = 1 }', "two"),
    ],
)
def test_a_broken_scene_is_refused_by_name(tmp_path, old, new, named):
    assert old in GOOD
    with pytest.raises(ValueError, match=re.escape(named)):
        load_scenes(write(tmp_path, GOOD.replace(old, new, 1)))


def test_a_file_that_is_not_toml_or_has_no_scenes_is_refused(tmp_path):
    with pytest.raises(ValueError, match="TOML"):
        load_scenes(write(tmp_path, "[[scenes]\nid ="))
    with pytest.raises(ValueError, match="scenes"):
        load_scenes(write(tmp_path, "title = 'no scenes'"))


def test_a_choice_question_needs_distinct_choices_and_its_truth_among_them(tmp_path):
    choice = GOOD.replace('kind = "number"\ntolerance = 0.05', 'kind = "choice"\nchoices = ["up", "up"]')
    with pytest.raises(ValueError, match="two"):
        load_scenes(write(tmp_path, choice))
    wrong = GOOD.replace('kind = "number"\ntolerance = 0.05', 'kind = "choice"\nchoices = ["up", "down"]')
    question = load_scenes(write(tmp_path, wrong))[1].question
    with pytest.raises(ValueError, match="not one of the choices"):
        question.truth()  # slope() gives a number, not "up" or "down"
