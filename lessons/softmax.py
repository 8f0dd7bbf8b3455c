"""More than two classes: softmax and cross-entropy built from `Value`s, and a network with three outputs.

The lecture's network gives one score and its sign is the class. With k classes it gives k scores;
softmax turns them into probabilities (exp each, divide by their sum) and cross-entropy is minus the
log of the true class's probability. Built from the engine's exp, log, sums and division, backward()
finds the fact the lecture never shows: the gradient of the loss with respect to the scores is p − y,
the probabilities minus the one-hot label.

Large scores overflow exp (exp(710) is inf in a float), so the largest score is subtracted first:
softmax is the same for scores shifted by a constant, and the shift is a plain number, not a Value,
so it changes no gradient.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from micrograd_core.engine import Value
from micrograd_core.nn import MLP

CLASSES = 3


def softmax(scores: Sequence[Value]) -> list[Value]:
    """exp(s_i − max) / Σ_j exp(s_j − max): probabilities that sum to 1, whatever the scores' size."""
    top = max(s.data for s in scores)
    exps = [(s - top).exp() for s in scores]
    total = sum(exps[1:], exps[0])
    return [e / total for e in exps]


def cross_entropy(scores: Sequence[Value], label: int) -> Value:
    """−log p_label, written as log Σ exp(s_j − max) + max − s_label: the same number, without exp overflowing
    or the log of a probability that rounded to 0."""
    top = max(s.data for s in scores)
    exps = [(s - top).exp() for s in scores]
    return sum(exps[1:], exps[0]).log() + top - scores[label]


def mean_cross_entropy(scores: Sequence[Sequence[Value]], labels: Sequence[float]) -> Value:
    """The mean of the samples' cross-entropies: a score per class for each sample, and its class."""
    if len(scores) == 0:
        raise ValueError("need at least one sample")
    losses = [cross_entropy(s, int(label)) for s, label in zip(scores, labels, strict=True)]
    return sum(losses[1:], losses[0]) * (1.0 / len(losses))


@dataclass(frozen=True)
class Check:
    """One sample's scores, probabilities, label and p − y, beside the gradient backward() gives the scores."""

    scores: list[float]
    probabilities: list[float]
    one_hot: list[float]
    loss: float
    grads: list[float]

    @property
    def p_minus_y(self) -> list[float]:
        return [p - y for p, y in zip(self.probabilities, self.one_hot)]

    @property
    def largest_gap(self) -> float:
        return max(abs(g - d) for g, d in zip(self.grads, self.p_minus_y))


def check_sample(scores: Sequence[float], label: int) -> Check:
    """Cross-entropy of `scores` against `label`, backward(), and what the scores' gradients come to."""
    values = [Value(s) for s in scores]
    loss = cross_entropy(values, label)
    loss.backward()
    probs = [p.data for p in softmax([Value(s) for s in scores])]
    return Check(list(scores), probs, [1.0 if i == label else 0.0 for i in range(len(scores))], loss.data,
                 [v.grad for v in values])


def spiral(per_class: int | Sequence[int] = 50, classes: int = CLASSES, noise: float = 0.2, seed: int = 0
           ) -> tuple[list[list[float]], list[int]]:
    """Arms of a spiral, a label 0, 1, 2... per arm: `classes` arms of `per_class` points, or one arm for each
    count `per_class` lists. `noise` jitters each point's angle."""
    counts = [per_class] * classes if isinstance(per_class, int) else list(per_class)
    rng = random.Random(seed)
    X, y = [], []
    for c, count in enumerate(counts):
        for i in range(count):
            r = i / count
            t = c * 4.0 + 4.0 * r + rng.gauss(0, noise)
            X.append([r * math.sin(t), r * math.cos(t)])
            y.append(c)
    return X, y


def make_model(seed: int = 1, hidden: tuple[int, ...] = (16, 16)) -> MLP:
    """2 inputs, ReLU hidden layers, and one linear score per class."""
    return MLP(2, [*hidden, CLASSES], activation="relu", output_activation="linear", seed=seed)


@dataclass(frozen=True)
class Report:
    step: int
    loss: float
    accuracy: float


def train_step(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int], lr: float, step: int) -> Report:
    """The lecture's loop with the new loss: forward every sample, mean cross-entropy, zero_grad, backward, update."""
    scores = [model(x) for x in X]
    loss = mean_cross_entropy(scores, y)
    right = sum(class_of(s) == label for s, label in zip(scores, y))
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data += -lr * p.grad
    return Report(step, loss.data, right / len(X))


def class_of(scores: Sequence[Value]) -> int:
    """The class of the largest score."""
    return max(range(len(scores)), key=lambda k: scores[k].data)


def predict(model: MLP, points: Sequence[Sequence[float]]) -> list[int]:
    """The class of each point: the largest of the network's scores."""
    return [class_of(model(x)) for x in points]
