"""The MLP training page's parts: its settings, the live view, one step inside, and the network as code."""

from __future__ import annotations

import inspect
import textwrap
import time
from collections.abc import Callable

import pandas as pd
import streamlit as st

from lessons.mlp.controller import PACES, Snapshot, TrainingRun
from lessons.mlp.diagram import diagram
from lessons.mlp.runs import history_csv, thin
from lessons.mlp.scheduler import Scheduler
from lessons.mlp.settings import (
    BATCH_SIZES,
    DATASET_NAMES,
    HIDDEN_ACTIVATIONS,
    LEARNING_RATES,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    MAX_POINTS,
    MIN_POINTS,
    PRESETS,
    TINY,
    RunSettings,
    input_size,
    layer_sizes,
    parameter_count,
)
from lessons.mlp.training import DATA_LOSSES, LOSSES, PHASES, Trainer, l2_penalty, sample_loss_graph
from micrograd_core import nn

from ..frame import detail_visible
from ..graph_view import show_graph
from ..network_view import network_dot
from ..state import Choice, Number, Setting, Slider, Toggle
from ..text import literal
from ..training_figures import accuracy_chart, boundary_chart, loss_chart, targets_chart

D = RunSettings()  # the lecture's setup: every setting's default
DATASET_LABELS = {TINY: "lecture's 4 samples", "moons": "moons", "circles": "circles", "xor": "xor", "spiral": "spiral"}
LOSS_NAMES = {"squared_error": "squared error", "hinge": "hinge + L2"}
PACE_LABELS = {"slow": "1 a second", "1": "4 a second", "10": "40 a second", "max": "as fast as it goes"}
SETTINGS: list[Setting] = [
    Choice("mlp_dataset", "dataset", D.dataset, options=DATASET_NAMES, labels=DATASET_LABELS, field="dataset"),
    Slider("mlp_points", "points", D.n_points, MIN_POINTS, MAX_POINTS, step=10, field="n_points"),
    Slider("mlp_noise", "noise", D.noise, 0.0, 0.5, step=0.05, field="noise"),
    Number("mlp_data_seed", "data seed", D.data_seed, 0, 999, field="data_seed"),
    Number("mlp_layers", "hidden layers", D.layers, 1, MAX_HIDDEN_LAYERS, field="layers"),
    Number("mlp_neurons", "neurons per layer", D.neurons, 1, MAX_NEURONS, field="neurons"),
    Choice("mlp_activation", "activation", D.activation, options=HIDDEN_ACTIVATIONS, field="activation",
           help="tanh throughout, as in the lecture; relu in the hidden layers with a linear output, as in "
           "micrograd's demo."),
    Number("mlp_seed", "model seed", D.model_seed, 0, 999, field="model_seed"),
    Choice("mlp_loss", "loss", D.loss, options=LOSSES, labels=LOSS_NAMES, field="loss"),
    Choice("mlp_lr", "learning rate", D.lr, options=LEARNING_RATES, tokens={lr: f"{lr:g}" for lr in LEARNING_RATES},
           kind="select_slider", field="lr"),
    Toggle("mlp_decay", "lr decay", D.lr_decay, field="lr_decay",
           help="micrograd demo's schedule: step k uses lr × (1 − 0.9 (k − 1) / 100), at least lr × 0.1."),
    Choice("mlp_batch", "batch size", D.batch_size, options=BATCH_SIZES, tokens={None: "all"}, kind="select_slider",
           field="batch_size"),
    Toggle("mlp_no_zero_grad", "forget zero_grad", D.forget_zero_grad, field="forget_zero_grad",
           help="The lecture's bug. Without zero_grad, backward() adds to the old gradients: "
           "each step moves by the sum of all the gradients so far."),
]
BY_FIELD = {s.field: s for s in SETTINGS}
PACE = Choice("mlp_pace", "pace (steps)", "10", options=tuple(PACES), labels=PACE_LABELS, kind="select_slider",
              help="Slow enough to narrate at 1 a second; as fast as the server allows at the end.")
SAMPLE = Number("mlp_sample", "sample", 1, 1, MAX_POINTS)
GRAPH_NODES = 36  # records in the drawing of one sample's graph: a readable size
UNSEEN = 300.0  # seconds without a redraw after which a run is taken for a page left open but gone (a hidden tab)
GONE = 10.0  # seconds without a connection to the browser after which the run stops (a tab closed)


def read_settings() -> RunSettings:
    return RunSettings(**{s.field: s.value for s in SETTINGS})


def load_preset(name: str) -> None:
    if name in PRESETS:
        st.session_state.update({s.key: getattr(PRESETS[name], s.field) for s in SETTINGS})


@st.cache_resource
def scheduler() -> Scheduler:
    """The server's one scheduler of training runs, shared by every session (see lessons/mlp/scheduler.py)."""
    return Scheduler()


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
        st.session_state.mlp_run = TrainingRun(scheduler(), read_settings(), _connected(), unseen_after=UNSEEN)
    return st.session_state.mlp_run


