"""One place that decides which training run takes the next step, for everyone on a server.

A class of thirty trains at once on one server process. A thread per run would compete for
Python's one interpreter lock: the runs that start first get most of it, redraws queue behind the
steps, and a slow redraw looks like a closed tab. Here one worker thread serves every run in
turn, one step at a time, and spends at most `budget` of its time stepping so the pages keep
being drawn (`few_budget` while only a few students train: their pages need little of it).
Students on the same settings follow one shared run, computed once.

A `Viewer` is one student's place on a trajectory: the step they are at, their pace, whether they
are training, and how to tell that their browser is still there (`alive`, supplied by the page).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol


class Run(Protocol):
    """What the scheduler steps: one training run's states so far (a lessons.mlp.trajectory.Trajectory)."""

    settings: Any  # with run_key(): equal for two runs that go the same way step for step
    owner: str  # the address whose memory it counts in ("" for nobody in particular)
    cpu_per_step: float

    @property
    def frontier(self) -> int: ...
    @property
    def nbytes(self) -> int: ...
    @property
    def needs_memory(self) -> bool: ...
    def end(self) -> str | None: ...
    def advance(self) -> bool: ...


# why training stopped by itself: the run's own end, its page gone, no slot free, no memory left
Ended = Literal["diverged", "step_limit", "failed", "gone", "full", "memory"]


@dataclass(eq=False)
class Viewer:
    """One student's place on a run, and how fast they go: `rate` steps a second, or None for as fast as it can."""

    trajectory: Run
    position: int = 0
    rate: float | None = None
    training: bool = False
    alive: Callable[[], bool] = lambda: True
    slowed: bool = False  # the last steps came later than the pace asked, because the server is shared
    due: float = 0.0  # scheduler clock time of the next paced step
    ended: Ended | None = None  # why training stopped by itself
    owner: str = ""  # who trains it, as well as the server can tell (an address; "" for nobody in particular)

    @property
    def at_frontier(self) -> bool:
        return self.position >= self.trajectory.frontier


BATCH = 0.005  # seconds of stepping one run may take in one turn, when its steps are quicker than that
FEW = 4  # students training at once who count as a few (their pages redraw four times a second)


