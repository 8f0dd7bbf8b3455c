"""MLP training: build an MLP, write a loss, and watch gradient descent lower it live (lecture, 01:43 to 02:10)."""

import inspect
import textwrap

import pandas as pd
import streamlit as st

from lessons.mlp.live import LiveTraining
from lessons.mlp.runs import (
    data_accuracy,
    decision_grid,
    finished,
    history_csv,
    keep_run,
    run_label,
    stalled,
    thin,
    zero_contour,
)
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
    apply_live,
    batch_note,
    check_limits,
    input_size,
    layer_sizes,
    make_trainer,
    matching_preset,
    needs_rebuild,
    parameter_count,
)
from lessons.mlp.training import LOSSES, Trainer, hinge_loss, mlp_forward_numpy, squared_error_loss
from ui import Param, detail_visible, init_state, page_frame
from ui.graph_view import show_graph
from ui.training_figures import accuracy_chart, boundary_chart, loss_chart, targets_chart

PERIOD = 0.25  # seconds between redraws while training: four a second
IDLE_SECONDS = 10.0  # a run that no page has redrawn for this long stops (the tab was closed)
GRAPH_NODES = 36  # records in the drawing of one sample's graph: a readable size
PACES = {"1": 1, "10": 10, "max": None}  # steps per redraw
LOSS_NAMES = {"squared_error": "squared error", "hinge": "hinge + L2"}
LOSS_FUNCTIONS = {"squared_error": squared_error_loss, "hinge": hinge_loss}
DATASET_LABELS = {TINY: "lecture's 4 samples", "moons": "moons", "circles": "circles", "xor": "xor", "spiral": "spiral"}
LR_OPTIONS = tuple(f"{lr:g}" for lr in LEARNING_RATES)
BATCH_OPTIONS = tuple("all" if b is None else str(b) for b in BATCH_SIZES)


def widget_values(s: RunSettings) -> dict:
    """The widgets' values that show these settings."""
    return {
        "mlp_dataset": s.dataset, "mlp_points": s.n_points, "mlp_noise": s.noise, "mlp_data_seed": s.data_seed,
        "mlp_layers": len(s.hidden), "mlp_neurons": s.hidden[0], "mlp_activation": s.activation,
        "mlp_seed": s.model_seed, "mlp_loss": s.loss, "mlp_lr": f"{s.lr:g}", "mlp_decay": s.lr_decay,
        "mlp_batch": "all" if s.batch_size is None else str(s.batch_size), "mlp_no_zero_grad": not s.zero_grad,
    }


D = widget_values(PRESETS["Lecture"])
PARAMS = [
    Param("mlp_dataset", D["mlp_dataset"], choices=DATASET_NAMES),
    Param("mlp_points", D["mlp_points"], MIN_POINTS, MAX_POINTS),
    Param("mlp_noise", D["mlp_noise"], 0.0, 0.5),
    Param("mlp_data_seed", D["mlp_data_seed"], 0, 999),
    Param("mlp_layers", D["mlp_layers"], 1, MAX_HIDDEN_LAYERS),
    Param("mlp_neurons", D["mlp_neurons"], 1, MAX_NEURONS),
    Param("mlp_activation", D["mlp_activation"], choices=HIDDEN_ACTIVATIONS),
    Param("mlp_seed", D["mlp_seed"], 0, 999),
    Param("mlp_loss", D["mlp_loss"], choices=LOSSES),
    Param("mlp_lr", D["mlp_lr"], choices=LR_OPTIONS),
    Param("mlp_decay", D["mlp_decay"]),
    Param("mlp_batch", D["mlp_batch"], choices=BATCH_OPTIONS),
    Param("mlp_no_zero_grad", D["mlp_no_zero_grad"]),
    Param("mlp_pace", "10", choices=tuple(PACES)),
]

page_frame("pages/mlp_training.py", PARAMS)
init_state({"mlp_run": None, "mlp_settings": None, "mlp_training": False, "mlp_runs": []})
st.title("MLP training: watch a network learn")
st.markdown(
    "The lecture's finale: an MLP of `Neuron`s and `Layer`s, a loss over the data, and gradient descent by hand: "
    "forward pass, `zero_grad()`, `backward()`, then every parameter takes a small step against its gradient."
)


