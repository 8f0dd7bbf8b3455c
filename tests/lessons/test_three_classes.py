"""The MLP page's runs on three classes: a score per class, softmax and cross-entropy, the class of the largest score.

Each number is checked against the three-class lesson's own functions (lessons/softmax.py), which are checked
against PyTorch in test_softmax.py.
"""

import copy
import math
from dataclasses import replace

import numpy as np
import pytest

from lessons import softmax as sm
from lessons.mlp import in_browser
from lessons.mlp.data import make_dataset, make_three_spirals
from lessons.mlp.matrix import mlp_forward_numpy, numpy_accuracy, numpy_loss
from lessons.mlp.points import from_link
from lessons.mlp.runs import decision_grid, zero_contour
from lessons.mlp.settings import (
    RunSettings,
    check_limits,
    classes,
    fitting_loss,
    layer_sizes,
    losses_for,
    make_data,
    make_model,
    make_trainer,
    point_classes,
)
from lessons.mlp.training import TrainConfig, Trainer, accuracy, predicted, sample_loss_graph
from lessons.mlp.trajectory import Trajectory
from lessons.mlp.twin import check_steps, train_in_numpy
from micrograd_core.engine import topological_order
from micrograd_core.nn import MLP

THREE = RunSettings(dataset="spiral3", n_points=60, layers=1, neurons=8, activation="relu", loss="cross_entropy",
                    lr=0.2)


def test_three_spirals_are_the_lessons_spiral_shuffled():
    X, y = make_three_spirals(151, 0.2, seed=3)
    assert X.shape == (151, 2) and sorted(set(y)) == [0.0, 1.0, 2.0]
    assert [int((y == c).sum()) for c in range(3)] == [51, 50, 50]
    lesson_X, lesson_y = sm.spiral([51, 50, 50], noise=0.2, seed=3)
    assert sorted(zip(X.tolist(), y.tolist())) == sorted(zip(lesson_X, map(float, lesson_y)))
    again = make_dataset("spiral3", 151, 0.2, 3)
    assert np.array_equal(again[0], X) and np.array_equal(again[1], y)


@pytest.mark.parametrize("n, noise", [(2, 0.1), (30, -1.0), (30, math.nan)])
def test_three_spirals_refuse_what_they_cannot_make(n, noise):
    with pytest.raises(ValueError):
        make_three_spirals(n, noise)


def test_the_lessons_spiral_is_unchanged_by_counts_per_arm():
    assert sm.spiral() == sm.spiral([50, 50, 50])


def test_three_classes_take_a_score_each_and_cross_entropy_only():
    assert classes(THREE) == 3 and layer_sizes(THREE) == [8, 3]
    assert losses_for(THREE) == ("cross_entropy",)
    assert losses_for(RunSettings(dataset="moons")) == ("squared_error", "hinge")
    assert check_limits(THREE) == []
    assert [p.setting for p in check_limits(replace(THREE, loss="hinge"))] == ["loss"]
    assert [p.setting for p in check_limits(RunSettings(dataset="moons", loss="cross_entropy"))] == ["loss"]
    assert fitting_loss(replace(THREE, loss="squared_error")).loss == "cross_entropy"
    assert fitting_loss(RunSettings(dataset="xor", loss="cross_entropy")).loss == "squared_error"
    assert fitting_loss(RunSettings(dataset="xor", loss="hinge")).loss == "hinge"
    # tanh hidden layers still end in scores, not in tanh: softmax takes any number
    model = make_model(replace(THREE, activation="tanh"))
    assert [n.activation for n in model.layers[-1].neurons] == ["linear"] * 3


def test_a_step_is_the_three_class_lessons_step():
    """The MLP page's Trainer and the lesson's train_step (forward, mean cross-entropy, zero_grad, backward,
    update) take the same steps from the same weights."""
    trainer = make_trainer(THREE)
    model = copy.deepcopy(trainer.model)
    X, y = make_data(THREE)
    for k in range(1, 6):
        report = trainer.step()
        lesson = sm.train_step(model, X, [int(v) for v in y], THREE.lr, k)
        assert report.loss == lesson.loss and report.accuracy == lesson.accuracy
    assert [p.data for p in trainer.model.parameters()] == [p.data for p in model.parameters()]


def test_numpy_loss_and_accuracy_equal_the_engines():
    trainer = make_trainer(THREE)
    trainer.steps(3)
    scores = [trainer.model(x) for x in trainer.X]
    engine = sm.mean_cross_entropy(scores, trainer.y)
    matrix = mlp_forward_numpy(trainer.model, np.asarray(trainer.X))
    assert matrix.shape == (len(trainer.X), 3)
    assert numpy_loss("cross_entropy", matrix, np.asarray(trainer.y), np.zeros(1), 0.0) == pytest.approx(
        engine.data, rel=1e-12)
    assert numpy_accuracy(matrix, np.asarray(trainer.y)) == accuracy(scores, trainer.y)


