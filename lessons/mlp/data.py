"""Small datasets to train on: the lecture's four samples and 2-D toy problems.

`tiny_dataset` is the one from Karpathy's micrograd lecture. The 2-D sets follow
scikit-learn's `make_moons` / `make_circles` and the TensorFlow Playground's XOR
and spiral (github.com/tensorflow/playground, src/dataset.ts), without either
dependency. Each 2-D generator returns `X` of shape (n, 2) and labels `y` of shape
(n,) in {-1.0, +1.0}: n // 2 points of class -1 and n - n // 2 of class +1, in a
seeded random order. The sets of `THREE_CLASSES` label their points 0, 1 and 2 instead (one score per class
and cross-entropy train on them; see lessons/softmax.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..softmax import spiral


def tiny_dataset() -> tuple[list[list[float]], list[float]]:
    """The lecture's four inputs and their desired outputs."""
    xs = [
        [2.0, 3.0, -1.0],
        [3.0, -1.0, 0.5],
        [0.5, 1.0, 1.0],
        [1.0, 1.0, -1.0],
    ]
    ys = [1.0, -1.0, -1.0, 1.0]
    return xs, ys


def _check(n: int, noise: float) -> None:
    if n < 2:
        raise ValueError(f"need at least 2 points (one per class), got n={n}")
    if not noise >= 0:  # also rejects nan
        raise ValueError(f"noise must be 0 or more, got {noise}")


def _finish(neg: np.ndarray, pos: np.ndarray, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stack the two classes, add Gaussian noise and shuffle."""
    X = np.concatenate([neg, pos]).astype(np.float64)
    y = np.concatenate([-np.ones(len(neg)), np.ones(len(pos))])
    X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(len(X))
    return X[order], y[order]


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: the upper one is class -1, the lower one +1."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    t_out = np.linspace(0, math.pi, n // 2)
    t_in = np.linspace(0, math.pi, n - n // 2)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)])
    # scikit-learn's moons span x in [-1, 2], y in [-0.5, 1]; centre them on 0
    shift = np.array([0.5, 0.25])
    return _finish(outer - shift, inner - shift, noise, rng)


def make_circles(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A circle of radius 0.5 (class +1) inside one of radius 1 (class -1)."""
    _check(n, noise)
    rng = np.random.default_rng(seed)
    t_out = np.linspace(0, 2 * math.pi, n // 2, endpoint=False)
    t_in = np.linspace(0, 2 * math.pi, n - n // 2, endpoint=False)
    outer = np.column_stack([np.cos(t_out), np.sin(t_out)])
    inner = 0.5 * np.column_stack([np.cos(t_in), np.sin(t_in)])
    return _finish(outer, inner, noise, rng)


def make_xor(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points in the four quadrants, labelled sign(x * y) before the noise is added."""
    _check(n, noise)
    rng = np.random.default_rng(seed)

    def quadrants(m: int, same_sign: bool) -> np.ndarray:
        # keep 0.1 away from the axes, as the Playground does, so that noise 0 is separable
        p = rng.uniform(0.1, 1.0, size=(m, 2)) * rng.choice([-1.0, 1.0], size=(m, 1))
        if not same_sign:
            p[:, 1] *= -1
        return p

    return _finish(quadrants(n // 2, False), quadrants(n - n // 2, True), noise, rng)


def make_spiral(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two spirals, each turning 1.75 times, one rotated half a turn from the other."""
    _check(n, noise)
    rng = np.random.default_rng(seed)

    def arm(m: int, delta: float) -> np.ndarray:
        s = np.linspace(0, 1, m)
        r = 1.0 * s
        t = 1.75 * 2 * math.pi * s + delta
        return np.column_stack([r * np.sin(t), r * np.cos(t)])

    return _finish(arm(n // 2, math.pi), arm(n - n // 2, 0.0), noise, rng)


DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "moons": make_moons,
    "circles": make_circles,
    "xor": make_xor,
    "spiral": make_spiral,
}


def make_three_spirals(n: int = 150, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The three-class lesson's spiral (lessons/softmax.py): three arms labelled 0, 1, 2, about n / 3 points each,
    each point's angle jittered by `noise`, in a seeded random order."""
    if n < 3:
        raise ValueError(f"need at least 3 points (one per class), got n={n}")
    if not noise >= 0:
        raise ValueError(f"noise must be 0 or more, got {noise}")
    X, y = spiral([n // 3 + (c < n % 3) for c in range(3)], noise=noise, seed=seed)
    order = np.random.default_rng(seed).permutation(n)
    return np.asarray(X, dtype=np.float64)[order], np.asarray(y, dtype=np.float64)[order]


THREE_CLASSES: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {"spiral3": make_three_spirals}


def make_dataset(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The 2-D dataset called `name` (a key of DATASETS or THREE_CLASSES)."""
    made = {**DATASETS, **THREE_CLASSES}
    if name not in made:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(made)}")
    return made[name](n=n, noise=noise, seed=seed)