def read_settings() -> RunSettings:
    s = st.session_state
    return RunSettings(
        dataset=s.mlp_dataset, n_points=s.mlp_points, noise=round(s.mlp_noise, 2), data_seed=s.mlp_data_seed,
        hidden=(s.mlp_neurons,) * s.mlp_layers, activation=s.mlp_activation, model_seed=s.mlp_seed, loss=s.mlp_loss,
        lr=float(s.mlp_lr), lr_decay=s.mlp_decay, batch_size=None if s.mlp_batch == "all" else int(s.mlp_batch),
        zero_grad=not s.mlp_no_zero_grad,
    )


def new_run(settings: RunSettings) -> LiveTraining:
    return LiveTraining(make_trainer(settings), period=PERIOD, idle_timeout=IDLE_SECONDS)


def sync_run(settings: RunSettings) -> str:
    """Keep the user's run in step with the settings; a notice when the model had to start again."""
    s = st.session_state
    run = s.mlp_run
    if run is not None and not needs_rebuild(s.mlp_settings, settings):
        with run.model() as trainer:
            apply_live(trainer, settings)  # learning rate, batch, zero_grad: from the next step on
        run.steps_per_period = PACES[s.mlp_pace]
        s.mlp_settings = settings
        return ""
    had_steps = run is not None and bool(run.trainer.history)
    if run is not None:
        run.pause()
        s.mlp_training = False
    if had_steps:
        s.mlp_runs = keep_run(s.mlp_runs, s.mlp_settings, run.trainer)
    s.mlp_run, s.mlp_settings = new_run(settings), settings
    if not had_steps:
        return ""
    return "Settings changed: the model was re-initialised. The previous curve is kept in the loss chart to compare."


def load_preset() -> None:
    if st.session_state.mlp_preset in PRESETS:
        st.session_state.update(widget_values(PRESETS[st.session_state.mlp_preset]))


def step_once() -> None:
    st.session_state.mlp_training = False
    st.session_state.mlp_run.step()


# Train and Pause set the state rather than toggle it: a click that reaches the server twice
# (a run interrupted by the live view's own reruns) must not undo itself.
def start_training() -> None:
    s = st.session_state
    s.mlp_training = s.mlp_run.start(PACES[s.mlp_pace])


def pause_training() -> None:
    st.session_state.mlp_training = False
    st.session_state.mlp_run.pause()


def reset() -> None:
    s = st.session_state
    s.mlp_training = False
    s.mlp_run.pause()
    s.mlp_runs = keep_run(s.mlp_runs, s.mlp_settings, s.mlp_run.trainer)
    s.mlp_run = new_run(s.mlp_settings)


def controls(settings: RunSettings) -> None:
    tiny = settings.dataset == TINY
    st.subheader("Data")
    st.selectbox("dataset", DATASET_NAMES, key="mlp_dataset", format_func=DATASET_LABELS.get)
    if detail_visible():
        st.slider("points", MIN_POINTS, MAX_POINTS, step=10, key="mlp_points", disabled=tiny)
        a, b = st.columns(2)
        a.slider("noise", 0.0, 0.5, step=0.05, key="mlp_noise", disabled=tiny)
        b.number_input("data seed", 0, 999, key="mlp_data_seed", disabled=tiny)
    st.subheader("Model")
    a, b = st.columns(2)
    a.number_input("hidden layers", 1, MAX_HIDDEN_LAYERS, key="mlp_layers")
    b.number_input("neurons per layer", 1, MAX_NEURONS, key="mlp_neurons")
    a, b = st.columns(2)
    a.selectbox("activation", HIDDEN_ACTIVATIONS, key="mlp_activation", help="tanh throughout, as in the lecture; "
                "relu in the hidden layers with a linear output, as in micrograd's demo.")
    if detail_visible():
        b.number_input("model seed", 0, 999, key="mlp_seed")
    nin, nouts = input_size(settings.dataset), layer_sizes(settings)
    st.markdown(f"`MLP({nin}, {nouts})`: **{parameter_count(nin, nouts):,} parameters**")
    st.caption(f"Limits: {MAX_HIDDEN_LAYERS} hidden layers, {MAX_NEURONS} neurons each, {MAX_POINTS} points, "
               "so that one session stays well inside a small server's memory.")
    st.subheader("Training")
    st.select_slider("learning rate", LR_OPTIONS, key="mlp_lr")
    st.selectbox("loss", LOSSES, key="mlp_loss", format_func=LOSS_NAMES.get)
    st.toggle("forget zero_grad", key="mlp_no_zero_grad",
              help="The lecture's bug. Without zero_grad, backward() adds to the old gradients: "
              "each step moves by the sum of all the gradients so far.")
    if detail_visible():
        st.select_slider("batch size", BATCH_OPTIONS, key="mlp_batch")
        st.toggle("lr decay", key="mlp_decay",
                  help="micrograd demo's schedule: step k uses lr × (1 − 0.9 (k − 1) / 100), at least lr × 0.1.")
        st.select_slider("steps per chart update", options=tuple(PACES), key="mlp_pace")


