"""Tests for losses, the Trainer and the numpy forward pass in lessons.mlp.training."""

import copy
import inspect
import math

import numpy as np
import pytest

from lessons.mlp.data import make_moons, tiny_dataset
from lessons.mlp.matrix import mlp_forward_numpy, numpy_loss
from lessons.mlp.training import (
    LOSSES,
    PHASES,
    StepReport,
    TrainConfig,
    Trainer,
    accuracy,
    hinge_loss,
    l2_penalty,
    sample_loss_graph,
    squared_error_loss,
)
from micrograd_core.engine import Value, topological_order
from micrograd_core.nn import MLP

LECTURE_SEED = 0  # reaches loss < 0.01 in 62 steps at lr 0.05
LECTURE_LR = 0.05
DEMO_SEED = 2  # 100% training accuracy on moons at step 20


def lecture_trainer(**config) -> Trainer:
    """The lecture's network and data, at the lecture's learning rate unless `config` says another."""
    xs, ys = tiny_dataset()
    return Trainer(MLP(3, [4, 4, 1], seed=LECTURE_SEED), xs, ys, TrainConfig(**{"lr": LECTURE_LR, **config}))


def relu_trainer(**config) -> Trainer:
    xs, ys = tiny_dataset()
    model = MLP(3, [4, 4, 1], activation="relu", output_activation="linear", seed=0)
    return Trainer(model, xs, ys, TrainConfig(**{"lr": LECTURE_LR, **config}))


def weights(model: MLP) -> list[float]:
    return [p.data for p in model.parameters()]


def grads(model: MLP) -> list[float]:
    return [p.grad for p in model.parameters()]


# --- losses, accuracy, update ---


def test_squared_error_by_hand():
    scores = [Value(0.5), Value(-2.0), Value(1.0)]
    loss = squared_error_loss(scores, [1.0, -1.0, 1.0])
    assert loss.data == pytest.approx(0.25 + 1.0 + 0.0)
    loss.backward()
    assert [s.grad for s in scores] == pytest.approx([2 * (0.5 - 1), 2 * (-2.0 + 1), 0.0])


def test_hinge_by_hand():
    scores = [Value(0.5), Value(-2.0), Value(3.0), Value(-0.25)]
    # relu(1 - y*s): 0.5, 0 (right side, margin met), 4, 0.75; mean 5.25 / 4
    loss = hinge_loss(scores, [1.0, -1.0, -1.0, -1.0])
    assert loss.data == pytest.approx(5.25 / 4)
    loss.backward()
    assert [s.grad for s in scores] == pytest.approx([-0.25, 0.0, 0.25, 0.25])


def test_losses_accept_numpy_targets():
    scores = [Value(0.5), Value(-2.0)]
    ys = np.array([1.0, -1.0])
    assert squared_error_loss(scores, ys).data == pytest.approx(1.25)
    assert hinge_loss(scores, ys).data == pytest.approx(0.25)


def test_losses_reject_mismatched_or_empty_input():
    with pytest.raises(ValueError):
        squared_error_loss([Value(1.0)], [1.0, 2.0])
    with pytest.raises(ValueError):
        hinge_loss([Value(1.0), Value(2.0)], [1.0])
    with pytest.raises(ValueError):
        squared_error_loss([], [])
    with pytest.raises(ValueError):
        accuracy([], [])


def test_l2_penalty_by_hand():
    params = [Value(1.0), Value(-2.0), Value(0.5)]
    reg = l2_penalty(params, 0.1)
    assert reg.data == pytest.approx(0.1 * 5.25)
    reg.backward()
    assert [p.grad for p in params] == pytest.approx([0.2, -0.4, 0.1])
    assert l2_penalty([], 0.1).data == 0.0


def test_accuracy():
    assert accuracy([0.3, -0.1, 2.0, -5.0], [1.0, -1.0, -1.0, 1.0]) == 0.5
    assert accuracy([Value(0.3), Value(-0.1)], np.array([1.0, -1.0])) == 1.0
    assert accuracy([0.0], [1.0]) == 0.0  # a score of exactly 0 predicts -1
    assert accuracy([math.nan], [-1.0]) == 1.0
    assert isinstance(accuracy([1.0], np.array([1.0])), float)


