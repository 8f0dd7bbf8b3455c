"""Tests for lessons.mlp.runs: when a run stops, kept runs, CSV, thinning and the decision grid."""

import csv
import io
from dataclasses import replace

import numpy as np
import pytest

from lessons.mlp.data import tiny_dataset
from lessons.mlp.runs import (
    MAX_KEPT_RUNS,
    KeptRun,
    data_accuracy,
    decision_grid,
    history_csv,
    keep_run,
    run_label,
    stalled,
    thin,
    zero_contour,
)
from lessons.mlp.settings import PRESETS, make_trainer
from lessons.mlp.training import StepReport
from micrograd_core.nn import MLP

LECTURE = PRESETS["Lecture"]


def test_stalled_tanh_with_a_large_learning_rate():
    trainer = make_trainer(replace(LECTURE, lr=1.0))
    trainer.steps(19)
    assert not stalled(trainer.history)  # too few steps to say
    trainer.steps(30)
    # every tanh saturated: two of four outputs stuck at the wrong sign, loss (2**2) * 2 = 8
    assert trainer.history[-1].loss == pytest.approx(8.0, abs=1e-6)
    assert stalled(trainer.history)
    learning = make_trainer(LECTURE)
    learning.steps(50)
    assert not stalled(learning.history)


def test_run_label_says_what_the_steps_ran_with():
    trainer = make_trainer(LECTURE)
    trainer.steps(2)
    assert run_label(LECTURE, trainer.history) == "lr 0.05 · tanh 4-4"
    trainer.config.lr = 0.5  # changed mid-run
    trainer.step()
    assert run_label(LECTURE, trainer.history) == "lr 0.05→0.5 · tanh 4-4"
    demo = PRESETS["micrograd demo"]
    trainer = make_trainer(demo)
    trainer.steps(3)
    assert run_label(demo, trainer.history) == "lr 1 decaying · relu 16-16 · moons · hinge · seed 2"
    odd = replace(LECTURE, forget_zero_grad=True, batch_size=2)
    trainer = make_trainer(odd)
    trainer.steps(2)
    assert run_label(odd, trainer.history) == "lr 0.05 · tanh 4-4 · batch 2 · no zero_grad"


def test_a_run_is_named_by_its_steps_not_by_the_settings_at_the_end():
    # the lecture's flow: the bug on, train, the bug off again; the curve is that of a buggy run
    trainer = make_trainer(replace(LECTURE, forget_zero_grad=True))
    trainer.steps(5)
    trainer.config.forget_zero_grad = False
    trainer.steps(2)
    assert run_label(LECTURE, trainer.history) == "lr 0.05 · tanh 4-4 · no zero_grad in 5 of 7 steps"


def test_keep_run_adds_curves_and_keeps_the_newest():
    runs: list[KeptRun] = []
    empty = make_trainer(LECTURE)
    assert keep_run(runs, LECTURE, empty.history) == []  # nothing to keep before a step
    trainer = make_trainer(LECTURE)
    trainer.steps(3)
    runs = keep_run(runs, LECTURE, trainer.history)
    assert runs == [KeptRun("lr 0.05 · tanh 4-4", (1, 2, 3), tuple(r.loss for r in trainer.history))]
    for i in range(MAX_KEPT_RUNS + 2):
        t = make_trainer(replace(LECTURE, lr=0.01 * (i + 1)))
        t.steps(1)
        runs = keep_run(runs, LECTURE, t.history)
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


def test_zero_contour_follows_the_boundary():
    xs, ys = np.linspace(-1, 1, 41), np.linspace(-1, 1, 41)
    gx, gy = np.meshgrid(xs, ys)
    circle = zero_contour(xs, ys, 0.25 - gx**2 - gy**2)
    ends = [end for s in circle for end in (s[:2], s[2:])]
    assert len(circle) > 40 and max(abs(np.hypot(x, y) - 0.5) for x, y in ends) < 2e-3
    line = zero_contour(xs, ys, gx - 0.3)
    assert len(line) == 40 and all(s[0] == pytest.approx(0.3) and s[2] == pytest.approx(0.3) for s in line)


def test_zero_contour_is_empty_without_a_boundary_and_skips_non_finite_cells():
    xs, ys = np.linspace(0, 1, 5), np.linspace(0, 1, 5)
    assert zero_contour(xs, ys, np.ones((5, 5))) == []
    z = np.where(np.arange(25).reshape(5, 5) % 5 < 2, -1.0, 1.0)  # a vertical boundary between columns 1 and 2
    z[0, 1] = np.nan
    segments = zero_contour(xs, ys, z)
    assert len(segments) == 3 and all(s[0] == pytest.approx(0.375) for s in segments)


def reports_of(losses, **kwargs):
    return [StepReport(k, loss, 1.0, 0.05, **kwargs) for k, loss in enumerate(losses, 1)]


def test_stalled_means_twenty_steps_without_a_change_far_from_zero():
    assert not stalled(reports_of([2.0] * 19)) and stalled(reports_of([2.0] * 20))
    assert not stalled(reports_of([3.0] + [2.0] * 19))  # it moved within the last 20 steps
    assert stalled(reports_of([3.0] + [2.0] * 20))  # not within the last 20
    assert not stalled(reports_of([0.01] * 20)) and stalled(reports_of([0.0101] * 20))  # near 0 it is learnt
    assert stalled(reports_of([5.0] * 19 + [5.0 + 4e-6]))  # a tiny move, relative to a loss of 5, is still
    assert not stalled(reports_of([5.0] * 19 + [5.0 + 6e-6]))


def test_run_labels_for_runs_whose_batch_or_learning_rate_changed():
    steps = reports_of([1.0, 1.0], batch=2) + [StepReport(3, 1.0, 1.0, 0.2, batch=4)]
    assert run_label(LECTURE, steps) == "lr 0.05→0.2 · tanh 4-4 · batch changed"
    assert run_label(replace(LECTURE, lr_decay=True), []) == "lr 0.05 decaying · tanh 4-4"
    assert run_label(LECTURE, []) == "lr 0.05 · tanh 4-4"


def test_thin_keeps_the_first_every_stride_and_the_last():
    assert thin(10, 4) == [0, 3, 6, 9]
    assert thin(11, 4) == [0, 4, 8, 10]
    assert thin(4, 4) == [0, 1, 2, 3]
