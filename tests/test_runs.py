"""Tests for micrograd_core.runs: time-boxed stepping, stopping, kept runs, CSV, thinning and the decision grid."""

import csv
import io
import itertools
import math
from dataclasses import replace

import numpy as np
import pytest

from micrograd_core.data import tiny_dataset
from micrograd_core.nn import MLP
from micrograd_core.presets import PRESETS, make_trainer
from micrograd_core.runs import (
    MAX_KEPT_RUNS,
    MAX_STEPS,
    KeptRun,
    data_accuracy,
    decision_grid,
    finished,
    history_csv,
    keep_run,
    run_label,
    stalled,
    thin,
    train_for,
)
from micrograd_core.training import StepReport

LECTURE = PRESETS["Lecture"]


def fake_clock(step_seconds: float):
    """A clock that advances by step_seconds each time it is read."""
    ticks = itertools.count()
    return lambda: next(ticks) * step_seconds


def test_train_for_fills_the_time_budget():
    trainer = make_trainer(LECTURE)
    # the clock is read once at the start and once per step: each step "takes" 0.03 s
    reports = train_for(trainer, 0.2, clock=fake_clock(0.03))
    # after k steps 0.03k s have passed; the next would end at 0.03(k+1) > 0.2 once k = 6
    assert len(reports) == 6
    assert [r.step for r in reports] == [1, 2, 3, 4, 5, 6] == [r.step for r in trainer.history]


def test_train_for_takes_one_step_even_when_a_step_is_longer_than_the_budget():
    trainer = make_trainer(LECTURE)
    assert len(train_for(trainer, 0.2, clock=fake_clock(5.0))) == 1
    assert len(trainer.history) == 1


def test_train_for_respects_max_steps():
    trainer = make_trainer(LECTURE)
    assert len(train_for(trainer, 100.0, max_steps=10, clock=fake_clock(1e-6))) == 10
    assert len(train_for(trainer, 100.0, max_steps=1, clock=fake_clock(1e-6))) == 1
    assert len(trainer.history) == 11


def test_train_for_stops_at_divergence_and_keeps_the_good_steps():
    trainer = make_trainer(replace(LECTURE, activation="relu", lr=1e6))
    reports = train_for(trainer, 100.0, clock=fake_clock(1e-6))
    assert trainer.stopped_reason is not None
    assert reports == trainer.history and len(reports) >= 1
    assert all(math.isfinite(r.loss) for r in reports)
    assert finished(trainer) == trainer.stopped_reason
    assert train_for(trainer, 1.0) == []  # a stopped run takes no more steps


def test_train_for_stops_at_the_step_limit():
    trainer = make_trainer(LECTURE)
    trainer.history = [StepReport(k, 1.0, 1.0, 0.05) for k in range(1, MAX_STEPS)]  # one step left
    assert finished(trainer) is None
    assert len(train_for(trainer, 100.0, clock=fake_clock(1e-6))) == 1
    assert len(trainer.history) == MAX_STEPS
    assert f"{MAX_STEPS:,} steps" in finished(trainer)
    assert train_for(trainer, 1.0) == []


def test_stalled_tanh_with_a_large_learning_rate():
    trainer = make_trainer(replace(LECTURE, lr=1.0))
    trainer.steps(19)
    assert not stalled(trainer)  # too few steps to say
    trainer.steps(30)
    # every tanh saturated: two of four outputs stuck at the wrong sign, loss (2**2) * 2 = 8
    assert trainer.history[-1].loss == pytest.approx(8.0, abs=1e-6)
    assert stalled(trainer)
    learning = make_trainer(LECTURE)
    learning.steps(50)
    assert not stalled(learning)


def test_run_label_says_what_the_run_used():
    trainer = make_trainer(LECTURE)
    trainer.steps(2)
    assert run_label(LECTURE, trainer) == "lr 0.05 · tanh 4-4"
    trainer.config.lr = 0.5  # changed mid-run
    trainer.step()
    assert run_label(LECTURE, trainer) == "lr 0.05→0.5 · tanh 4-4"
    demo = PRESETS["micrograd demo"]
    assert run_label(demo, make_trainer(demo)) == "lr 1 decaying · relu 16-16 · moons · hinge · seed 2"
    odd = replace(LECTURE, zero_grad=False, batch_size=2)
    assert run_label(odd, make_trainer(odd)) == "lr 0.05 · tanh 4-4 · batch 2 · no zero_grad"


def test_keep_run_adds_curves_and_keeps_the_newest():
    runs: list[KeptRun] = []
    empty = make_trainer(LECTURE)
    assert keep_run(runs, LECTURE, empty) == []  # nothing to keep before a step
    trainer = make_trainer(LECTURE)
    trainer.steps(3)
    runs = keep_run(runs, LECTURE, trainer)
    assert runs == [KeptRun("lr 0.05 · tanh 4-4", (1, 2, 3), tuple(r.loss for r in trainer.history))]
    for i in range(MAX_KEPT_RUNS + 2):
        t = make_trainer(replace(LECTURE, lr=0.01 * (i + 1)))
        t.steps(1)
        runs = keep_run(runs, LECTURE, t)
    assert len(runs) == MAX_KEPT_RUNS
    assert runs[-1].label.startswith("lr 0.08 ")  # the newest kept, the oldest dropped


def test_history_csv_round_trips():
    trainer = make_trainer(LECTURE)
    trainer.steps(4)
    rows = list(csv.DictReader(io.StringIO(history_csv(trainer.history))))
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4]
    assert [float(r["loss"]) for r in rows] == [r.loss for r in trainer.history]  # exact: repr round-trips
    assert [float(r["accuracy"]) for r in rows] == [r.accuracy for r in trainer.history]
    assert [float(r["lr"]) for r in rows] == [0.05] * 4
    assert history_csv([]) == "step,loss,accuracy,lr\n"


@pytest.mark.parametrize("n, m", [(0, 10), (5, 10), (10, 10), (11, 10), (1000, 7), (4999, 1500), (5000, 2)])
def test_thin(n, m):
    picked = thin(n, m)
    assert len(picked) <= m
    assert picked == sorted(set(picked)) and all(0 <= i < n for i in picked)
    if n:
        assert picked[0] == 0 and picked[-1] == n - 1
    if n <= m:
        assert picked == list(range(n))


def test_thin_rejects_too_few_points():
    with pytest.raises(ValueError):
        thin(10, 1)


def test_data_accuracy_counts_the_right_side():
    model = MLP(3, [4, 4, 1], seed=0)
    xs, ys = tiny_dataset()
    by_hand = sum((model(x).data > 0) == (y > 0) for x, y in zip(xs, ys)) / 4
    assert data_accuracy(model, xs, ys) == by_hand


def test_decision_grid_is_the_model_on_a_grid():
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    X = [[-1.0, 0.0], [2.0, 1.0], [0.5, -2.0]]
    xs, ys, z = decision_grid(model, X, resolution=7, pad=0.5)
    assert xs[0] == -1.5 and xs[-1] == 2.5 and ys[0] == -2.5 and ys[-1] == 1.5
    assert z.shape == (7, 7)
    # row i is y = ys[i], column j is x = xs[j]; compare a few cells with the Value forward pass
    for i, j in ((0, 0), (3, 5), (6, 2)):
        assert z[i, j] == pytest.approx(model([float(xs[j]), float(ys[i])]).data, abs=1e-12)
    with pytest.raises(ValueError):
        decision_grid(MLP(3, [2, 1], seed=0), np.zeros((4, 3)))