# --- the Trainer ---


def test_one_step_matches_the_lectures_loop():
    trainer = lecture_trainer(lr=0.05)
    report = trainer.step()

    # the lecture's loop, written out on an identical model
    xs, ys = tiny_dataset()
    n = MLP(3, [4, 4, 1], seed=LECTURE_SEED)
    ypred = [n(x) for x in xs]
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred, strict=True))
    for p in n.parameters():
        p.grad = 0.0
    loss.backward()
    for p in n.parameters():
        p.data += -0.05 * p.grad

    assert report == StepReport(1, loss.data, report.accuracy, 0.05, forget_zero_grad=False, batch=None, lr_decay=False)
    assert report.loss == pytest.approx(loss.data, abs=1e-12)
    assert report.accuracy == accuracy(ypred, ys)
    assert weights(trainer.model) == pytest.approx(weights(n), abs=1e-12)
    assert grads(trainer.model) == pytest.approx(grads(n), abs=1e-12)
    assert trainer.history == [report]


def test_step_source_reads_like_the_lecture():
    source = inspect.getsource(Trainer.step_phases)
    for phrase in ("# forward pass", "zero_grad()", "self.backward(loss)", "self.update(lr)"):
        assert phrase in source
    assert len(source.splitlines()) < 40
    assert "loss.backward()" in inspect.getsource(Trainer.backward)
    assert "p.data += -lr * p.grad" in inspect.getsource(Trainer.update)


def test_a_step_taken_phase_by_phase_is_the_same_step():
    whole, phased = lecture_trainer(), lecture_trainer()
    whole.step()
    names = []
    for phase in phased.step_phases():
        names.append(phase.name)
        if phase.name == "forward":
            assert phase.loss is None and len(phase.scores) == 4 and phased.history == []
        if phase.name == "zero_grad":
            assert grads(phased.model) == [0.0] * 41
        if phase.name == "backward":
            assert weights(phased.model) == weights(lecture_trainer().model)  # not updated yet
            assert grads(phased.model) == grads(whole.model)
    assert names == list(PHASES)
    assert phased.history == whole.history and weights(phased.model) == weights(whole.model)


def test_lecture_setup_learns():
    trainer = lecture_trainer(lr=0.05)
    for _ in range(500):
        if trainer.step().loss < 0.01:
            break
    assert trainer.history[-1].loss < 0.01
    assert trainer.history[-1].accuracy == 1.0
    assert [r.step for r in trainer.history] == list(range(1, len(trainer.history) + 1))
    assert [trainer.model(x).data for x in tiny_dataset()[0]] == pytest.approx([1, -1, -1, 1], abs=0.1)


def test_micrograd_demo_setup_reaches_full_accuracy():
    X, y = make_moons(100, 0.1, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=DEMO_SEED)
    trainer = Trainer(model, X, y, TrainConfig(lr=1.0, loss="hinge", alpha=1e-4, lr_decay=True))
    for _ in range(100):
        if trainer.step().accuracy == 1.0:
            break
    assert trainer.history[-1].accuracy == 1.0
    assert trainer.stopped is None
    assert trainer.history[0].accuracy < 1.0
    # the hinge loss carries the L2 term
    scores = [model(x) for x in trainer.X]
    assert hinge_loss(scores, y).data < trainer.loss(scores, y).data


def test_learning_rate_decay_follows_the_demo():
    trainer = lecture_trainer(lr=2.0, lr_decay=True)
    assert trainer.learning_rate(1) == 2.0
    assert trainer.learning_rate(51) == pytest.approx(2.0 * (1 - 0.9 * 50 / 100))
    assert trainer.learning_rate(101) == pytest.approx(0.2)
    assert trainer.learning_rate(500) == pytest.approx(0.2)
    assert [r.lr for r in trainer.steps(3)] == pytest.approx([2.0, 2.0 * 0.991, 2.0 * 0.982])
    assert lecture_trainer(lr=2.0).learning_rate(500) == 2.0


