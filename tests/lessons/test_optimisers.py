"""The optimisers against PyTorch's, and the loss landscape against arithmetic done by hand."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import landscape as land
from lessons.optimisers import OPTIMISERS, Adam, GradientDescent, Momentum
from micrograd_core.engine import Value
from tests.conftest import import_torch_or_skip


def run_ours(cls, start: list[float], grads: list[list[float]], **options) -> list[list[float]]:
    params = [Value(v) for v in start]
    opt = cls(params, **options)
    seen = []
    for g in grads:
        for p, gi in zip(params, g):
            p.grad = gi
        opt.step()
        seen.append([p.data for p in params])
    return seen


def run_torch(make, start: list[float], grads: list[list[float]]) -> list[list[float]]:
    torch = import_torch_or_skip("the optimisers are checked against PyTorch's")
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in start]
    opt = make(torch, params)
    seen = []
    for g in grads:
        for p, gi in zip(params, g):
            p.grad = torch.tensor(gi, dtype=torch.float64)
        opt.step()
        seen.append([p.item() for p in params])
    return seen


def flat(rows: list[list[float]]) -> list[float]:
    return [v for row in rows for v in row]


def gradients(steps: int = 50, n: int = 3, seed: int = 0) -> tuple[list[float], list[list[float]]]:
    rng = random.Random(seed)
    return [rng.uniform(-2, 2) for _ in range(n)], [[rng.gauss(0, 3) for _ in range(n)] for _ in range(steps)]


@pytest.mark.parametrize("seed", range(3))
def test_momentum_is_torchs_sgd_with_momentum(seed):
    start, grads = gradients(seed=seed)
    ours = run_ours(Momentum, start, grads, lr=0.05, mu=0.9)
    theirs = run_torch(lambda torch, ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9), start, grads)
    assert flat(ours) == pytest.approx(flat(theirs), abs=1e-12, rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_adam_is_torchs_adam(seed):
    start, grads = gradients(seed=seed)
    ours = run_ours(Adam, start, grads, lr=0.01)
    theirs = run_torch(lambda torch, ps: torch.optim.Adam(ps, lr=0.01), start, grads)
    assert flat(ours) == pytest.approx(flat(theirs), abs=1e-12, rel=1e-12)


def test_gradient_descent_is_the_lectures_update_and_torchs_sgd():
    start, grads = gradients()
    ours = run_ours(GradientDescent, start, grads, lr=0.1)
    expected, here = [], list(start)
    for g in grads:
        here = [p + -0.1 * gi for p, gi in zip(here, g)]
        expected.append(here)
    assert ours == expected
    assert flat(ours) == pytest.approx(flat(run_torch(lambda torch, ps: torch.optim.SGD(ps, lr=0.1), start, grads)),
                                       abs=1e-12)


def test_each_optimiser_shows_its_state_per_parameter():
    params = [Value(1.0), Value(2.0)]
    for name, cls in OPTIMISERS.items():
        opt = cls(params, lr=0.1)
        for p in params:
            p.grad = 0.5
        opt.step()
        assert [set(s) for s in opt.state()] == [set(cls.state_names)] * 2, name
    m = Momentum([Value(0.0)], lr=0.1)
    m.params[0].grad = 2.0
    m.step()
    m.step()
    assert m.state() == [{"velocity": 0.9 * 2.0 + 2.0}]


def test_the_landscape_is_the_mean_squared_error_of_a_line():
    w, b = 1.5, -0.25
    by_hand = sum((w * x + b - y) ** 2 for x, y in zip(land.XS, land.YS)) / len(land.XS)
    assert land.loss_at(w, b) == pytest.approx(by_hand, rel=1e-14)
    value, dw, db = land.gradient_at(w, b)
    n = len(land.XS)
    assert dw == pytest.approx(sum(2 * (w * x + b - y) * x for x, y in zip(land.XS, land.YS)) / n, rel=1e-12)
    assert db == pytest.approx(sum(2 * (w * x + b - y) for x, y in zip(land.XS, land.YS)) / n, rel=1e-12)
    ws, bs = land.axes()
    grid = land.surface()
    assert len(grid) == len(bs) == land.GRID and len(grid[0]) == len(ws) == land.GRID
    assert grid[7][11] == land.loss_at(ws[11], bs[7])


@given(st.floats(-1, 5), st.floats(-6, 5))
@settings(max_examples=40, deadline=None)
def test_the_gradient_matches_central_differences(w, b):
    _, dw, db = land.gradient_at(w, b)
    h = 1e-6
    assert dw == pytest.approx((land.loss_at(w + h, b) - land.loss_at(w - h, b)) / (2 * h), abs=1e-5)
    assert db == pytest.approx((land.loss_at(w, b + h) - land.loss_at(w, b - h)) / (2 * h), abs=1e-5)


def test_the_lowest_point_has_no_gradient_and_is_lowest_on_the_grid():
    w, b, low = land.lowest()
    _, dw, db = land.gradient_at(w, b)
    assert abs(dw) < 1e-12 and abs(db) < 1e-12
    assert low <= min(min(row) for row in land.surface())


def test_learning_rates_crawl_descend_and_leave_the_valley():
    """The valley's steepest curvature is about 23.7: gradient descent is stable below lr = 2 / 23.7 ≈ 0.084."""
    crawl = land.descend("gradient descent", land.START, 0.005, 100)
    good = land.descend("gradient descent", land.START, 0.05, 100)
    leaves = land.descend("gradient descent", land.START, 0.09, 200)
    assert crawl.left is None and good.left is None and crawl.end.loss > 10 * good.end.loss
    assert leaves.left is not None and leaves.end.loss > land.LEFT
    assert len(good.steps) == 101 and good.steps[0].w == land.START[0]


