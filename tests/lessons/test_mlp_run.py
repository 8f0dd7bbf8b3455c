"""Tests of an MLP run's life without Streamlit: trajectories, the scheduler that steps them, and the controller.

The scheduler runs without its worker thread here (`worker=False`) and with a fake clock: each
`serve()` is one round of the worker, so what happens when is exact.
"""

from dataclasses import replace

import numpy as np
import pytest

from lessons.mlp import trajectory as trajectory_module
from lessons.mlp.controller import PACES, TrainingRun
from lessons.mlp.settings import PRESETS, make_trainer
from lessons.mlp.training import PHASES
from lessons.mlp.trajectory import Trajectory
from server.scheduler import Scheduler, Viewer

LECTURE = PRESETS["Lecture"]
DEMO = PRESETS["micrograd demo"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def alone(settings, steps):
    """What a student training alone would have: a trainer of their own after `steps` steps."""
    trainer = make_trainer(settings)
    trainer.steps(steps)
    return trainer


def scheduler(**kwargs) -> tuple[Scheduler, Clock]:
    """A scheduler stepped by hand (`serve()`), one step a turn unless `batch` is given, on a clock of the test's."""
    clock = Clock()
    kwargs.setdefault("batch", 0.0)
    return Scheduler(Trajectory, worker=False, clock=clock, **kwargs), clock


# --- trajectories ---


def test_a_trajectory_keeps_every_state_it_passed_through():
    t = Trajectory(LECTURE)
    for _ in range(5):
        assert t.advance()
    assert t.frontier == 5
    for k in (0, 2, 5):
        state, reference = t.state(k), alone(LECTURE, k)
        data, grad = reference.state()
        assert np.array_equal(state.data, data) and np.array_equal(state.grad, grad)
        assert list(state.reports) == reference.history
    model = t.model_at(2)
    assert [p.data for p in model.parameters()] == t.state(2).data.tolist()


def test_a_fork_goes_on_from_its_step_with_its_own_settings():
    t = Trajectory(LECTURE)
    for _ in range(4):
        t.advance()
    changed = replace(LECTURE, lr=0.2, forget_zero_grad=True)
    fork = t.fork(2, changed)
    assert fork.frontier == 2 and fork.reports(2) == t.reports(2)
    fork.advance()
    reference = alone(LECTURE, 2)
    reference.config.lr, reference.config.forget_zero_grad = 0.2, True
    reference.step()
    assert np.array_equal(fork.state(3).data, reference.state()[0])
    assert fork.reports(3)[-1].lr == 0.2 and fork.reports(3)[-1].forget_zero_grad
    assert t.frontier == 4  # the original is untouched


def test_phases_build_the_same_state_and_an_unfinished_step_leaves_no_trace():
    whole, phased = Trajectory(LECTURE), Trajectory(LECTURE)
    whole.advance()
    names = [phase.name for phase in phased.phases()]
    assert names == list(PHASES)
    assert np.array_equal(whole.state(1).data, phased.state(1).data)
    half = phased.phases()
    for _ in range(4):  # forward, loss, zero_grad, backward: gradients changed, no update yet
        next(half)
    half.close()
    assert phased.frontier == 1
    assert np.array_equal(phased.trainer.state()[1], phased.state(1).grad)  # the gradients are put back
    phased.advance()
    whole.advance()
    assert np.array_equal(whole.state(2).data, phased.state(2).data)


def test_a_trajectory_ends_when_it_diverges_fails_or_reaches_its_limit(monkeypatch):
    diverging = Trajectory(replace(LECTURE, activation="relu", lr=1e6))
    while diverging.advance():
        pass
    assert diverging.end() == "diverged" and diverging.stopped.cause == "learning_rate"
    monkeypatch.setattr(trajectory_module, "MAX_STEPS", 3)
    limited = Trajectory(LECTURE)
    assert [limited.advance() for _ in range(4)] == [True, True, True, False] and limited.end() == "step_limit"
    failing = Trajectory(LECTURE)
    monkeypatch.setattr(failing.trainer, "loss", lambda *a: 1 / 0)
    assert not failing.advance() and failing.end() == "failed" and "ZeroDivisionError" in failing.failure


def test_a_run_keeps_its_states_in_blocks_and_as_many_steps_as_its_bytes_allow():
    run = Trajectory(LECTURE)
    for _ in range(trajectory_module.CHUNK + 1):
        run.advance()
    params = len(run.trainer.model.parameters())
    assert run.nbytes == 2 * 2 * trajectory_module.CHUNK * params * 8  # two blocks of data, two of grads
    assert np.array_equal(run.state(trajectory_module.CHUNK + 1).data, run.trainer.state()[0])
    for k in (0, 3, trajectory_module.CHUNK, trajectory_module.CHUNK + 1):  # across a block's edge
        assert np.array_equal(run.state(k).data, alone(LECTURE, k).state()[0])
    assert trajectory_module.max_steps(params) == trajectory_module.MAX_STEPS  # the lecture's 41 weights: all
    widest = 3 * 32 + 3 * 33 * 32 + 33  # four layers of 32: about 53 kB a step
    assert trajectory_module.max_steps(widest) * 2 * 8 * widest <= trajectory_module.MAX_BYTES


def test_a_run_nobody_trains_takes_a_few_rows_and_its_first_block_doubles_as_it_fills():
    run = Trajectory(LECTURE)
    params = len(run.trainer.model.parameters())
    assert run.nbytes == 2 * trajectory_module.FIRST * params * 8
    sizes = []
    for _ in range(trajectory_module.CHUNK):
        grows = run.needs_memory
        before = run.nbytes
        run.advance()
        assert (run.nbytes > before) == grows
        sizes.append(run.nbytes)
    assert sorted(set(sizes))[-1] == 2 * 2 * trajectory_module.CHUNK * params * 8  # then a second block
    for k in (0, 3, 4, 5, 8, 9, trajectory_module.CHUNK):  # every row kept through the copies
        assert np.array_equal(run.state(k).data, alone(LECTURE, k).state()[0])


# --- the scheduler ---


def test_one_address_takes_only_its_share_of_the_training_slots():
    s, _ = scheduler(max_per_owner=2)
    theirs = [Viewer(s.shared(replace(LECTURE, model_seed=k)), owner="203.0.113.9") for k in range(3)]
    assert [s.train(v, None) for v in theirs] == [True, True, False] and theirs[2].ended == "full"
    assert s.train(Viewer(s.shared(LECTURE), owner="198.51.100.7"), None)  # another network still trains
    assert s.train(Viewer(s.shared(LECTURE)), None)  # and so does a local one (no address to count)


def test_no_run_starts_once_the_runs_alive_hold_the_memory_budget():
    s, _ = scheduler(max_bytes=1)
    first = Viewer(s.shared(LECTURE))
    assert not s.train(first, None) and first.ended == "memory"  # the run's own first state is over 1 byte
    roomy, _ = scheduler()
    assert roomy.train(Viewer(roomy.shared(LECTURE)), None)


def test_the_runs_one_address_opened_take_only_their_share_of_the_memory():
    first = Trajectory(LECTURE).nbytes
    s, _ = scheduler(max_bytes=40 * first, owner_share=0.125)  # an address may hold about five fresh runs
    theirs, started = [], []
    for k in range(8):  # tab after tab, each pressing Train
        theirs.append(Viewer(s.shared(replace(LECTURE, model_seed=k), "203.0.113.9"), owner="203.0.113.9"))
        started.append(s.train(theirs[-1], None))
    assert started[:5] == [True] * 5 and not any(started[5:]) and theirs[7].ended == "memory"
    other = Viewer(s.shared(replace(LECTURE, model_seed=99), "198.51.100.7"), owner="198.51.100.7")
    assert s.train(other, None)  # another network still has the rest of the memory
    lecture = Viewer(s.shared(LECTURE), owner="198.51.100.8")  # the lecture's seed: a run the address opened
    assert lecture.trajectory.owner == "203.0.113.9" and s.train(lecture, None)  # now shared, it is nobody's
    assert lecture.trajectory.owner == ""
    for _ in range(40):  # growing, the address's runs stop at its share; the others go on
        s.serve()
    own = [v for v in theirs if v.trajectory.owner]  # all but the one on the lecture's seed, shared now
    assert len(own) == 7 and all(not v.training and v.ended == "memory" for v in own)
    assert s.owner_nbytes("203.0.113.9") <= 5 * first + 2 * first  # its share, and at most a block over
    assert other.training and other.position > 0 and lecture.training


def test_the_shared_runs_kept_are_bounded_in_bytes_and_a_dropped_run_gives_its_memory_back():
    s, _ = scheduler(max_shared_bytes=1)
    a = s.shared(LECTURE)
    b = s.shared(replace(LECTURE, model_seed=1))
    assert not s.is_shared(a) and s.is_shared(b)  # the least recently used went, past the size
    before = s.nbytes
    del a
    assert s.nbytes < before  # nobody holds it: its states are gone from the server's count




def test_equal_settings_share_one_run_and_different_ones_do_not():
    s, _ = scheduler()
    assert s.shared(LECTURE) is s.shared(replace(LECTURE, noise=0.3))  # unused data settings aside
    assert s.shared(LECTURE) is not s.shared(replace(LECTURE, lr=0.1))
    assert s.is_shared(s.shared(LECTURE)) and not s.is_shared(Trajectory(LECTURE))


def test_a_run_as_fast_as_it_goes_takes_a_step_each_round():
    s, _ = scheduler()
    viewer = Viewer(s.shared(LECTURE))
    assert s.train(viewer, None)
    for _ in range(10):
        s.serve()
    assert viewer.position == viewer.trajectory.frontier == 10
    s.pause(viewer)
    assert s.serve() is None and viewer.position == 10


def test_a_paced_run_takes_its_steps_on_time():
    s, clock = scheduler()
    viewer = Viewer(s.shared(LECTURE))
    s.train(viewer, PACES["slow"])  # one step a second
    s.serve()
    assert viewer.position == 1
    clock.now += 0.5
    s.serve()
    assert viewer.position == 1
    clock.now += 0.5
    s.serve()
    assert viewer.position == 2


def test_runs_that_need_steps_are_served_in_turn():
    s, _ = scheduler()
    viewers = [Viewer(s.shared(replace(LECTURE, lr=lr))) for lr in (0.01, 0.02, 0.05)]
    for viewer in viewers:
        s.train(viewer, None)
    for _ in range(30):
        s.serve()
    assert [v.position for v in viewers] == [10, 10, 10]
    assert all(v.slowed for v in viewers)  # three runs share the server


def test_students_on_one_run_share_its_computation_and_see_what_they_would_alone():
    s, clock = scheduler()
    students = [Viewer(s.shared(DEMO)) for _ in range(5)]
    for viewer in students:
        s.train(viewer, None)
    for _ in range(6):
        s.serve()
        clock.now += 1.0
    trajectory = students[0].trajectory
    assert all(v.trajectory is trajectory for v in students) and trajectory.frontier == 6  # computed once
    assert all(v.position == 6 for v in students)
    reference = alone(DEMO, 6)
    assert np.array_equal(trajectory.state(6).data, reference.state()[0])
    assert list(trajectory.state(6).reports) == reference.history


def test_a_latecomer_on_a_shared_run_replays_it_at_its_own_speed():
    s, clock = scheduler()
    first = Viewer(s.shared(LECTURE))
    s.train(first, None)
    for _ in range(20):
        s.serve()
    late = Viewer(s.shared(LECTURE))
    s.train(late, None)
    late.trajectory.cpu_per_step = 0.5  # as measured: half a second a step
    s.pause(first)
    s.serve()
    assert late.position == 1  # not all 20 at once
    s.serve()
    assert late.position == 1
    clock.now += 0.5
    s.serve()
    assert late.position == 2


def test_a_closed_tab_stops_its_run_and_a_full_server_says_so():
    s, _ = scheduler(max_training=2)
    here = {"open": True}
    viewer = Viewer(s.shared(LECTURE), alive=lambda: here["open"])
    s.train(viewer, None)
    s.serve()
    here["open"] = False
    s.serve()
    assert not viewer.training and viewer.ended == "gone" and s.training == 0
    others = [Viewer(s.shared(LECTURE)) for _ in range(3)]
    assert [s.train(v, None) for v in others] == [True, True, False]
    assert others[2].ended == "full"


def test_a_run_that_ends_stops_its_students():
    s, _ = scheduler()
    viewer = Viewer(s.shared(replace(LECTURE, activation="relu", lr=1e6)))
    s.train(viewer, None)
    for _ in range(50):
        s.serve()
    assert not viewer.training and viewer.ended == "diverged"
    assert not s.train(viewer, None) and viewer.ended == "diverged"


# --- the controller ---


def run_on(s, settings=LECTURE, **kwargs) -> TrainingRun:
    return TrainingRun(s, settings, **kwargs)


def test_step_train_pause_reset_and_clear():
    s, _ = scheduler()
    run = run_on(s)
    assert run.step() and run.position == 1
    run.update(LECTURE, "max")
    run.train()
    for _ in range(4):
        s.serve()
    run.pause()
    assert run.position == 5 and not run.training
    run.reset()
    assert run.position == 0 and [k.steps for k in run.kept] == [(1, 2, 3, 4, 5)]
    run.clear()
    assert run.kept == []


def test_a_new_model_starts_again_and_keeps_the_old_curve():
    s, _ = scheduler()
    run = run_on(s)
    assert run.update(replace(LECTURE, neurons=5), "10") is None  # nothing done yet: nothing to keep
    run.step()
    run.step()
    assert run.update(replace(LECTURE, neurons=6), "10") == "restarted"
    assert run.position == 0 and run.kept[-1].steps == (1, 2) and run.kept[-1].label.endswith("tanh 5-5")


def test_a_change_the_model_can_take_on_goes_on_from_the_current_step_while_training():
    s, _ = scheduler()
    run = run_on(s)
    run.update(LECTURE, "max")
    run.train()
    for _ in range(3):
        s.serve()
    assert run.update(replace(LECTURE, lr=0.2), "max") is None
    assert run.position == 3 and run.training and not s.is_shared(run.trajectory)
    s.serve()
    assert run.trajectory.reports(4)[-1].lr == 0.2 and run.trajectory.reports(4)[2].lr == 0.05


def test_a_change_of_pace_reaches_the_running_run():
    s, _ = scheduler()
    run = run_on(s)
    run.train()
    assert run.viewer.rate == PACES["fast"]
    run.update(LECTURE, "slow")
    assert run.viewer.rate == PACES["slow"] and run.training


def test_a_step_in_phases_is_the_step_and_happens_on_a_run_of_ones_own():
    s, _ = scheduler()
    run, other = run_on(s), run_on(s)
    shared = run.trajectory
    names = [run.next_phase().name for _ in PHASES]
    assert names == list(PHASES) and run.position == 1 and run.trajectory is not shared
    assert shared.frontier == 0 and other.trajectory is shared  # nobody else saw a half-made step
    other.step()
    assert np.array_equal(run.trajectory.state(1).data, shared.state(1).data)
    run.next_phase()
    run.next_phase()  # forward, loss
    run.step()  # finishes it
    assert run.position == 2 and run.phase is None


def test_the_snapshot_is_what_the_model_computes():
    s, _ = scheduler()
    run = run_on(s)
    run.step()
    run.step()
    view = run.snapshot()
    reference = alone(LECTURE, 2)
    scores = [reference.model(x) for x in reference.X]
    assert view.step == 2 and view.reports == reference.history
    assert view.loss == pytest.approx(reference.loss(scores, reference.y).data, abs=1e-12)
    assert view.predictions == pytest.approx([sc.data for sc in scores], abs=1e-12)
    assert view.next_lr == 0.05 and view.end is None and view.stop is None
    demo = run_on(s, DEMO).snapshot()
    grid, boundary = demo.plane()
    assert demo.predictions is None and grid[2].shape == (40, 40) and boundary


def test_a_run_whose_page_is_not_drawn_stays_alive_while_its_browser_is_connected():
    clock = Clock()
    s = Scheduler(Trajectory, worker=False, clock=clock, batch=0.0)
    connected = {"yes": True}
    run = TrainingRun(s, LECTURE, lambda: connected["yes"], unseen_after=300, clock=clock)
    run.train()
    clock.now += 60  # a busy server drew nothing for a minute: the run goes on
    s.serve()
    assert run.training
    connected["yes"] = False  # the tab was closed
    s.serve()
    assert not run.training and run.snapshot().end == "gone"
    run.train()
    clock.now += 301  # connected, but its page never drawn again: a tab left open and hidden
    connected["yes"] = True
    s.serve()
    assert not run.training


def test_the_worker_thread_trains_until_paused_and_stops_when_closed():
    import time

    s = Scheduler(Trajectory, budget=0.5)
    viewer = Viewer(s.shared(LECTURE))
    assert s.train(viewer, None) and not viewer.slowed
    deadline = time.monotonic() + 30
    while viewer.position < 5 and time.monotonic() < deadline:  # a generous limit, not a speed test
        time.sleep(0.01)
    s.pause(viewer)
    paused = viewer.position
    assert paused >= 5 and not viewer.training and s.training == 0
    time.sleep(0.2)
    assert viewer.position == paused
    thread = s._thread
    s.close()
    thread.join(10)
    assert not thread.is_alive()


def test_a_round_leaves_the_pages_their_share_of_the_time():
    s, _ = scheduler(budget=0.5, few_budget=0.5)
    viewer = Viewer(s.shared(DEMO))
    s.train(viewer, None)
    wait = s.serve()  # one demo step: ~0.2 s of CPU, then as long again for the pages
    assert wait == pytest.approx(viewer.trajectory.cpu_per_step, rel=1e-9) and wait > 0.01
    assert s.serve() > 0


def test_shared_runs_are_kept_up_to_a_limit_the_least_recently_used_going_first_unless_followed():
    s, _ = scheduler(max_shared=2)
    first = s.shared(replace(LECTURE, lr=0.01))
    followed = Viewer(first)
    s.train(followed, None)
    second, third = s.shared(replace(LECTURE, lr=0.02)), s.shared(replace(LECTURE, lr=0.1))
    assert s.is_shared(first) and s.is_shared(third) and not s.is_shared(second)  # first is trained on
    s.pause(followed)
    s.shared(replace(LECTURE, lr=0.2))
    assert not s.is_shared(first)
    assert s.shared(replace(LECTURE, lr=0.1)) is third  # still there, and now the most recently used


def test_a_refused_train_leaves_the_student_paused():
    s, _ = scheduler()
    viewer = Viewer(s.shared(replace(LECTURE, activation="relu", lr=1e6)))
    while s.step(viewer):
        pass
    assert viewer.ended == "diverged"
    assert not s.train(viewer, None) and viewer.training is False and s.training == 0


def test_a_paced_run_waits_exactly_its_interval_and_catches_up_at_most_a_second():
    s, clock = scheduler()
    viewer = Viewer(s.shared(LECTURE))
    s.train(viewer, PACES["steady"])  # four steps a second
    s.serve()
    assert viewer.position == 1 and not viewer.slowed  # alone on the server
    assert s.serve() == pytest.approx(0.25)  # the worker sleeps until the next step is due
    clock.now += 0.25
    s.serve()
    assert viewer.position == 2
    clock.now += 10.0  # the server was busy for ten seconds: the overdue step, then one second's worth at once
    for _ in range(20):
        s.serve()
    assert viewer.position == 2 + 1 + 5  # not 40: the steps due from 1 s ago until now, ends included


def test_the_cost_of_a_step_is_an_average_of_the_steps_measured(monkeypatch):
    from server import scheduler as scheduler_module

    ticks = iter([0.0, 1.0, 10.0, 10.5])  # CPU time before and after two steps: 1 s, then 0.5 s
    monkeypatch.setattr(scheduler_module.time, "thread_time", lambda: next(ticks))
    s, _ = scheduler(budget=0.5, few_budget=0.5)
    viewer = Viewer(s.shared(LECTURE))
    s.train(viewer, None)
    assert s.serve() == pytest.approx(1.0)
    assert viewer.trajectory.cpu_per_step == pytest.approx(1.0)
    assert s.serve() == pytest.approx(0.5)
    assert viewer.trajectory.cpu_per_step == pytest.approx(0.8 * 1.0 + 0.2 * 0.5)


def test_quick_steps_are_taken_a_few_at_a_time_and_slow_ones_one_at_a_time():
    s, _ = scheduler(batch=0.005)
    quick = Viewer(s.shared(LECTURE))  # well under a millisecond a step
    s.train(quick, None)
    s.serve()
    assert 2 <= quick.position == quick.trajectory.frontier
    paced = Viewer(s.shared(replace(LECTURE, lr=0.1)))
    s.pause(quick)
    s.train(paced, PACES["slow"])  # one step a second: never more than the pace, however quick
    s.serve()
    s.serve()
    assert paced.position == 1
    demo = Viewer(s.shared(DEMO))  # a tenth of a second and more a step
    s.pause(paced)
    s.train(demo, None)
    s.serve()
    assert demo.position == 1


def test_a_few_students_get_the_larger_budget_and_a_class_the_smaller():
    s, _ = scheduler(budget=0.5, few_budget=0.8)
    viewers = [Viewer(s.shared(replace(LECTURE, model_seed=k))) for k in range(6)]
    s.train(viewers[0], None)
    wait = s.serve()
    cost = viewers[0].trajectory.cpu_per_step
    assert wait == pytest.approx(cost * 0.2 / 0.8, rel=1e-9)
    for viewer in viewers[1:]:
        s.train(viewer, None)
    wait = s.serve()
    stepped = next(v.trajectory for v in viewers if v.trajectory.frontier == 1 and v is not viewers[0])
    assert wait == pytest.approx(stepped.cpu_per_step, rel=1e-9)  # 0.5 / 0.5: as long again for the pages


def test_a_change_before_any_step_joins_the_shared_run_of_the_new_settings_and_pace_alone_starts_nothing():
    s, _ = scheduler()
    run = run_on(s)
    run.update(replace(LECTURE, lr=0.2), "10")
    assert s.is_shared(run.trajectory) and run.trajectory is s.shared(replace(LECTURE, lr=0.2))
    run.update(replace(LECTURE, lr=0.2), "slow")
    assert not run.training and run.viewer.rate is None  # a pace set while paused applies at the next Train
    run.step()
    assert run.update(replace(LECTURE, neurons=3), "slow") == "restarted"  # one step is a curve to keep


def test_a_copy_of_ones_own_still_stops_when_its_browser_is_gone():
    s, _ = scheduler()
    here = {"open": True}
    run = TrainingRun(s, LECTURE, lambda: here["open"])
    run.step()
    run.update(replace(LECTURE, lr=0.2), "max")  # a fork
    run.train()
    s.serve()
    here["open"] = False
    s.serve()
    assert not run.training and run.viewer.ended == "gone"
    run.next_phase()  # a step by hand, on a copy again
    assert run.viewer.alive == run.alive


def test_a_step_in_phases_from_behind_on_a_shared_run_goes_on_from_where_the_student_is():
    s, _ = scheduler()
    ahead, behind = run_on(s), run_on(s)
    for _ in range(3):
        ahead.step()
    behind.step()
    assert behind.trajectory is ahead.trajectory and behind.position == 1
    for _ in PHASES:
        behind.next_phase()
    assert behind.position == 2 and behind.trajectory is not ahead.trajectory
    assert np.array_equal(behind.trajectory.state(2).data, ahead.trajectory.state(2).data)


def test_the_snapshot_says_how_the_run_stands():
    s, _ = scheduler()
    run = run_on(s, replace(LECTURE, activation="relu", lr=1e6))
    while run.step():
        pass
    view = run.snapshot()
    assert not view.training and view.end == "diverged" and view.stop is not None and view.stop.cause == "learning_rate"
    assert view.accuracy in (0.0, 0.25, 0.5, 0.75, 1.0) and view.failure is None
    stuck = run_on(s, replace(LECTURE, lr=1.0))
    for _ in range(60):
        stuck.step()
    assert stuck.snapshot().stalled and stuck.snapshot().label == "lr 1 · tanh 4-4"
    broken = run_on(s, replace(LECTURE, model_seed=9))
    broken.trainer.loss = lambda *args: 1 / 0
    assert not broken.step()
    assert broken.snapshot().failure.startswith("ZeroDivisionError") and broken.snapshot().end == "failed"
    fine = run_on(s)
    fine.update(LECTURE, "max")
    fine.train()
    s.serve()
    assert fine.snapshot().training and fine.snapshot().end is None
    assert fine.snapshot().accuracy == float(np.mean(
        (np.array(fine.snapshot().predictions) > 0) == (np.array(fine.trainer.y) > 0)))


def test_an_unfinished_step_puts_back_the_last_state_not_an_earlier_one():
    t = Trajectory(LECTURE)
    t.advance()
    t.advance()
    half = t.phases()
    for _ in range(4):
        next(half)
    half.close()
    data, grad = t.trainer.state()
    assert np.array_equal(data, t.state(2).data) and np.array_equal(grad, t.state(2).grad)
    assert not np.array_equal(grad, t.state(1).grad)
