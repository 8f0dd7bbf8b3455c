"""A question's answers counted for the projector: readable answers, right answers, the histogram's span."""

import math

from lessons.classroom.poll import tally
from lessons.tour import SCENES

NUMBER = next(s.question for s in SCENES if s.question and s.question.kind == "number")
CHOICE = next(s.question for s in SCENES if s.question and s.question.kind == "choice")


def test_numbers_are_read_again_and_counted_right_within_tolerance():
    truth = NUMBER.truth()
    answers = [str(truth), str(truth + NUMBER.tolerance / 2), str(truth + 10 * NUMBER.tolerance + 1), "banana", ""]
    t = tally(NUMBER, answers)
    assert t.count == 5 and t.unreadable == 2 and len(t.values) == 3
    assert t.right == 2
    assert math.isclose(t.share_right, 2 / 5)


def test_choices_are_counted_in_the_questions_order():
    other = next(c for c in CHOICE.choices if c != CHOICE.truth())
    t = tally(CHOICE, [CHOICE.truth(), other, other, "not a choice"])
    counts = t.choice_counts()
    assert list(counts) == list(CHOICE.choices)
    assert counts[CHOICE.truth()] == 1 and counts[other] == 2
    assert t.right == 1 and t.unreadable == 1


def test_nobody_answered():
    t = tally(NUMBER, [])
    assert t.count == 0 and t.share_right == 0.0
    lo, hi = t.number_range()
    assert lo < t.truth < hi


def test_one_huge_answer_does_not_squeeze_the_others_into_one_bar():
    truth = NUMBER.truth()
    answers = [str(truth + d) for d in (-1, -0.5, 0, 0.5, 1) * 4] + ["1000000"]
    t = tally(NUMBER, answers)
    lo, hi = t.number_range()
    assert hi - lo < 100  # the span follows the class, not the outlier
    inside, moved = t.clipped()
    assert moved == 1 and len(inside) == 21
    assert lo < min(inside) and max(inside) < hi  # inside the edge bins, not on the border


def test_a_small_class_is_shown_whole():
    truth = NUMBER.truth()
    t = tally(NUMBER, [str(truth), str(truth + 10)])
    lo, hi = t.number_range()
    assert lo < truth and truth + 10 < hi and t.clipped()[1] == 0


def test_a_class_of_ordinary_answers_is_shown_whole():
    """Spread answers, none far off: nothing is moved to the edges (nor called far off)."""
    t = tally(NUMBER, [str(NUMBER.truth() + d) for d in (0,) * 10 + (-0.5, 0.5, -1, 1, -0.2, 0.2, -0.1, 0.1, 1, 2)])
    assert t.clipped()[1] == 0