def test_momentum_reaches_the_floor_where_plain_descent_still_crawls():
    plain = land.descend("gradient descent", land.START, 0.01, 100)
    momentum = land.descend("momentum", land.START, 0.01, 100)
    low = land.lowest()[2]
    assert momentum.end.loss < low * 1.05 < plain.end.loss


def test_a_huge_learning_rate_stops_the_path_instead_of_overflowing():
    path = land.descend("gradient descent", land.START, 0.2, 200)
    assert path.left is not None and len(path.steps) < 60
    assert all(math.isfinite(s.w) for s in path.steps)


# --- the MLP page's runs with momentum and Adam ---

from dataclasses import replace  # noqa: E402

from lessons.mlp import in_browser  # noqa: E402
from lessons.mlp.settings import PRESETS, make_trainer  # noqa: E402
from lessons.mlp.trajectory import Trajectory  # noqa: E402


def by_hand(settings, steps: int, optimiser_cls) -> list[float]:
    """The lecture's loop on the same model and data, with `optimiser_cls` stepping: the weights after it."""
    trainer = make_trainer(replace(settings, optimizer="gradient descent"))
    params = trainer.model.parameters()
    opt = optimiser_cls(params, settings.lr)
    for _ in range(steps):
        scores = [trainer.model(x) for x in trainer.X]
        loss = trainer.loss(scores, trainer.y)
        trainer.model.zero_grad()
        loss.backward()
        opt.step()
    return [p.data for p in params]


@pytest.mark.parametrize("name", ["momentum", "Adam"])
def test_an_mlp_run_steps_with_the_optimiser_it_is_set_to(name):
    settings = replace(PRESETS["Lecture"], optimizer=name, lr=0.01)
    trainer = make_trainer(settings)
    trainer.steps(5)
    assert [p.data for p in trainer.model.parameters()] == by_hand(settings, 5, OPTIMISERS[name])
    assert settings.run_key() != replace(settings, optimizer="gradient descent").run_key(), "another run"


def test_plain_descent_is_the_lectures_update_bit_for_bit():
    settings = PRESETS["Lecture"]
    trainer = make_trainer(settings)
    trainer.steps(5)
    assert [p.data for p in trainer.model.parameters()] == by_hand(settings, 5, GradientDescent)


@pytest.mark.parametrize("name", ["momentum", "Adam"])
def test_a_run_forked_at_a_step_carries_the_optimisers_state(name):
    """A learning rate changed at step 6 goes on from step 6's velocity (or m and v), as if it had never stopped."""
    settings = replace(PRESETS["Lecture"], optimizer=name, lr=0.01)
    run = Trajectory(settings)
    for _ in range(10):
        run.advance()
    slower = replace(settings, lr=0.005)
    fork = run.fork(6, slower)
    for _ in range(3):
        fork.advance()
    straight = make_trainer(settings)
    straight.steps(6)
    straight.optimiser.lr = 0.005
    straight.config = replace(straight.config, lr=0.005)
    straight.steps(3)
    assert fork.state(9).data.tolist() == [p.data for p in straight.model.parameters()]
    assert fork.optimiser_state(9).snapshot() == straight.optimiser.snapshot()
    assert run.optimiser_state(4).snapshot() != run.optimiser_state(6).snapshot()


def test_a_run_with_momentum_or_adam_may_train_in_the_browser():
    """Its state goes there and comes back with the run (tests/lessons/test_in_browser.py)."""
    for optimizer in ("gradient descent", "momentum", "Adam"):
        assert in_browser.unsupported(replace(PRESETS["Lecture"], optimizer=optimizer)) is None


def test_a_step_left_half_done_puts_the_optimisers_state_back():
    """A student who pauses a step after its update phase leaves the run as it was: weights and velocity."""
    run = Trajectory(replace(PRESETS["Lecture"], optimizer="momentum", lr=0.01))
    for _ in range(3):
        run.advance()
    before = run.trainer.optimiser.snapshot()
    phases = run.phases()
    names = [next(phases).name for _ in range(5)]
    assert names[-1] == "update" and run.trainer.optimiser.snapshot() != before  # the update moved it
    phases.close()  # left here: the step is not recorded
    assert run.frontier == 3 and run.trainer.optimiser.snapshot() == before
    assert [p.data for p in run.trainer.model.parameters()] == run.state(3).data.tolist()