def test_without_zero_grad_gradients_accumulate():
    fresh, buggy = lecture_trainer(), lecture_trainer(forget_zero_grad=True)
    fresh.step()
    buggy.step()
    first = grads(buggy.model)
    assert first == grads(fresh.model)
    fresh.step()
    buggy.step()
    # same weights going into step 2, so the buggy gradient is the old one plus the new one
    assert grads(buggy.model) == pytest.approx([a + b for a, b in zip(first, grads(fresh.model), strict=True)])
    assert grads(buggy.model) != pytest.approx(grads(fresh.model))


def test_divergence_stops_and_keeps_the_last_good_weights():
    trainer = relu_trainer(lr=1e6)
    before = []
    for _ in range(50):
        before.append(weights(trainer.model))
        report = trainer.step()
        if trainer.stopped:
            break
    assert trainer.stopped is not None
    assert trainer.stopped.what == "exploded" and trainer.stopped.cause == "learning_rate"
    assert trainer.stopped.report == report and report.lr == 1e6
    assert report.step == len(trainer.history) + 1 and len(trainer.history) >= 1
    assert report.loss > 1e4 * trainer.history[0].loss
    # back to the weights the last recorded loss was measured on
    assert weights(trainer.model) == before[-2]
    scores = [trainer.model(x) for x in trainer.X]
    assert trainer.loss(scores, trainer.y).data == trainer.history[-1].loss
    with pytest.raises(RuntimeError, match=f"stopped at step {report.step}"):
        trainer.step()
    with pytest.raises(RuntimeError):
        trainer.steps(3)


def test_divergence_to_inf_is_caught():
    trainer = relu_trainer(lr=1e6, explode_factor=math.inf)
    reports = trainer.steps(100)
    assert trainer.stopped is not None and trainer.stopped.what in ("loss", "gradients")
    assert len(reports) == len(trainer.history) < 100
    assert all(math.isfinite(r.loss) for r in trainer.history)
    assert all(math.isfinite(w) for w in weights(trainer.model))


def test_steps_without_divergence():
    trainer = lecture_trainer()
    reports = trainer.steps(5)
    assert [r.step for r in reports] == [1, 2, 3, 4, 5]
    assert trainer.history == reports
    assert trainer.stopped is None
    assert trainer.steps(0) == []


def test_tanh_with_a_huge_learning_rate_does_not_stop():
    # tanh output and squared error keep the lecture's loss below 16: it stalls, it cannot explode
    trainer = lecture_trainer(lr=50.0)
    trainer.steps(30)
    assert trainer.stopped is None
    assert all(r.loss <= 16 for r in trainer.history)


def test_minibatch_uses_batch_size_samples_deterministically():
    xs, ys = tiny_dataset()
    a = lecture_trainer(batch_size=2, seed=5)
    b = lecture_trainer(batch_size=2, seed=5)
    reference = copy.deepcopy(a.model)
    report = a.step()
    # the loss is that of exactly one pair of samples
    pair_losses = [
        squared_error_loss([reference(xs[i]), reference(xs[j])], [ys[i], ys[j]]).data
        for i in range(4)
        for j in range(i + 1, 4)
    ]
    assert sum(math.isclose(report.loss, p, abs_tol=1e-12) for p in pair_losses) >= 1
    assert report.accuracy in (0.0, 0.5, 1.0)
    b.step()
    a.steps(5)
    b.steps(5)
    assert a.history == b.history
    assert weights(a.model) == weights(b.model)
    # other seeds draw other batches
    others = [lecture_trainer(batch_size=2, seed=s) for s in range(6)]
    # a batch depends on (seed, step) only: a copy made at step 3 draws the same batches from there on
    original = lecture_trainer(batch_size=2, seed=5)
    original.steps(3)
    copy_at_3 = lecture_trainer(batch_size=2, seed=5)
    copy_at_3.set_state(*original.state(), original.history)
    assert copy_at_3.steps(4) == original.steps(4)
    assert len({tuple(r.loss for r in t.steps(3)) for t in others}) > 1