def redraw_interval() -> float:
    """Seconds between live redraws: four a second for a few students, down to one a second for a class."""
    training = scheduler().training
    return 0.25 if training <= 4 else (0.5 if training <= 12 else 1.0)


# --- the controls ---

def controls(presenting: bool) -> None:
    """The settings: in the sidebar, or the lesson's switches on the main screen in presentation mode."""
    if presenting:
        a, b, c = st.columns([3, 2, 3], vertical_alignment="bottom")
        BY_FIELD["lr"].widget(a)
        BY_FIELD["forget_zero_grad"].widget(b)
        PACE.widget(c)
        return
    with st.sidebar:
        st.subheader("Data")
        BY_FIELD["dataset"].widget()
        tiny = BY_FIELD["dataset"].value == TINY
        BY_FIELD["n_points"].widget(disabled=tiny)
        a, b = st.columns(2)
        BY_FIELD["noise"].widget(a, disabled=tiny)
        BY_FIELD["data_seed"].widget(b, disabled=tiny)
        st.subheader("Model")
        a, b = st.columns(2)
        BY_FIELD["layers"].widget(a)
        BY_FIELD["neurons"].widget(b)
        a, b = st.columns(2)
        BY_FIELD["activation"].widget(a)
        BY_FIELD["model_seed"].widget(b)
        settings = read_settings()
        nin, nouts = input_size(settings.dataset), layer_sizes(settings)
        st.markdown(f"`MLP({nin}, {nouts})`: **{parameter_count(nin, nouts):,} parameters**")
        st.caption(f"Limits: {MAX_HIDDEN_LAYERS} hidden layers, {MAX_NEURONS} neurons each, {MAX_POINTS} points, "
                   "so that one session stays well inside a small server's memory.")
        st.subheader("Training")
        for name in ("lr", "loss", "forget_zero_grad", "batch_size", "lr_decay"):
            BY_FIELD[name].widget()
        PACE.widget()


# --- the live view ---

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
        st.warning("The server is training for as many students as it can right now. Press Train again in a "
                   "moment.", icon=":material/groups:")
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


def draw(view: Snapshot, run: TrainingRun) -> None:
    reports = view.reports
    with st.container():  # messages come and go inside it; the charts after it keep their place, drawn in place
        status(view, run.settings)
    cols = st.columns(4)
    cols[0].metric("step", view.step)
    cols[1].metric("loss, all samples", f"{view.loss:.4g}")
    cols[2].metric("accuracy, all samples", f"{100 * view.accuracy:.0f}%")
    cols[3].metric("learning rate", f"{view.next_lr:.4g}")
    shown = thin(len(reports), 1500)
    kept = [(r.label, [r.steps[i] for i in thin(len(r.steps), 600)], [r.losses[i] for i in thin(len(r.steps), 600)])
            for r in run.kept]
    steps, losses = [reports[i].step for i in shown], [reports[i].loss for i in shown]
    stop = (view.stop.report.step, view.stop.report.loss) if view.stop is not None else None
    left, right = st.columns(2)
    left.container(key="mlp_loss_chart").vega_lite_chart(
        None, loss_chart(steps, losses, f"this run: {view.label}", kept, stop))
    if view.predictions is not None:
        right.container(key="mlp_targets_chart").vega_lite_chart(None, targets_chart(view.predictions, view.y))
        targets = ", ".join(f"{v:g}" for v in view.y)
        right.caption(f"Bars: the network's output for each sample; diamonds: the targets {targets}. "
                      "Every step pulls each bar towards its diamond.")
    else:
        right.container(key="mlp_boundary_chart").vega_lite_chart(
            None, boundary_chart(*view.grid, view.boundary, view.X, view.y))
        right.caption("Background: the model's score, blue above 0 and vermillion below; the black line is score 0, "
                      "the decision boundary. Circles are class +1, diamonds class −1.")
        st.container(key="mlp_accuracy_chart").vega_lite_chart(
            None, accuracy_chart(steps, [reports[i].accuracy for i in shown]))


def live_view(run: TrainingRun) -> None:
    """Redraws the run as the server trains it; reruns on its own while training."""

    @st.fragment(run_every=redraw_interval() if run.training else None)
    def view() -> None:
        run.seen()
        snapshot = run.snapshot()
        if st.session_state.get("mlp_drawn_training") and not snapshot.training:
            st.session_state.mlp_drawn_training = False
            st.rerun()  # it stopped by itself: a full rerun stops the timer and shows Train again
        st.session_state.mlp_drawn_training = snapshot.training
        with st.container(key="mlp_live"):
            draw(snapshot, run)

    view()


# --- inside one step ---