def test_the_class_of_a_score_or_of_the_largest_score():
    assert predicted(0.3) == 1.0 and predicted(-0.0) == -1.0
    assert predicted([0.1, 2.0, -1.0]) == 1.0 and predicted([3.0, 2.0, 2.5]) == 0.0
    assert accuracy([[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]], [1.0, 2.0]) == 0.5


def test_cross_entropy_needs_a_score_per_class_and_labels_in_range():
    with pytest.raises(ValueError, match="score per class"):
        Trainer(MLP(2, [4, 1], seed=0), [[0.0, 1.0]], [0.0], TrainConfig(lr=0.1, loss="cross_entropy"))
    with pytest.raises(ValueError, match="labels 0 to 2"):
        Trainer(MLP(2, [4, 3], seed=0), [[0.0, 1.0]], [3.0], TrainConfig(lr=0.1, loss="cross_entropy"))
    with pytest.raises(ValueError, match="one output"):
        Trainer(MLP(2, [4, 3], seed=0), [[0.0, 1.0]], [1.0], TrainConfig(lr=0.1))


def test_one_samples_graph_ends_in_its_cross_entropy():
    trainer = make_trainer(THREE)
    x, label = trainer.X[4], trainer.y[4]
    root = sample_loss_graph(trainer.model, x, label, "cross_entropy")
    assert root.label == "loss" and root.grad == 1.0
    scores = sorted((v for v in topological_order(root) if v.label.startswith("score")), key=lambda v: v.label)
    assert [v.label for v in scores] == ["score0", "score1", "score2"]
    check = sm.check_sample([v.data for v in scores], int(label))
    assert root.data == pytest.approx(check.loss, rel=1e-12)
    assert [v.grad for v in scores] == pytest.approx(check.p_minus_y, abs=1e-12)  # p − y, by backward()


def test_the_numpy_twin_repeats_cross_entropy_steps():
    run = Trajectory(THREE)
    for _ in range(8):
        run.advance()
    loss_gap, grad_gap = check_steps(THREE, [run.state(k) for k in range(9)])
    assert loss_gap < 1e-12 and grad_gap < 1e-12
    free = train_in_numpy(THREE, 8)
    assert free == pytest.approx([r.loss for r in run.reports(8)], rel=1e-9)


@pytest.mark.parametrize("optimizer", ["momentum", "Adam"])
def test_other_optimisers_train_three_classes(optimizer):
    run = Trajectory(replace(THREE, optimizer=optimizer, lr=0.01))
    for _ in range(30):
        run.advance()
    losses = [r.loss for r in run.reports(30)]
    assert all(math.isfinite(v) for v in losses) and losses[-1] < losses[0]


def test_held_out_points_are_scored_by_the_largest_score():
    settings = replace(THREE, test_fraction=0.5)
    run = Trajectory(settings)
    run.advance()
    model = run.model_at(0)
    scores = mlp_forward_numpy(model, run.test_X)
    (loss, acc), = run.tests(1)
    assert acc == float(np.mean(np.argmax(scores, axis=1) == run.test_y))
    values = [model(x) for x in run.test_X.tolist()]
    assert loss == pytest.approx(sm.mean_cross_entropy(values, run.test_y.tolist()).data, rel=1e-12)


def test_the_plane_has_a_score_per_class_and_no_single_zero_line():
    model = make_model(THREE)
    X, _ = make_data(THREE)
    xs, ys, z = decision_grid(model, X, 12)
    assert z.shape == (12, 12, 3)
    assert z[5, 7] == pytest.approx(mlp_forward_numpy(model, np.array([[xs[7], ys[5]]]))[0], rel=1e-12)
    assert zero_contour(xs, ys, z) == []


def test_three_classes_may_train_in_the_browser():
    assert in_browser.unsupported(THREE) is None  # tests/lessons/test_in_browser.py follows such a run there


def test_the_classes_own_points_may_be_of_three_classes():
    points = from_link("-1:0:0;1:0:1;0:1:2")
    own = RunSettings(dataset="custom", own_points=tuple(points), loss="cross_entropy")
    assert classes(own) == 3 and check_limits(own) == [] and layer_sizes(own)[-1] == 3
    assert point_classes([(0.0, 0.0, 1.0), (1.0, 1.0, -1.0)]) == 2  # ±1: two classes, as before
    two_of_three = replace(own, own_points=((0.0, 0.0, 0.0), (1.0, 1.0, 2.0)))
    assert [p.setting for p in check_limits(two_of_three)] == ["own_points"]  # class 1 has no point
    with pytest.raises(ValueError, match="not both"):
        from_link("-1:0:-1;1:0:2")
    with pytest.raises(ValueError):
        from_link("0:0:3")
