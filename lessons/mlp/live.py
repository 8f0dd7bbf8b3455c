"""Training that goes on in the background while a page redraws: one worker thread per run.

A web page cannot step and draw at the same time: each redraw costs a tenth of a second or
more of the page's own time (the script, its messages, the browser drawing the charts), and
stepping only between redraws left the model idle for that long every time, a third of the
run or more. Here a worker thread takes the steps, and the page reads the model between them.

A run stops when it is paused, when the trainer cannot go on (it diverged or reached its step
limit), or when nobody has looked at it for `idle_timeout` seconds, so that a closed browser
tab leaves no thread behind.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .runs import finished
from .training import Trainer


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector for the length of a training step.

    A step's graph has no reference cycles (see engine.py), so every Value is freed by
    reference counting the moment the step drops it, and the cyclic collector has nothing
    to find. Yet its full passes, triggered by the step's 200,000 new Values, rescan the
    whole process (the live graph, and every module of a server) and took about half of a
    micrograd-demo step. The collector is turned back on unless it was off already; when two
    threads' steps overlap, it is on again once the last of them ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class LiveTraining:
    """A trainer stepped by a worker thread, until paused, finished or no longer watched.

    `steps_per_period` paces the run for watching: that many steps, then a wait until the
    period is over; None steps as fast as it can. Readers use `with run.model() as trainer:`,
    which waits for the step under way and holds the next one back until they are done.
    """

    def __init__(
        self,
        trainer: Trainer,
        *,
        period: float = 0.25,
        idle_timeout: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.trainer = trainer
        self.period = period
        self.idle_timeout = idle_timeout
        self.steps_per_period: int | None = None
        self.failure: str | None = None  # an unexpected error that ended the run, for the page to show
        self._clock = clock
        self._lock = threading.Lock()  # held for each step, and by a reader
        self._reader_waiting = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_watched = clock()

    @property
    def running(self) -> bool:
        """Whether the worker thread is stepping (or waiting for its next period)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, steps_per_period: int | None = None) -> bool:
        """Start stepping in the background; False if the trainer cannot take another step."""
        self.steps_per_period = steps_per_period
        if self.running:
            return True
        if finished(self.trainer) is not None:
            return False
        self.watched()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="micrograd-live-training", daemon=True)
        self._thread.start()
        return True

    def pause(self) -> None:
        """Stop stepping; returns once the step under way (if any) is done."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()

    def step(self) -> bool:
        """Pause, then take one step here and now; False if the trainer cannot take another."""
        self.pause()
        with self._lock, cyclic_gc_paused():
            if finished(self.trainer) is not None:
                return False
            self.trainer.step()
        return True

    def watched(self) -> None:
        """Someone is still looking: keep going for another `idle_timeout` seconds."""
        self._last_watched = self._clock()

    @contextmanager
    def model(self) -> Iterator[Trainer]:
        """The trainer, with no step running while the caller reads or changes it."""
        self._reader_waiting.set()
        with self._lock:
            self._reader_waiting.clear()
            yield self.trainer

    def _run(self) -> None:
        try:
            while not self._stop.is_set() and self._clock() - self._last_watched <= self.idle_timeout:
                period_end = self._clock() + self.period
                taken = 0
                while not self._stop.is_set() and (self.steps_per_period is None or taken < self.steps_per_period):
                    with self._lock, cyclic_gc_paused():
                        if finished(self.trainer) is not None:
                            return
                        self.trainer.step()
                    taken += 1
                    if self._reader_waiting.is_set():
                        time.sleep(0.001)  # a lock is not fair: step aside so the reader gets it
                    if self._clock() >= period_end:
                        break  # look at the stop and idle conditions at least once a period
                self._stop.wait(max(0.0, period_end - self._clock()))
        except Exception as err:  # a bug, not a lesson: end the run and let the page say so
            self.failure = f"{type(err).__name__}: {err}"