PHASE_TEXT = {
    "forward": "Forward pass: each sample's score from the current weights.",
    "loss": "Loss: the scores against the targets, one number.",
    "zero_grad": "zero_grad(): every parameter's grad set to 0 (unless the bug is on).",
    "backward": "backward(): the gradient of the loss in every parameter's grad.",
    "update": "Update: each parameter moved by −lr × grad. The next step starts from these weights.",
}


def phases(run: TrainingRun) -> None:
    """The step in five phases, and where this run is in them."""
    done = PHASES.index(run.phase.name) + 1 if run.phase is not None else 0
    marks = [f"**{name}**" if i < done else name for i, name in enumerate(PHASES)]
    st.markdown("One step, phase by phase: " + " → ".join(marks))
    if run.phase is not None:
        st.caption(PHASE_TEXT[run.phase.name])


def inside_one_step(run: TrainingRun) -> None:
    st.header("Inside one step")
    phases(run)
    if run.training:
        st.caption("Refreshed when training pauses or you press Step.")
    model = run.model()
    n = len(run.trainer.X)
    left, right = st.columns([2, 3])
    with right:
        st.session_state[SAMPLE.key] = min(SAMPLE.value, n)
        # the setting's range is the largest data set's; this run's data may be smaller
        sample = st.number_input(SAMPLE.label, 1, n, key=SAMPLE.key) if detail_visible() else SAMPLE.value
        x = ", ".join(f"{v:.3g}" for v in run.trainer.X[sample - 1])
        st.markdown(f"Sample {sample}: inputs ({x}), target {run.trainer.y[sample - 1]:g}.")
    table = pd.DataFrame([{"name": f"L{li}.N{ni}.{name}", "data": p.data, "grad": p.grad}
                          for li, layer in enumerate(model.layers, 1) for ni, neuron in enumerate(layer.neurons, 1)
                          for name, p in [*((f"w{i}", w) for i, w in enumerate(neuron.w, 1)), ("b", neuron.b)]])
    with left:
        st.markdown("Every parameter with its **data** and its **grad** (all 0 before the first step):")
        st.dataframe(table, hide_index=True, height=360,
                     column_config={c: st.column_config.NumberColumn(format="%.4f") for c in ("data", "grad")})
    with right:
        phase = run.phase
        if phase is not None and phase.name != "update" and sample - 1 < len(phase.scores):
            root = phase.loss if phase.loss is not None else phase.scores[sample - 1]
            st.caption(f"Sample {sample}'s part of this step's graph; after backward() each grad is the whole "
                       "loss's gradient.")
            show_graph(root, rankdir="TB", max_nodes=GRAPH_NODES, focus=phase.scores[sample - 1],
                       show_grad=phase.name in ("zero_grad", "backward"))
        else:
            st.caption(f"Sample {sample}'s forward pass and loss at these weights, with the gradients of a "
                       "backward() from its loss alone.")
            show_graph(sample_loss_graph(model, run.trainer.X[sample - 1], run.trainer.y[sample - 1],
                                         run.settings.loss), rankdir="TB", max_nodes=GRAPH_NODES)


# --- the network and the code ---

def network(run: TrainingRun) -> None:
    st.header("The network: Neuron, Layer and MLP")
    model = run.model()
    d = diagram(model)
    left, right = st.columns([3, 2])
    with left:
        st.graphviz_chart(network_dot(d), alt=f"Diagram of MLP{tuple(d.sizes)}")
        counts = ", ".join(f"layer {i}: {c:,}" for i, c in enumerate(d.parameters, 1))
        st.caption(f"Parameters per layer (weights and a bias per neuron): {counts}; {sum(d.parameters):,} in all. "
                   "Edges: blue positive weights, vermillion dashed negative ones, thicker when larger.")
    with right:
        tabs = st.tabs(["Neuron", "Layer", "MLP"])
        for tab, cls in zip(tabs, (nn.Neuron, nn.Layer, nn.MLP)):
            tab.code(inspect.getsource(cls), language="python")


def the_code(run: TrainingRun) -> None:
    st.header("The code being run")
    st.markdown("Each Step (and each step of Train) runs `Trainer.step_phases` from `lessons/mlp/training.py`, "
                "the lecture's loop body (it pauses at each `yield` when you step phase by phase):")
    st.code("\n".join(textwrap.dedent(inspect.getsource(method))
                       for method in (Trainer.step_phases, Trainer.backward, Trainer.update)), language="python")
    loss = DATA_LOSSES[run.settings.loss]
    hinge = run.settings.loss == "hinge"
    st.markdown(f"and `self.loss` is `{loss.__name__}`" + (" plus `l2_penalty`:" if hinge else ":"))
    st.code(inspect.getsource(loss) + ("\n" + inspect.getsource(l2_penalty) if hinge else ""), language="python")
    st.download_button("Download the loss history (CSV)", history_csv(run.trajectory.reports(run.position)),
                       "mlp_loss_history.csv", mime="text/csv", on_click="ignore", icon=":material/download:",
                       key="mlp_csv")
