"""Checking a student's answer: one tolerance for every quiz and poll of the app."""

from __future__ import annotations

import math
from dataclasses import dataclass

TOLERANCE = 1e-3  # answers are typed to 4 decimals, as the graphs show them


@dataclass(frozen=True)
class Verdict:
    """A typed answer against the true value."""

    answer: float
    truth: float

    @property
    def right(self) -> bool:
        if not math.isfinite(self.truth):
            return self.answer == self.truth
        return math.isfinite(self.answer) and abs(self.answer - self.truth) <= TOLERANCE


def check(answer: float, truth: float) -> Verdict:
    return Verdict(float(answer), float(truth))