class Scheduler:
    """Steps every training run of a server in turn, from one worker thread, within a CPU budget."""

    def __init__(
        self,
        new_run: Callable[[Any], Run],
        *,
        budget: float = 0.6,
        few_budget: float = 0.85,
        batch: float = BATCH,
        max_shared: int = 12,
        max_shared_bytes: int = 48 * 2**20,
        max_training: int = 200,
        max_per_owner: int = 40,
        max_bytes: int = 320 * 2**20,
        owner_share: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        worker: bool = True,
    ) -> None:
        self.budget = budget  # the share of its time the worker spends stepping, for a class
        self.few_budget = few_budget  # the same for a few students: their pages need little of the server
        self.batch = batch  # seconds of quick steps one run may take in a turn (0: one step a turn)
        self.max_training = max_training
        self.max_per_owner = max_per_owner  # training at once from one address: a class behind one router fits
        self.max_bytes = max_bytes  # the states of every run the server holds: no Train beyond it
        # the part of max_bytes the runs one address opened may take: many tabs of one visitor leave the rest
        # to everyone else (a class behind one school router still gets half the server)
        self.owner_share = owner_share
        self._new_run = new_run  # settings -> a run at its step 0
        self._runs: weakref.WeakSet[Run] = weakref.WeakSet()  # every run alive, whoever holds it
        self._clock = clock
        self._training: list[Viewer] = []
        self._shared: OrderedDict[tuple, Run] = OrderedDict()  # by run key, most recently used last
        self._max_shared, self._max_shared_bytes = max_shared, max_shared_bytes
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._worker = worker  # False: nothing steps until `serve()` is called (for tests)
        self._thread: threading.Thread | None = None
        self._turn = 0  # round-robin position
        self._closed = False

    # --- runs ---

    def shared(self, settings: Any, owner: str = "") -> Run:
        """The one trajectory of these settings on this server, new (counted as `owner`'s) or already under way."""
        key = settings.run_key()
        with self._lock:
            trajectory = self._shared.pop(key, None)
            if trajectory is None or trajectory.end() == "failed":
                trajectory = self._new_run(settings)
                trajectory.owner = owner
                self._runs.add(trajectory)
            self._shared[key] = trajectory
            # the least recently used go, unless someone trains on them, past a count and a size
            while len(self._shared) > self._max_shared or (
                    len(self._shared) > 1 and sum(t.nbytes for t in self._shared.values()) > self._max_shared_bytes):
                old = next((s for s, t in self._shared.items() if not self._followed(t) and t is not trajectory), None)
                if old is None:
                    break
                del self._shared[old]
            return trajectory

    def adopt(self, trajectory: Run, owner: str = "") -> Run:
        """Count a run of a student's own (a fork) in the server's memory, as `owner`'s."""
        trajectory.owner = owner
        self._runs.add(trajectory)
        return trajectory

    @property
    def nbytes(self) -> int:
        """The memory the states of every run alive take (a run is alive while a page or the cache holds it)."""
        return sum(t.nbytes for t in list(self._runs))

    def owner_nbytes(self, owner: str) -> int:
        """The memory the runs `owner` opened take."""
        return sum(t.nbytes for t in list(self._runs) if t.owner == owner)

    def _room(self, trajectory: Run) -> bool:
        """Whether the server has memory for this run to grow: in all, and in the share of whoever opened it."""
        if self.nbytes > self.max_bytes:
            return False
        return not trajectory.owner or self.owner_nbytes(trajectory.owner) <= self.max_bytes * self.owner_share

    def is_shared(self, trajectory: Run) -> bool:
        """Whether others may be on this run (it is the server's run of its settings)."""
        return self._shared.get(trajectory.settings.run_key()) is trajectory

    def _followed(self, trajectory: Run) -> bool:
        return any(v.trajectory is trajectory for v in self._training)

    # --- what the buttons ask for ---

    def train(self, viewer: Viewer, rate: float | None) -> bool:
        """Start (or keep) `viewer` training at `rate`; False, with the reason in `viewer.ended`, if it cannot."""
        viewer.rate, viewer.ended = rate, None
        if viewer.at_frontier and viewer.trajectory.end() is not None:
            viewer.ended, viewer.training = viewer.trajectory.end(), False
            return False
        with self._lock:
            if viewer.trajectory.owner and viewer.owner != viewer.trajectory.owner:
                viewer.trajectory.owner = ""  # a run two addresses train on is nobody's: only the total counts it
            if viewer not in self._training:
                mine = sum(1 for v in self._training if viewer.owner and v.owner == viewer.owner)
                if len(self._training) >= self.max_training or mine >= self.max_per_owner:
                    viewer.ended = "full"
                    return False
                if not self._room(viewer.trajectory):
                    viewer.ended = "memory"
                    return False
                self._training.append(viewer)
            viewer.training, viewer.due, viewer.slowed = True, self._clock(), False
        self._start()
        self._wake.set()
        return True

    def pause(self, viewer: Viewer) -> None:
        with self._lock:
            viewer.training = False
            if viewer in self._training:
                self._training.remove(viewer)

    def step(self, viewer: Viewer) -> bool:
        """Pause, then move one step on, computing it here if nobody has; False if the run cannot go on."""
        self.pause(viewer)
        if viewer.at_frontier and not viewer.trajectory.advance():
            viewer.ended = viewer.trajectory.end()
            return False
        viewer.position += 1
        return True

    @property
    def training(self) -> int:
        """How many students are training now."""
        return len(self._training)

    @property
    def runs(self) -> int:
        """How many different runs are being computed now (students on one shared run count once)."""
        return len({id(v.trajectory) for v in self._training})

    # --- the worker ---

    def _start(self) -> None:
        if not self._worker:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="micrograd-scheduler", daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Stop every run and the worker (a server shutting down, or a test ending)."""
        with self._lock:
            for viewer in self._training:
                viewer.training = False
            self._training.clear()
            self._closed = True
        self._wake.set()

    def _work(self) -> None:
        while not self._closed:
            wait = self.serve()
            if wait is None:
                self._wake.clear()
                if not self._training:
                    self._wake.wait(5.0)
                continue
            if wait > 0:
                self._wake.clear()
                self._wake.wait(wait)

    def serve(self) -> float | None:
        """One round of the worker: move the viewers that are due, and compute one step for one run.

        Returns how long to wait before the next round (None: nobody is training).
        """
        now = self._clock()
        with self._lock:
            for viewer in [v for v in self._training if not v.alive()]:
                self._training.remove(viewer)
                viewer.training, viewer.ended = False, "gone"
            viewers = list(self._training)
        if not viewers:
            return None
        needing = []  # runs with a due viewer at their frontier
        for viewer in viewers:
            if not self._due(viewer, now):
                continue
            if not viewer.at_frontier:
                self._move(viewer, now)
            elif viewer.trajectory.end() is not None:
                self._end(viewer)
            elif viewer.trajectory not in needing:
                needing.append(viewer.trajectory)
        if not needing:
            return self._next_due(viewers, now)
        trajectory = needing[self._turn % len(needing)]  # round-robin over the runs that need a step
        self._turn += 1
        if trajectory.needs_memory and not self._room(trajectory):
            for viewer in viewers:  # it would grow past the server's memory, or its opener's share: it stops here
                if viewer.trajectory is trajectory:
                    self._end(viewer, "memory")
            return 0.0
        for viewer in viewers:
            viewer.slowed = len(needing) > 1 and viewer.trajectory in needing
        followers = [viewer for viewer in viewers if viewer.trajectory is trajectory]
        cost = 0.0
        while True:  # a step of a few hundred microseconds is taken a few at a time: less bookkeeping per step
            start = time.thread_time()
            advanced = trajectory.advance()
            step = time.thread_time() - start
            cost += step
            previous = trajectory.cpu_per_step
            trajectory.cpu_per_step = 0.8 * previous + 0.2 * step if previous else step
            now = self._clock()
            for viewer in followers:
                self._move(viewer, now) if advanced else self._end(viewer)
            if not advanced or cost >= self.batch or not any(self._due(v, now) and v.at_frontier for v in followers):
                break
        # leave the interpreter to the pages for a while: stepping takes at most `budget` of the time
        budget = self.few_budget if len(viewers) <= FEW else self.budget
        return cost * (1 - budget) / budget

    def _due(self, viewer: Viewer, now: float) -> bool:
        return viewer.training and now >= viewer.due

    def _move(self, viewer: Viewer, now: float) -> None:
        with self._lock:  # a viewer paused meanwhile (its step was being computed) stays where it was paused
            if not viewer.training or viewer.position >= viewer.trajectory.frontier:
                return
            viewer.position += 1
        # A paced viewer's next step is one interval later. One as fast as it can goes on at once when it
        # computes; behind others on a shared run, it replays at the run's own speed, as if alone.
        interval = 1 / viewer.rate if viewer.rate else (0.0 if viewer.at_frontier else viewer.trajectory.cpu_per_step)
        viewer.due = max(viewer.due + interval, now - 1.0) if viewer.rate else now + interval

    def _end(self, viewer: Viewer, why: str | None = None) -> None:
        with self._lock:
            viewer.training, viewer.ended = False, why or viewer.trajectory.end()
            if viewer in self._training:
                self._training.remove(viewer)

    def _next_due(self, viewers: list[Viewer], now: float) -> float:
        due = [v.due for v in viewers if v.training]
        return max(0.0, min(due) - now) if due else 0.05