def buttons() -> None:
    s = st.session_state
    s.mlp_preset = matching_preset(read_settings()) or "custom"
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.selectbox("preset", [*PRESETS, "custom"], key="mlp_preset", on_change=load_preset, width=220)
        st.button("Step", on_click=step_once, icon=":material/skip_next:", key="mlp_step")
        if s.mlp_training:
            st.button("Pause", on_click=pause_training, icon=":material/pause:", key="mlp_pause")
        else:
            st.button("Train", on_click=start_training, icon=":material/play_arrow:", key="mlp_train", type="primary")
        st.button("Reset", on_click=reset, icon=":material/restart_alt:", key="mlp_reset",
                  help="Back to the initial weights; this run's curve is kept to compare.")
        st.button("Clear earlier runs", on_click=lambda: s.update(mlp_runs=[]), icon=":material/layers_clear:",
                  key="mlp_clear", disabled=not s.mlp_runs)


@st.fragment(run_every=PERIOD if st.session_state.mlp_training else None)
def live_view() -> None:
    """Redraws what the worker thread has trained so far; reruns on its own while training."""
    s = st.session_state
    run = s.mlp_run
    if s.mlp_training:
        run.watched()
        if not run.running:  # it stopped by itself: the top of the page says why, and the timer stops
            st.rerun()
    with run.model() as trainer:  # read between two steps, then draw while training goes on
        view = read_live(trainer, s.mlp_settings)
    draw_live(view, s.mlp_settings)


def read_live(trainer: Trainer, settings: RunSettings) -> dict:
    """Everything the live view shows, read from the model at one moment."""
    history = list(trainer.history)
    view = {
        "history": history, "finished": finished(trainer), "diverged": trainer.stopped_reason is not None,
        "stalled": stalled(trainer), "label": run_label(settings, trainer), "y": trainer.y,
        "accuracy": data_accuracy(trainer.model, trainer.X, trainer.y),
        "next_lr": trainer.learning_rate(len(history) + 1),
    }
    if settings.dataset == TINY:
        view["predictions"] = mlp_forward_numpy(trainer.model, trainer.X).tolist()
    else:
        view["grid"], view["X"] = decision_grid(trainer.model, trainer.X), trainer.X
        view["boundary"] = zero_contour(*view["grid"])
    return view


def chart(where, key: str, spec: dict) -> None:
    """A live chart, in a container whose key names it in the page (the chart itself takes no key)."""
    where.container(key=key).vega_lite_chart(None, spec)


def draw_live(view: dict, settings: RunSettings) -> None:
    history = view["history"]
    if view["diverged"]:
        st.error(f"Training stopped. {view['finished']}", icon=":material/warning:")
    elif view["finished"]:
        st.info(view["finished"], icon=":material/flag:")
    elif view["stalled"]:
        st.info("The loss has not moved for 20 steps. With tanh and a large learning rate the units saturate "
                "(outputs near ±1, where 1 − tanh² ≈ 0): the gradients vanish and nothing learns. "
                "Lower the learning rate and Reset.", icon=":material/hourglass_empty:")
    cols = st.columns(4)
    cols[0].metric("step", len(history))
    cols[1].metric("loss", f"{history[-1].loss:.4g}" if history else "–")
    cols[2].metric("accuracy, all samples", f"{100 * view['accuracy']:.0f}%")
    cols[3].metric("learning rate", f"{view['next_lr']:.4g}")
    shown = thin(len(history), 1500)
    kept = [(r.label, [r.steps[i] for i in thin(len(r.steps), 600)], [r.losses[i] for i in thin(len(r.steps), 600)])
            for r in st.session_state.mlp_runs]
    left, right = st.columns(2)
    steps, losses = [history[i].step for i in shown], [history[i].loss for i in shown]
    chart(left, "mlp_loss_chart", loss_chart(steps, losses, f"this run: {view['label']}", kept))
    if settings.dataset == TINY:
        chart(right, "mlp_targets_chart", targets_chart(view["predictions"], view["y"]))
        targets = ", ".join(f"{v:g}" for v in view["y"])
        right.caption(f"Bars: the network's output for each sample; diamonds: the targets {targets}. "
                      "Every step pulls each bar towards its diamond.")
    else:
        chart(right, "mlp_boundary_chart", boundary_chart(*view["grid"], view["boundary"], view["X"], view["y"]))
        right.caption("Background: the model's score, blue above 0 and vermillion below; the black line is score 0, "
                      "the decision boundary. Circles are class +1, diamonds class −1.")
        chart(st, "mlp_accuracy_chart", accuracy_chart(steps, [history[i].accuracy for i in shown]))


