"""The MLP page's live view: the server's scheduler, this session's run, and what is redrawn while it trains.

Three fragments, each rerunning on its own timer while the run trains: the numbers (status and
metrics) and the curves at the redraw rate, the plane (the boundary, or the four samples' bars)
less often, since redrawing it costs the browser far more than a curve does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from lessons.mlp import in_browser
from lessons.mlp.controller import Snapshot, TrainingRun
from lessons.mlp.runs import KeptRun, reference_curve, thin
from lessons.mlp.settings import TINY, RunSettings
from lessons.mlp.trajectory import Trajectory
from server.scheduler import FEW, Scheduler

from ... import classroom, stage
from ...chart_text import numbers_behind
from ...mode import presenting
from ...plane_figures import boundary_chart
from ...text import literal
from ...ticking import ticking
from ...training_figures import accuracy_chart, loss_chart, targets_chart
from ...training_tables import curve_table, points_table
from . import data
from .settings import WHERE, read_settings

UNSEEN = 300.0  # seconds without a redraw after which a run is taken for a page left open but gone (a hidden tab)
WARNING = 110  # the warning that zero_grad is off, above the live charts
GONE = 10.0  # seconds without a connection to the browser after which the run stops (a tab closed)
PLANE_EVERY = 4  # the plane is redrawn once for every this many redraws of the curve


_scheduler: Scheduler | None = None
_scheduler_lock = threading.Lock()


def scheduler() -> Scheduler:
    """The server's one scheduler of training runs, shared by every session (see server/scheduler.py).

    A module's own object, not `st.cache_resource`: any client can ask Streamlit to clear its caches,
    and a second scheduler would step runs beside the first, with a CPU budget of its own.
    """
    global _scheduler
    if _scheduler is None:
        with _scheduler_lock:
            if _scheduler is None:
                _scheduler = Scheduler(Trajectory)
    return _scheduler


def _connected() -> Callable[[], bool]:
    """Whether this session's browser is still connected; a dropped connection has GONE seconds to come back.

    Asked from the scheduler's thread, so it holds the session's id and the runtime, never st.session_state.
    """
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    runtime = Runtime.instance() if Runtime.exists() else None
    session = ctx.session_id if ctx is not None else None
    if runtime is None or session is None:
        return lambda: True
    lost: list[float] = []

    def connected() -> bool:
        if runtime.is_active_session(session):
            lost.clear()
            return True
        lost[:] = lost or [time.monotonic()]
        return time.monotonic() - lost[0] <= GONE

    return connected


def training_run() -> TrainingRun:
    """This session's run, made on its first visit."""
    if "mlp_run" not in st.session_state:
        st.session_state.mlp_run = TrainingRun(scheduler(), read_settings(), _connected(), unseen_after=UNSEEN,
                                               owner=classroom.client_key())
    return st.session_state.mlp_run


CLASS = 12  # more students than this training at once: a class, redrawn once a second
RETIME_AFTER = 10.0  # seconds a page keeps its redraw timers before it may take new ones


def redraw_interval() -> float:
    """Seconds between live redraws: four a second for a few students, down to one a second for a class."""
    training = scheduler().training
    return 0.25 if training <= FEW else (0.5 if training <= CLASS else 1.0)


def in_class() -> bool:
    """Whether a class is training on this server (more students than `CLASS`)."""
    return scheduler().training > CLASS


def retime(every: float | None) -> None:
    """Rerun the page when the class around this student grew or shrank past a step of `redraw_interval`.

    A fragment's timer is set by a full rerun only: without this, the first students to press Train
    would keep the few-students rate of four redraws a second (of every part) through a whole class's
    run, and starve the others. Slowing down is urgent (the server is busy); speeding up waits
    `RETIME_AFTER` seconds, so a class hovering around a step does not rerun every page again and again.
    """
    wanted = redraw_interval()
    if every is None or wanted == every:
        return
    if wanted > every or time.monotonic() - st.session_state.get("mlp_timed_at", 0.0) >= RETIME_AFTER:
        st.rerun()


