"""Tests for the datasets in lessons.mlp.data."""

import math

import numpy as np
import pytest

from lessons.mlp.data import (
    DATASETS,
    make_circles,
    make_dataset,
    make_moons,
    make_spiral,
    make_xor,
    tiny_dataset,
)

NAMES = sorted(DATASETS)


def test_tiny_dataset_is_the_lectures():
    xs, ys = tiny_dataset()
    assert xs == [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    assert ys == [1.0, -1.0, -1.0, 1.0]


def test_tiny_dataset_returns_fresh_lists():
    xs, _ = tiny_dataset()
    xs[0][0] = 99.0
    assert tiny_dataset()[0][0][0] == 2.0


def test_registry():
    assert list(DATASETS) == ["moons", "circles", "xor", "spiral"]
    assert DATASETS["moons"] is make_moons
    assert DATASETS["circles"] is make_circles
    assert DATASETS["xor"] is make_xor
    assert DATASETS["spiral"] is make_spiral


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [2, 3, 100, 101])
def test_shapes_dtypes_labels_and_balance(name, n):
    X, y = make_dataset(name, n, 0.1, 0)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert set(np.unique(y)) <= {-1.0, 1.0}
    assert np.sum(y == -1.0) == n // 2
    assert np.sum(y == 1.0) == n - n // 2
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", NAMES)
def test_scale_is_about_unit(name):
    X, _ = make_dataset(name, 200, 0.1, 0)
    assert np.abs(X).max() < 2.5
    assert np.abs(X).max() > 0.5
    assert np.abs(X.mean(axis=0)).max() < 0.5  # roughly centred


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_data(name):
    X1, y1 = make_dataset(name, 50, 0.2, 7)
    X2, y2 = DATASETS[name](n=50, noise=0.2, seed=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("name", NAMES)
def test_different_seeds_differ(name):
    X1, _ = make_dataset(name, 50, 0.1, 0)
    X2, _ = make_dataset(name, 50, 0.1, 1)
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("name", NAMES)
def test_defaults(name):
    X, y = DATASETS[name]()
    assert X.shape == (100, 2) and y.shape == (100,)


@pytest.mark.parametrize("name", NAMES)
def test_more_noise_spreads_points_more(name):
    # same seed, so the same clean points; the noise is what differs
    X0, y0 = make_dataset(name, 100, 0.0, 3)
    X1, y1 = make_dataset(name, 100, 0.3, 3)
    np.testing.assert_array_equal(y0, y1)
    assert np.abs(X1 - X0).mean() > 0.1


def test_moons_without_noise_lie_on_two_half_circles():
    X, y = make_moons(100, 0.0, 0)
    shift = np.array([0.5, 0.25])
    upper = X[y == -1] + shift  # back to scikit-learn's coordinates
    lower = X[y == 1] + shift
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12


def test_circles_without_noise_have_radii_half_and_one():
    X, y = make_circles(60, 0.0, 0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 1], 0.5)
    np.testing.assert_allclose(r[y == -1], 1.0)


def test_xor_without_noise_is_labelled_by_quadrant():
    X, y = make_xor(200, 0.0, 0)
    np.testing.assert_array_equal(np.sign(X[:, 0] * X[:, 1]), y)
    assert np.abs(X).min() >= 0.1  # away from the axes
    # all four quadrants are used
    quadrants = {(bool(a > 0), bool(b > 0)) for a, b in X}
    assert len(quadrants) == 4


def test_spiral_arms_are_half_a_turn_apart():
    X, y = make_spiral(100, 0.0, 0)
    a, b = X[y == -1], X[y == 1]
    # same radii, opposite points: the -1 arm is the +1 arm rotated by pi
    np.testing.assert_allclose(sorted(np.hypot(a[:, 0], a[:, 1])), sorted(np.hypot(b[:, 0], b[:, 1])))
    order_a = np.argsort(np.hypot(a[:, 0], a[:, 1]))
    order_b = np.argsort(np.hypot(b[:, 0], b[:, 1]))
    np.testing.assert_allclose(a[order_a][1:], -b[order_b][1:], atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_noise_zero_works(name):
    X, y = make_dataset(name, 40, 0.0, 0)
    assert X.shape == (40, 2) and np.all(np.isfinite(X))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n, noise", [(1, 0.1), (0, 0.1), (-5, 0.1), (10, -0.1), (10, math.nan)])
def test_bad_arguments_raise(name, n, noise):
    with pytest.raises(ValueError):
        make_dataset(name, n, noise, 0)
    with pytest.raises(ValueError):
        DATASETS[name](n=n, noise=noise, seed=0)


def test_unknown_name_raises():
    with pytest.raises(ValueError, match="unknown dataset"):
        make_dataset("swiss_roll", 100, 0.1, 0)


def test_the_shapes_span_their_whole_extent():
    X, y = make_moons(100, 0.0, 0)
    upper, lower = X[y == -1] + [0.5, 0.25], X[y == 1] + [0.5, 0.25]
    assert (upper[:, 0].min(), upper[:, 0].max()) == pytest.approx((-1.0, 1.0))  # the whole half circle
    assert (lower[:, 0].min(), lower[:, 0].max()) == pytest.approx((0.0, 2.0))
    X, y = make_circles(8, 0.0, 0)
    angles = sorted(np.round(np.degrees(np.arctan2(X[y == -1][:, 1], X[y == -1][:, 0])) % 360))
    assert angles == [0, 90, 180, 270]  # evenly round the circle, the start not repeated
