"""A question's answers, counted: what the projector shows when the teacher reveals.

Answers arrive as the text each student sent (the store keeps text); they are read again with the
question's own check, so an answer that no longer parses is counted apart, never drawn as a number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from lessons.tour import Question

OUTLIER_CLASS = 20  # from this many answers on, a few far-off ones may be drawn at the histogram's edges


@dataclass(frozen=True)
class Tally:
    """The class's answers to one question, and how many are right."""

    question: Question
    values: tuple  # the readable answers: floats for a number question, choices for a choice question
    unreadable: int
    truth: float | str
    right: int

    @property
    def count(self) -> int:
        return len(self.values) + self.unreadable

    @property
    def share_right(self) -> float:
        """The share of all answers that are right (0 when nobody answered)."""
        return self.right / self.count if self.count else 0.0

    def choice_counts(self) -> dict[str, int]:
        """How many picked each choice, in the question's order."""
        return {c: sum(1 for v in self.values if v == c) for c in self.question.choices}

    def number_range(self) -> tuple[float, float]:
        """The span a histogram shows: the truth and every answer, unless a few are far off.

        One student typing 1e6 must not squeeze everyone else's answers into one bar: when the
        extremes lie far outside the middle 90% of a class's answers, the span is that middle part
        widened, and the answers beyond it are drawn in the edge bins (see `clipped`).
        """
        truth = float(self.truth)
        if not self.values:
            pad = max(abs(truth) * 0.5, 1.0)
            return truth - pad, truth + pad
        values = np.array(self.values, dtype=float)
        lo, hi = float(values.min()), float(values.max())
        if len(values) >= OUTLIER_CLASS:
            q_lo, q_hi = (float(q) for q in np.percentile(values, [5, 95]))
            spread = q_hi - q_lo
            if hi - lo > 4 * spread and spread > 0:
                lo, hi = max(lo, q_lo - spread), min(hi, q_hi + spread)
        lo, hi = min(lo, truth), max(hi, truth)
        pad = max(0.1 * (hi - lo), 2 * self.question.tolerance, 1e-9)
        return lo - pad, hi + pad

    def clipped(self, bins: int = 20) -> tuple[list[float], int]:
        """The answers moved inside `number_range` (into its edge bins), and how many had to be moved."""
        lo, hi = self.number_range()
        half = (hi - lo) / bins / 2
        inside = [min(max(float(v), lo + half), hi - half) for v in self.values]
        return inside, sum(1 for v in self.values if not lo <= float(v) <= hi)


def tally(question: Question, answers: Iterable[str]) -> Tally:
    """Read every answer with the question's check and count the right ones."""
    values, unreadable = [], 0
    for raw in answers:
        try:
            values.append(question.check(raw))
        except ValueError:
            unreadable += 1
    truth = question.truth()
    right = sum(1 for v in values if question.correct(v))
    if isinstance(truth, float) and not math.isfinite(truth):  # scenes are tested to have finite truths
        raise ValueError(f"the answer to {question.id} is not a finite number")
    return Tally(question, tuple(values), unreadable, truth, right)