def status(view: Snapshot, settings: RunSettings) -> None:
    """Why the run stopped, or what is holding it back, said first."""
    if view.stop is not None:
        blew = {"loss": f"the loss became {view.stop.report.loss}", "gradients": "the gradients became inf or nan",
                "exploded": f"the loss jumped to {view.stop.report.loss:.3g} (it started at {view.stop.first_loss:.3g})"
                }[view.stop.what]
        if view.stop.cause == "zero_grad":
            why = (f"zero_grad was off: every backward() added its gradients to all the earlier ones, so each step "
                   f"(at learning rate {view.stop.report.lr:g}) was bigger than the last until it overshot. Switch "
                   "forget zero_grad off and press Reset; if it still blows up, lower the learning rate too.")
        else:
            why = (f"the learning rate {view.stop.report.lr:g} is too large, so each step overshoots and the "
                   "weights blow up. Lower the learning rate and press Reset.")
        st.error(f"Training stopped at step {view.stop.report.step}: {blew}. The cause: {why} "
                 "The last good weights are kept.", icon=":material/warning:")
    elif view.end == "step_limit":
        st.info(f"This run reached {view.step:,} steps, the most one run keeps. Press Reset to start again.",
                icon=":material/flag:")
    elif view.end == "failed":
        st.error(f"Training stopped by an unexpected error: {literal(view.failure)}", icon=":material/error:")
    elif view.end == "gone":
        st.info("Training paused: this page lost its connection, or was not drawn for five minutes (a hidden "
                "tab), and a run nobody watches stops. Press Train to go on.", icon=":material/pause_circle:")
    elif view.end == "full":
        st.warning("The server is training for as many students as it can right now (or as many as it takes from "
                   "one network). Press Train again in a moment.", icon=":material/groups:")
    elif view.end == "memory":
        st.warning("The server holds as many training runs as its memory allows right now. Press Train again in a "
                   "moment; Reset, or a smaller network, needs less.", icon=":material/memory:")
    elif view.stalled:
        if settings.forget_zero_grad:
            why = ("zero_grad is off, so the gradients pile up and every step is bigger than the last: the tanh "
                   "units are pushed to ±1, where 1 − tanh² ≈ 0, and stop learning. Switch forget zero_grad off "
                   "and press Reset.")
        else:
            why = ("with tanh and a large learning rate the units saturate (outputs near ±1, where 1 − tanh² ≈ 0): "
                   "the gradients vanish and nothing learns. Lower the learning rate and press Reset.")
        st.info(f"The loss has not moved for 20 steps: {why}", icon=":material/hourglass_empty:")
    students = scheduler().training
    if view.training and students > 1:
        slower = " This run goes a little slower than its pace, to share the server." if view.slowed else ""
        runs = scheduler().runs
        st.caption(f":material/groups: {students} students are training on this server, on {runs} "
                   f"run{'s' if runs > 1 else ''} (students on the same settings share one).{slower}")
        if students > CLASS and in_browser.unsupported(settings) is None:
            # a class on runs of their own does not fit on one server: each device can take its own steps
            if st.button("Train in this browser instead", icon=":material/devices:", key="mlp_to_browser",
                         on_click=st.session_state.update, args=({WHERE.key: "browser"},),
                         help="Your device takes the steps, as fast as it goes, with the same numbers."):
                st.rerun()  # the whole page: the browser's view replaces this one


def numbers(view: Snapshot, settings: RunSettings) -> None:
    with st.container():  # messages come and go inside it; the charts after it keep their place, drawn in place
        status(view, settings)
    held = view.test is not None
    # a row that wraps: two or three to a line on a phone, rather than one metric per screenful
    with st.container(horizontal=True, key="mlp_metrics"):
        st.metric("step", view.step, width=175)
        st.metric("training loss" if held else "loss, all samples", f"{view.loss:.4g}", width=175)
        st.metric("training accuracy" if held else "accuracy, all samples", f"{100 * view.accuracy:.0f}%",
                  width=175)
        if view.test is not None:
            st.metric("held-out loss", f"{view.test[0]:.4g}", width=175)
            st.metric("held-out accuracy", f"{100 * view.test[1]:.0f}%", width=175)
        st.metric("learning rate", f"{view.next_lr:.4g}", width=175)


@st.cache_data(max_entries=32, show_spinner=False)
def reference(settings: RunSettings) -> KeptRun | None:
    """The same run with zero_grad, when the run has it off and its steps are quick (computed once per server)."""
    return reference_curve(settings) if settings.forget_zero_grad else None


ABOVE_CHARTS = 64 + 22 + 116 + 22 + 80  # on the stage: the buttons, the numbers, and a chart's legend


def on_stage(spec: dict) -> dict:
    """A live chart as high as the stage's first screen leaves it (the same height at every redraw)."""
    if presenting() and stage.focus() == "live":
        warned = read_settings().forget_zero_grad
        spec["height"] = int(max(160, stage.room() - ABOVE_CHARTS - (WARNING if warned else 0)))
    return spec


