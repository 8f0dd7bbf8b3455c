"""Tests for lessons.mlp.live: training in a worker thread, paced, paused, watched, and read safely.

Waits have generous limits (they only guard against a hang); nothing here measures speed.
"""

import gc
import threading
import time
from dataclasses import replace

import pytest

from lessons.mlp.live import LiveTraining, cyclic_gc_paused
from lessons.mlp.runs import MAX_STEPS
from lessons.mlp.settings import PRESETS, make_trainer
from lessons.mlp.training import StepReport

LECTURE = PRESETS["Lecture"]


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def losses_stepped_by_hand(k: int) -> list[float]:
    trainer = make_trainer(LECTURE)
    return [trainer.step().loss for _ in range(k)]


@pytest.fixture
def runs():
    """LiveTraining objects made by a test, all paused at its end."""
    made = []

    def make(trainer=None, **kwargs) -> LiveTraining:
        run = LiveTraining(trainer or make_trainer(LECTURE), **kwargs)
        made.append(run)
        return run

    yield make
    for run in made:
        run.pause()


def test_trains_in_the_background_until_paused(runs):
    run = runs()
    assert run.start() and run.running
    wait_for(lambda: len(run.trainer.history) >= 20)
    run.pause()
    assert not run.running
    k = len(run.trainer.history)
    time.sleep(0.1)
    assert len(run.trainer.history) == k
    # the same steps as a plain loop: nothing skipped, repeated or interleaved
    assert [r.loss for r in run.trainer.history] == losses_stepped_by_hand(k)
    assert run.start()  # and it goes on from there
    wait_for(lambda: len(run.trainer.history) > k)


def test_a_paced_run_takes_its_steps_then_waits_for_the_next_period(runs):
    run = runs(period=60.0)
    run.start(steps_per_period=3)
    wait_for(lambda: len(run.trainer.history) == 3)
    time.sleep(0.2)
    assert len(run.trainer.history) == 3 and run.running  # waiting, not stepping
    started = time.monotonic()
    run.pause()
    assert time.monotonic() - started < 30  # Pause wakes the wait rather than sitting out the minute


def test_a_run_nobody_watches_stops_by_itself():
    now = [0.0]
    run = LiveTraining(make_trainer(LECTURE), period=0.01, idle_timeout=10.0, clock=lambda: now[0])
    try:
        run.start(steps_per_period=1)
        wait_for(lambda: len(run.trainer.history) >= 2)
        now[0] = 9.0
        run.watched()  # someone looked: ten more seconds
        now[0] = 18.0
        time.sleep(0.1)
        assert run.running
        now[0] = 30.0
        wait_for(lambda: not run.running)
        assert run.failure is None
    finally:
        run.pause()


def test_a_diverging_run_stops_and_cannot_be_restarted(runs):
    run = runs(make_trainer(replace(LECTURE, activation="relu", lr=1e6)))
    run.start()
    wait_for(lambda: not run.running)
    assert run.trainer.stopped_reason is not None and run.failure is None
    assert not run.start() and not run.step()


def test_a_run_stops_at_the_step_limit(runs):
    run = runs()
    run.trainer.history = [StepReport(k, 1.0, 1.0, 0.05) for k in range(1, MAX_STEPS)]
    run.start()
    wait_for(lambda: not run.running)
    assert len(run.trainer.history) == MAX_STEPS


def test_step_pauses_and_takes_exactly_one_step(runs):
    run = runs()
    assert run.step() and len(run.trainer.history) == 1
    run.start()
    wait_for(lambda: len(run.trainer.history) >= 5)
    assert run.step()
    k = len(run.trainer.history)
    assert not run.running
    time.sleep(0.05)
    assert len(run.trainer.history) == k
    assert [r.loss for r in run.trainer.history] == losses_stepped_by_hand(k)


def test_a_reader_sees_the_model_between_steps_and_is_not_starved(runs):
    run = runs()
    run.start()
    wait_for(lambda: len(run.trainer.history) >= 5)
    with run.model() as trainer:
        k = len(trainer.history)
        time.sleep(0.2)  # hundreds of steps' worth of time: none may happen meanwhile
        assert len(trainer.history) == k
    wait_for(lambda: len(run.trainer.history) > k)  # and training resumes after

    done = []

    def reader():  # many short reads while steps of about a millisecond run back to back
        for _ in range(50):
            with run.model():
                pass
        done.append(True)

    thread = threading.Thread(target=reader)
    thread.start()
    thread.join(timeout=30)
    assert done == [True]


def test_the_cyclic_collector_is_off_only_during_steps(runs):
    run = runs()
    seen = []
    step = run.trainer.step
    run.trainer.step = lambda: (seen.append(gc.isenabled()), step())[1]
    run.start()
    wait_for(lambda: len(seen) >= 5)
    run.pause()
    assert not any(seen) and gc.isenabled()


def test_cyclic_gc_paused_restores_the_collector_and_leaves_it_off_if_it_was():
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("a failing step")
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_in_a_step_ends_the_run_and_is_kept(runs):
    run = runs()
    run.trainer.step = lambda: 1 / 0
    run.start()
    wait_for(lambda: not run.running)
    assert run.failure == "ZeroDivisionError: division by zero"
    assert gc.isenabled()


def test_two_runs_at_once_stay_independent(runs):
    a, b = runs(), runs(make_trainer(replace(LECTURE, lr=0.2)))
    a.start()
    b.start()
    wait_for(lambda: len(a.trainer.history) >= 30 and len(b.trainer.history) >= 30)
    a.pause()
    b.pause()
    assert [r.loss for r in a.trainer.history] == losses_stepped_by_hand(len(a.trainer.history))
    by_hand = make_trainer(replace(LECTURE, lr=0.2))
    assert [r.loss for r in b.trainer.history] == [by_hand.step().loss for _ in b.trainer.history]