def test_batch_as_large_as_the_data_is_the_full_batch():
    full, big = lecture_trainer(), lecture_trainer(batch_size=10)
    assert full.step().loss == pytest.approx(big.step().loss, abs=1e-12)


@pytest.mark.parametrize(
    "config",
    [dict(loss="cross_entropy"), dict(batch_size=0)],
)
def test_bad_config_raises(config):
    with pytest.raises(ValueError):
        lecture_trainer(**config)


def test_bad_data_raises():
    xs, ys = tiny_dataset()
    with pytest.raises(ValueError):
        Trainer(MLP(3, [4, 1], seed=0), xs, ys[:3], TrainConfig(lr=0.05))
    with pytest.raises(ValueError):
        Trainer(MLP(3, [4, 2], seed=0), xs, ys, TrainConfig(lr=0.05))
    with pytest.raises(ValueError, match="3 numbers"):
        Trainer(MLP(3, [4, 1], seed=0), [x[:2] for x in xs], ys, TrainConfig(lr=0.05))


def test_numpy_data_is_accepted():
    X, y = make_moons(10, 0.1, seed=0)
    trainer = Trainer(MLP(2, [4, 1], seed=0), X, y, TrainConfig(lr=0.05))
    assert trainer.X == X.tolist() and trainer.y == y.tolist()
    assert all(type(v) is float for v in trainer.X[0] + trainer.y)
    assert math.isfinite(trainer.step().loss)


# the losses of one score; cross-entropy's graph: tests/lessons/test_three_classes.py
@pytest.mark.parametrize("loss", [loss for loss in LOSSES if loss != "cross_entropy"])
def test_loss_graph_is_fresh_and_leaves_the_model_alone(loss):
    trainer = lecture_trainer(loss=loss)
    trainer.step()
    data, grad = weights(trainer.model), grads(trainer.model)
    root = sample_loss_graph(trainer.model, trainer.X[1], trainer.y[1], trainer.config.loss)
    assert weights(trainer.model) == data
    assert grads(trainer.model) == grad
    assert root.label == "loss" and root.grad == 1.0

    # the same sample's loss, computed by hand on a copy
    model = copy.deepcopy(trainer.model)
    model.zero_grad()
    xs, ys = tiny_dataset()
    loss_fn = hinge_loss if loss == "hinge" else squared_error_loss
    by_hand = loss_fn([model(xs[1])], [ys[1]])
    by_hand.backward()
    assert root.data == by_hand.data

    # the graph's leaves are new Values holding the model's data and this sample's gradient
    nodes = topological_order(root)
    assert not {id(p) for p in trainer.model.parameters()} & {id(v) for v in nodes}
    inputs = sorted((v for v in nodes if v.label.startswith("x")), key=lambda v: v.label)
    assert [v.label for v in inputs] == ["x1", "x2", "x3"]
    assert [v.data for v in inputs] == xs[1]
    leaves = sorted((v.data, v.grad) for v in nodes if v.label[:1] in ("w", "b"))
    assert leaves == sorted((p.data, p.grad) for p in model.parameters())


# --- the vectorised forward pass ---


@pytest.mark.parametrize(
    "nin, nouts, activation, output_activation",
    [
        (3, [4, 4, 1], "tanh", None),
        (2, [16, 16, 1], "relu", "linear"),
        (2, [8, 1], "sigmoid", None),
        (2, [5, 1], "tanh", "linear"),
        (3, [6, 3], "relu", "sigmoid"),
        (2, [4, 4, 2], "tanh", None),
        (1, [1], "linear", None),
    ],
)
def test_numpy_forward_equals_value_forward(nin, nouts, activation, output_activation):
    model = MLP(nin, nouts, activation, output_activation, seed=3)
    points = np.random.default_rng(0).normal(scale=2.0, size=(25, nin))
    fast = mlp_forward_numpy(model, points)
    slow = [model(list(p)) for p in points]
    if nouts[-1] == 1:
        assert fast.shape == (25,)
        np.testing.assert_allclose(fast, [v.data for v in slow], rtol=0, atol=1e-9)
    else:
        assert fast.shape == (25, nouts[-1])
        np.testing.assert_allclose(fast, [[v.data for v in out] for out in slow], rtol=0, atol=1e-9)