def curves(view: Snapshot, run: TrainingRun) -> None:
    reports = view.reports
    shown = thin(len(reports), 1500)
    earlier = list(run.kept)
    if (fixed := reference(run.settings)) is not None:
        upto = max(view.step, 20)  # the fix, as far as this run has gone (and a little from the start)
        earlier.append(KeptRun(fixed.label, fixed.steps[:upto], fixed.losses[:upto]))
    kept = [(r.label, [r.steps[i] for i in thin(len(r.steps), 600)], [r.losses[i] for i in thin(len(r.steps), 600)])
            for r in earlier]
    steps, losses = [reports[i].step for i in shown], [reports[i].loss for i in shown]
    stop = (view.stop.report.step, view.stop.report.loss) if view.stop is not None else None
    tests = [view.test_curve[i] for i in shown] if view.test_curve else None
    st.container(key="mlp_loss_chart").vega_lite_chart(
        None, on_stage(loss_chart(steps, losses, f"this run: {view.label}", kept, stop,
                                  held_out=[t[0] for t in tests] if tests else None)))
    if view.predictions is None:
        st.container(key="mlp_accuracy_chart").vega_lite_chart(
            None, accuracy_chart(steps, [reports[i].accuracy for i in shown],
                                 held_out=[t[1] for t in tests] if tests else None))
    told = (f" from {reports[0].loss:.4g} at step 1 to {reports[-1].loss:.4g} at step {reports[-1].step}"
            if reports else "; none yet")
    numbers_behind("mlp_curves", f"The loss (and accuracy) at each step of this run{told}"
                   + ("; the held-out samples' beside them." if view.test_curve else ".")
                   + (" Earlier runs are drawn faded for comparison." if kept else ""),
                   lambda: curve_table([r.step for r in reports], [r.loss for r in reports],
                                       [r.accuracy for r in reports], view.test_curve or None),
                   formats={"accuracy": ".0%", "held-out accuracy": ".0%"})


def plane(view: Snapshot) -> None:
    """The four samples' outputs against their targets, or the score over the plane with the data points."""
    if view.predictions is not None:
        st.container(key="mlp_targets_chart").vega_lite_chart(None, on_stage(targets_chart(view.predictions, view.y)))
        targets = ", ".join(f"{v:g}" for v in view.y)
        st.caption(f"Bars: the network's output for each sample; diamonds: the targets {targets}. "
                   "Every step pulls each bar towards its diamond.")
        numbers_behind("mlp_targets", "Each of the four samples' output beside its target.",
                       lambda: pd.DataFrame({"sample": range(1, len(view.y) + 1), "output": view.predictions,
                                             "target": view.y}))
        return
    grid, boundary = view.plane()
    data.remember_grid(grid[0], grid[1])
    picked = data.picked_sample(len(view.X) + len(view.test_X))
    spec = on_stage(boundary_chart(*grid, boundary, view.X, view.y, (view.test_X, view.test_y), picked))
    with st.container(key="mlp_boundary_chart"):
        st.vega_lite_chart(None, spec, on_select=data.clicked, key=data.chart_key(),
                           selection_mode=["cell", "pick", "pick_test"])
    hollow = " Hollow ones are held out: the network never trains on them." if view.test_X else ""
    many = np.ndim(grid[2]) == 3
    if many:
        st.caption("Background: the class of the network's largest score, where the tints meet the decision "
                   f"boundary. Circles are class 0, diamonds class 1, squares class 2.{hollow} {data.click_hint()}")
    else:
        st.caption("Background: the model's score, blue above 0 and vermillion below; the black line is score 0, the "
                   f"decision boundary. Circles are class +1, diamonds class −1.{hollow} {data.click_hint()}")
    drawn = ("The plane x1, x2 tinted with the class of the network's largest score" if many else
             "The model's score over the plane x1, x2 and its 0 line, the decision boundary")
    numbers_behind("mlp_plane", f"{drawn}, with the {len(view.X)} data points"
                   f"{' and the held-out ones' if view.test_X else ''}: {view.accuracy:.0%} of the points trained on "
                   f"are given their class. Each point's score{'s' if many else ''}:",
                   lambda: points_table(view.X + view.test_X, view.y + view.test_y, view.scores(), len(view.test_X)),
                   most=len(view.X) + len(view.test_X))


def live_view(run: TrainingRun, where) -> None:
    """Redraws the run as the server trains it, in `where`; each part reruns on its own while training."""
    every = redraw_interval() if run.training else None
    st.session_state.mlp_timed_at = time.monotonic()

    @ticking(every)
    def top() -> None:
        run.seen()
        retime(every)
        snapshot = run.snapshot()
        if st.session_state.get("mlp_drawn_training") and not snapshot.training:
            st.session_state.mlp_drawn_training = False
            st.rerun()  # it stopped by itself: a full rerun stops the timers and shows Train again
        st.session_state.mlp_drawn_training = snapshot.training
        numbers(snapshot, run.settings)  # the settings it runs with: a fragment reads no widget

    @ticking(every)
    def left() -> None:
        curves(run.snapshot(), run)

    @ticking(every * PLANE_EVERY if every else None)
    def right() -> None:
        if data.pending():
            st.rerun()  # a click changed the data or the sample: the whole page follows
        plane(run.snapshot())

    with where, st.container(key="mlp_live"):
        top()
        a, b = st.columns(2)
        with a:
            left()
        with b:
            right()
            if run.settings.dataset != TINY:
                data.click_mode()