def lessons(settings: RunSettings) -> None:
    if not settings.zero_grad:
        st.warning(
            "zero_grad is off: each backward() adds this step's gradients to all the earlier ones, so the steps keep "
            "growing. On the lecture's four samples that can even look like faster learning, which is how the bug "
            "went unnoticed in the lecture; on the moons the loss climbs back up.", icon=":material/bug_report:")


def inside_one_step(run: LiveTraining) -> None:
    st.header("Inside one step")
    if st.session_state.mlp_training:
        st.caption("Refreshed when training pauses or you press Step.")
    left, right = st.columns([2, 3])
    n = len(run.trainer.X)
    with right:
        st.session_state.mlp_sample = min(st.session_state.get("mlp_sample", 1), n)
        sample = st.number_input("sample", 1, n, key="mlp_sample") if detail_visible() else 1
    with run.model() as trainer:
        table, graph = pd.DataFrame(trainer.parameters_table()), trainer.loss_graph(sample - 1)
    with left:
        st.markdown("Every parameter with its **data** and its **grad** from the last `backward()` "
                    "(all 0 before the first step):")
        st.dataframe(table, hide_index=True, height=360,
                     column_config={c: st.column_config.NumberColumn(format="%.4f") for c in ("data", "grad")})
    with right:
        x = ", ".join(f"{v:.3g}" for v in run.trainer.X[sample - 1])
        st.markdown(f"One sample through the network: inputs ({x}), target {run.trainer.y[sample - 1]:g}. "
                    "Below, the end of its graph: the last neurons and the loss, with the gradients of a "
                    "`backward()` from this sample's loss alone.")
    show_graph(graph, rankdir="TB", max_nodes=GRAPH_NODES)


def the_code(run: LiveTraining, settings: RunSettings) -> None:
    st.header("The code being run")
    st.markdown("Each Step (and each step of Train) calls `Trainer.step` from `micrograd_core/training.py`:")
    st.code(textwrap.dedent(inspect.getsource(Trainer.step)), language="python")
    loss = LOSS_FUNCTIONS[settings.loss]
    st.markdown(f"and `self.loss` is `{loss.__name__}`" + (" plus `l2_penalty`:" if settings.loss == "hinge" else ":"))
    st.code(inspect.getsource(loss), language="python")
    st.download_button("Download the loss history (CSV)", history_csv(list(run.trainer.history)),
                       "mlp_loss_history.csv",
                       mime="text/csv", on_click="ignore", icon=":material/download:", key="mlp_csv")


settings = read_settings()
problems = check_limits(settings)
if problems:
    for problem in problems:
        st.error(problem)
    st.stop()
notice = sync_run(settings)
run = st.session_state.mlp_run
if st.session_state.mlp_training and not run.running:  # it stopped by itself
    st.session_state.mlp_training = False
    if finished(run.trainer) is None and run.failure is None:  # else the live view or an error says why
        notice = (f"Training paused: this page went unseen for more than {IDLE_SECONDS:g} seconds (closed, or in "
                  "a background tab), and a run nobody watches stops. Press Train to go on.")
buttons()
if notice:
    st.info(notice, icon=":material/restart_alt:")
if run.failure:
    st.error(f"Training stopped by an unexpected error: {run.failure}", icon=":material/error:")
if batch_note(settings):
    st.info(batch_note(settings), icon=":material/memory:")
with st.sidebar:
    controls(settings)
live_view()
lessons(settings)
inside_one_step(run)
the_code(run, settings)