def test_numpy_forward_sees_the_current_weights():
    trainer = lecture_trainer()
    points = np.array(tiny_dataset()[0])
    before = mlp_forward_numpy(trainer.model, points)
    trainer.steps(10)
    after = mlp_forward_numpy(trainer.model, points)
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, [trainer.model(x).data for x in points.tolist()], atol=1e-9)


def test_numpy_forward_checks_the_shape_and_keeps_quiet_on_overflow():
    model = MLP(2, [3, 1], activation="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"\(m, 2\)"):
        mlp_forward_numpy(model, np.zeros((5, 3)))
    with pytest.raises(ValueError):
        mlp_forward_numpy(model, np.zeros(2))
    out = mlp_forward_numpy(model, np.array([[1e308, -1e308], [np.inf, 0.0]]))
    assert out.shape == (2,)


def test_numpy_forward_covers_a_whole_grid():
    # its speed is measured in benchmarks/, not asserted here
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
    xx, yy = np.meshgrid(np.linspace(-2, 2, 100), np.linspace(-2, 2, 100))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    out = mlp_forward_numpy(model, grid)
    assert out.shape == (10_000,)
    corner = model([float(grid[0, 0]), float(grid[0, 1])]).data
    assert out[0] == pytest.approx(corner, abs=1e-9)


def test_without_zero_grad_a_divergence_names_zero_grad_as_its_cause():
    fine = relu_trainer(lr=0.1, explode_factor=100)
    fine.steps(1000)
    assert fine.stopped is None  # this learning rate is fine with zero_grad
    buggy = relu_trainer(lr=0.1, forget_zero_grad=True, explode_factor=100)
    buggy.steps(1000)  # the piled-up gradients make every step bigger until it overshoots
    assert buggy.stopped is not None and buggy.stopped.cause == "zero_grad"
    assert buggy.stopped.report.forget_zero_grad is True


def test_the_full_loss_in_numpy_equals_the_engines():
    for trainer in (lecture_trainer(), relu_trainer(lr=0.1)):
        trainer.steps(3)
        scores = [trainer.model(x) for x in trainer.X]
        in_numpy = numpy_loss(trainer.config.loss, mlp_forward_numpy(trainer.model, np.asarray(trainer.X)),
                              np.asarray(trainer.y), trainer.state()[0], trainer.config.alpha)
        assert in_numpy == pytest.approx(trainer.loss(scores, trainer.y).data, rel=1e-12, abs=1e-12)


def test_state_round_trips_and_a_copy_goes_on_identically():
    a = lecture_trainer()
    a.steps(4)
    b = lecture_trainer()
    b.set_state(*a.state(), a.history)
    assert b.steps(3) == a.steps(3)
    assert weights(b.model) == weights(a.model)


def test_each_phase_carries_what_the_step_has_made_so_far():
    trainer = lecture_trainer()
    phases = {phase.name: phase for phase in trainer.step_phases()}
    assert phases["forward"].loss is None and len(phases["forward"].scores) == 4
    for name in ("loss", "zero_grad", "backward", "update"):
        assert phases[name].scores is phases["forward"].scores
        assert phases[name].loss is phases["loss"].loss
    assert phases["loss"].loss.data == trainer.history[0].loss


def test_a_batch_of_one_and_data_of_one_sample_are_allowed():
    xs, ys = tiny_dataset()
    one = lecture_trainer(batch_size=1)
    assert one.step().batch == 1
    single = Trainer(MLP(3, [4, 1], seed=0), xs[:1], ys[:1], TrainConfig(lr=0.05))
    assert math.isfinite(single.step().loss)
