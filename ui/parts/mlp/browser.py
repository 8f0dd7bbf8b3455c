"""The MLP page trained in the student's own browser: Train there, Pause hands the run back to the page.

While the browser trains, its component draws the numbers, the loss and the plane itself, and the server
does nothing for this student; the page's other views show the run where it was handed back last. A
setting changed while it trains first takes the run back, then applies, then trains on. The component
stays on the page while "in this browser" is chosen, so Python is loaded once, before the first Train.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import streamlit as st

from lessons.mlp import in_browser
from lessons.mlp.controller import PACES, TrainingRun
from lessons.mlp.runs import plane_axes
from lessons.mlp.settings import TINY, RunSettings
from ui.components.browser_training import browser_training
from ui.palette import INK, NEGATIVE, POSITIVE, TEXT
from ui.plane_figures import MANY_CLASSES

from ... import stage
from ...mode import BODY_PX, presenting
from ...text import literal
from .settings import WHERE

PLANE = 40  # cells a side of the plane drawn in the browser, as on the server
CHARTS = 300  # px: the charts' height on a page
ABOVE_CHARTS = 64 + 30 + 70 + 40  # on the stage: the buttons, the status line, the numbers, the captions
KEY = "mlp_browser_component"


@dataclass
class BrowserState:
    """Where this session's browser run is: the run it was started on, and whether it trains."""

    run_id: str = ""
    start: str = ""  # the run as sent (JSON)
    sent_from: tuple[int, int] = (0, -1)  # the run (its identity) and the step `start` was made from
    training: bool = False  # asked to train
    waiting: bool = False  # asked to pause: the run is the browser's until it is handed back
    resume: bool = False  # train on once it is back (a setting changed while it trained)
    problem: str = ""  # what went wrong the last time
    failed: str = ""  # why Python could not run in this browser: the page trains on the server

    @property
    def step(self) -> int:
        """The step the run was sent at."""
        return self.sent_from[1]


def chosen() -> bool:
    """Whether this page trains in the browser."""
    return WHERE.value == "browser"


def state() -> BrowserState:
    if "mlp_browser" not in st.session_state:
        st.session_state.mlp_browser = BrowserState()
    return st.session_state.mlp_browser


def busy() -> bool:
    """Whether the run is in the browser's hands (training, or not yet handed back)."""
    s = state()
    return s.training or s.waiting


def train(run: TrainingRun) -> None:
    """Train button: send the run where it is to the browser and train it there."""
    if in_browser.unsupported(run.settings) or state().failed:
        run.train()  # the page says why it trains on the server
        return
    run.close()  # a step taken phase by phase is undone; the server stops stepping it
    s = state()
    _send(s, run)
    s.training, s.waiting, s.resume, s.problem = True, False, False, ""


def pause(resume: bool = False) -> None:
    """Pause button: the browser stops and hands the run back (`resume`: and trains on once it is taken back)."""
    s = state()
    if s.training:
        s.training, s.waiting, s.resume = False, True, resume


def take_back(run: TrainingRun) -> None:
    """The run the browser handed back (the component's value), taken back once; or why it could not be."""
    value = st.session_state.get(KEY)
    s = state()
    if not isinstance(value, dict) or value.get("run_id") != s.run_id:
        return  # nothing yet, or an old run's report
    if "error" in value:  # Python could not load or run here (at any time, training or not)
        if not s.failed:
            s.failed = literal(str(value["error"])[:300])
            s.training = s.waiting = s.resume = False
        return
    if not busy():
        return  # taken back already
    s.training = s.waiting = False
    try:
        run.go_on_from(s.step, in_browser.hand_back(run.trajectory, s.step, value.get("hand_back")))
    except ValueError as err:
        s.problem = f"The browser's run could not be taken back: {err}. The run is where it was before Train."
        s.resume = False


def hold_settings(run: TrainingRun, settings: RunSettings) -> bool:
    """A setting changed while the browser trains: ask for the run back first. True while it is away."""
    if state().training and (settings != run.settings or not chosen()):
        pause(resume=chosen())  # back to the server: taken back, not trained on here
    return busy()


def train_on(run: TrainingRun) -> None:
    """Train on in the browser: after a setting was applied to a run taken back, or when the browser was chosen
    while the server was training the run (it moves here, from the step it had reached)."""
    s = state()
    moved = run.training and in_browser.unsupported(run.settings) is None
    if (s.resume or moved) and not busy():
        s.resume = False
        train(run)


def forget() -> None:
    """The page trains on the server again: nothing is left in the browser's hands."""
    st.session_state.pop("mlp_browser", None)


def view(run: TrainingRun, pace: str) -> None:
    """The component: loads Python as soon as the browser is chosen, draws the run while it trains there."""
    s = state()
    if s.problem:
        st.warning(s.problem, icon=":material/warning:")
    if s.failed:
        st.warning(f"Python could not run in this browser ({s.failed}), so this page trains on the server. A "
                   "recent Chrome, Edge, Firefox or Safari runs it.", icon=":material/warning:")
        return
    settings = run.settings
    if (problem := in_browser.unsupported(settings)) and not busy():
        st.caption(f":material/dns: This run trains on the server: {problem}.")
        return
    if not busy() and s.sent_from != (id(run.trajectory), run.position):
        _send(s, run)  # the run moved on (a step, a reset, a setting) since it was sent
    grid = None
    if settings.dataset != TINY:
        xs, ys = plane_axes(run.trajectory.trainer.X + run.trajectory.test_X.tolist(), PLANE)
        grid = {"xs": xs.tolist(), "ys": ys.tolist()}
    theme = "dark" if st.context.theme.type == "dark" else "light"
    with st.container(key="mlp_browser"):
        browser_training(sources=in_browser.sources(), start=s.start, run_id=s.run_id, training=s.training,
                         showing=busy(), rate=PACES[pace], grid=grid, key=KEY,
                         colors={"positive": POSITIVE, "negative": NEGATIVE, "ink": INK, "text": TEXT[theme],
                                 "classes": [color for color, _ in MANY_CLASSES.values()]},
                         height=chart_height(), font=BODY_PX if presenting() else 16)


def chart_height() -> int:
    """The charts' height: on the stage, what its first screen leaves (nothing of them below the fold)."""
    if presenting() and stage.focus() in (None, "live"):
        return int(max(160, min(CHARTS * 1.6, stage.room() - ABOVE_CHARTS)))
    return CHARTS


def _send(s: BrowserState, run: TrainingRun) -> None:
    """Make the run where it is now the one the browser starts from."""
    s.run_id, s.sent_from = uuid.uuid4().hex, (id(run.trajectory), run.position)
    s.start = in_browser.start(run.trajectory, run.position)
