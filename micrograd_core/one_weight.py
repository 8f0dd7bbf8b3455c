"""Predict, compare, learn: gradient descent on a single weight.

pred = input * weight, error = 1/2 (pred - goal)**2, so d error / d weight = (pred - goal) * input
and each step is weight -= lr * (pred - goal) * input. The distance to the best weight
goal / input is multiplied by (1 - lr * input**2) at every step: it shrinks when that factor
lies between -1 and 1, and grows (the weight diverges) when lr * input**2 > 2.
"""

from __future__ import annotations

from dataclasses import dataclass

from .engine import Value


@dataclass(frozen=True)
class WeightStep:
    """One step's numbers: the weight used, its prediction, error and gradient."""

    weight: float
    pred: float
    error: float
    grad: float


def evaluate_weight(weight: float, x: float, goal: float) -> WeightStep:
    """Forward and backward for one weight, with the engine."""
    w = Value(weight, label="weight")
    pred = w * x
    error = 0.5 * (pred - goal) ** 2
    error.backward()
    return WeightStep(weight=weight, pred=pred.data, error=error.data, grad=w.grad)


def descend(weight: float, x: float, goal: float, lr: float, steps: int) -> list[WeightStep]:
    """`steps` updates weight -= lr * grad; returns steps + 1 records, the start first."""
    history = [evaluate_weight(weight, x, goal)]
    for _ in range(steps):
        last = history[-1]
        history.append(evaluate_weight(last.weight - lr * last.grad, x, goal))
    return history


def contraction(x: float, lr: float) -> float:
    """The factor (1 - lr * x**2) by which each step multiplies the distance to the best weight."""
    return 1.0 - lr * x * x
