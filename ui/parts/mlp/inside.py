"""Inside the MLP while it learns: the network's weights, what each neuron computes, one sample's graph,
the step in phases, the code being run, and the same run in numpy.

The network and the sample's graph are redrawn live while the run trains, less often than the
curves: a Graphviz drawing and a few thousand heatmap cells cost the browser more than a line.
"""

from __future__ import annotations

import textwrap
import time

import numpy as np
import pandas as pd
import streamlit as st

from lessons.mlp.controller import Snapshot, TrainingRun
from lessons.mlp.diagram import neuron_view
from lessons.mlp.runs import history_csv
from lessons.mlp.settings import classes, make_trainer
from lessons.mlp.training import DATA_LOSSES, PHASES, Trainer, l2_penalty, sample_loss_graph
from lessons.mlp.twin import Tensor, check_steps, loss_and_grads, train_in_numpy
from lessons.softmax import cross_entropy
from lessons.source import source
from micrograd_core import nn
from micrograd_core.engine import Value

from ... import stage
from ...chart_text import numbers_behind
from ...graph_view import show_graph
from ...mode import presenting
from ...network_view import edges_table, network_dot
from ...ticking import ticking
from ...training_figures import loss_chart, neuron_maps_chart
from ...training_tables import maps_table
from .settings import SAMPLE

GRAPH_NODES = 36  # records in the drawing of one sample's graph: a readable size
NETWORK_EVERY = 12  # the network and the sample's graph are redrawn once for every this many redraws of the curve
NEURON = "mlp_neuron"
# on the stage: the page's buttons above a step's view, and the phases' lines above its table of parameters
STRIP = 64 + 22 + 210 + 22
SAMPLE_LINE = 64 + 22 + 70 + 40  # the buttons, the sample's line above its graph, and the note under it
PHASE_TEXT = {
    "forward": "Forward pass: each sample's score from the current weights.",
    "loss": "Loss: the scores against the targets, one number.",
    "zero_grad": "zero_grad(): every parameter's grad set to 0 (unless the bug is on).",
    "backward": "backward(): the gradient of the loss in every parameter's grad.",
    "update": "Update: each parameter moved by −lr × grad. The next step starts from these weights.",
}


# --- the network, live ---

def _neurons(view: Snapshot) -> list[tuple[int, int]]:
    return [(li, ni) for li, layer in enumerate(view.model.layers, 1) for ni in range(1, len(layer.neurons) + 1)]


def _neuron_name(choice: tuple[int, int], last: int) -> str:
    layer, index = choice
    name = "the output" if layer == last else f"layer {layer}, neuron {index}"
    return f"{name} (L{layer}.N{index})"


def neuron_panel(view: Snapshot) -> tuple[int, int]:
    """Choose a neuron; its formula with the current numbers and the gradients of the last backward()."""
    options = _neurons(view)
    last = len(view.model.layers)
    if st.session_state.get(NEURON) not in options:
        st.session_state[NEURON] = options[0]
    chosen = st.selectbox("neuron", options, key=NEURON, format_func=lambda c: _neuron_name(c, last))
    n = neuron_view(view.model, *chosen)
    st.code(n.formula(), language=None, wrap_lines=True)
    rows = [*zip([f"w{i}" for i in range(1, len(n.weights) + 1)], n.inputs, n.weights, n.weight_grads),
            ("b", "", n.bias, n.bias_grad)]
    st.dataframe(pd.DataFrame(rows, columns=["parameter", "times", "data", "grad"]), hide_index=True,
                 height=min(36 * (len(rows) + 1) + 4, 260),
                 column_config={c: st.column_config.NumberColumn(format="%.4f") for c in ("data", "grad")})
    st.caption("grad: from the last backward(), the step that led to these weights (0 before the first step)."
               + (" h1, h2, …: the outputs of the layer before." if chosen[0] > 1 else ""))
    return chosen


def network_view(view: Snapshot) -> None:
    d = view.network()
    left, right = st.columns([3, 2])
    with right:
        chosen = neuron_panel(view)
    with left:
        st.graphviz_chart(network_dot(d, chosen), alt=f"Diagram of MLP{tuple(d.sizes)} with its weights")
        left_out = " Wide layers show their first 8 neurons." if d.shown != d.sizes else ""
        counts = ", ".join(f"layer {i}: {c:,}" for i, c in enumerate(d.parameters, 1))
        st.caption("Each edge is a weight: blue and solid positive, vermillion and dashed negative, thicker when "
                   f"larger. The chosen neuron is orange, ringed twice.{left_out} Parameters per layer (weights and "
                   f"a bias per neuron): {counts}; {sum(d.parameters):,} in all.")
        numbers_behind("mlp_network", f"The network MLP{tuple(d.sizes)}: each weight drawn, from the unit it "
                       "reads to the neuron it feeds.", lambda: edges_table(d))
    if view.predictions is not None:
        return  # the lecture's samples have three inputs: no plane to draw a neuron over
    hidden = [min(len(layer.neurons), d.shown[li]) for li, layer in enumerate(view.model.layers[:-1], 1)]
    st.markdown("**What each hidden neuron computes**, over the same plane as the boundary: blue where its output "
                "is positive, vermillion where negative. The first layer can only draw straight lines; the next "
                "layers combine them into the shapes the boundary needs.")
    maps = view.maps()
    st.container(key="mlp_neuron_maps").vega_lite_chart(
        None, neuron_maps_chart(maps, hidden, chosen if chosen[0] < len(view.model.layers) else None))
    numbers_behind("mlp_maps", "What each hidden neuron outputs over the plane of the data, in numbers: its least, "
                   "mean and largest output there, and the share of the plane where it is above 0.",
                   lambda: maps_table(maps, hidden), formats={"share of the plane above 0": ".0%"})
    if view.model.layers and _all_equal(view.model.layers[0].neurons):
        st.info("Every neuron of the first layer has the same weights: they compute the same thing, get the same "
                "gradients, and stay the same however long they train. Random initial weights break this "
                "symmetry.", icon=":material/content_copy:")


def _all_equal(neurons: list) -> bool:
    first = [p.data for p in neurons[0].parameters()]
    return len(neurons) > 1 and all([p.data for p in n.parameters()] == first for n in neurons[1:])


# --- one sample and one step ---

def phases(run: TrainingRun) -> None:
    """The step in five phases, where this run is in them, and what the phases have made so far."""
    phase = run.phase
    done = PHASES.index(phase.name) + 1 if phase is not None else 0
    marks = [f":material/check: **{name}**" if i < done else name for i, name in enumerate(PHASES)]
    made = []
    if phase is not None and phase.name != "update":
        if len(phase.scores) <= 8:
            made.append("outputs " + ", ".join(_output(s) for s in phase.scores))
        if phase.loss is not None:
            made.append(f"loss **{phase.loss.data:.4f}**")
    st.markdown("One step, phase by phase: " + " → ".join(marks) + ("  \n" + " · ".join(made) if made else ""))
    st.caption(PHASE_TEXT[phase.name] if phase is not None else "Press Phase (or P) to take the next step one phase "
               "at a time: watch the grads below go to 0, fill in, and the weights move.")


def _output(score: Value | list[Value]) -> str:
    """A sample's output: its score, or (more than two classes) its scores."""
    return f"({', '.join(f'{s.data:.3f}' for s in score)})" if isinstance(score, list) else f"{score.data:.3f}"


def sample_view(view: Snapshot, run: TrainingRun) -> None:
    """One sample's forward pass and loss as a Value graph, with its data and grads."""
    X, y = view.X + view.test_X, view.y + view.test_y
    n = len(X)
    st.session_state[SAMPLE.key] = min(SAMPLE.value, n)  # the setting's range is the largest data set's
    sample = st.number_input(SAMPLE.label, 1, n, key=SAMPLE.key) if not presenting() else SAMPLE.value
    held = sample > len(view.X)
    x = ", ".join(f"{v:.3g}" for v in X[sample - 1])
    kind = " (held out: never trained on)" if held else ""
    many = classes(run.settings) > 2
    target = f"class {y[sample - 1]:g}" if many else f"target {y[sample - 1]:g}"
    st.markdown(f"Sample {sample}{kind}: inputs ({x}), {target}." +
                (" Pick another by clicking a point on the plot, with *follow a point*." if view.predictions is None
                 else ""))
    phase = run.phase
    if phase is not None and phase.name != "update" and not held and sample - 1 < len(phase.scores):
        score = phase.scores[sample - 1]
        if many:  # a score per class: the graph is followed from the true class's
            score = score[int(y[sample - 1])]
        root = phase.loss if phase.loss is not None else score
        if not presenting():
            st.caption(f"Sample {sample}'s part of this step's graph; after backward() each grad is the whole "
                       "loss's gradient.")
        show_graph(root, rankdir="TB", max_nodes=GRAPH_NODES, focus=score,
                   show_grad=phase.name in ("zero_grad", "backward"), place=stage.place(0.6, SAMPLE_LINE),
                   key="mlp_sample_graph")
    else:
        if not presenting():
            st.caption(f"Sample {sample}'s forward pass and loss at step {view.step}'s weights, with the gradients "
                       "of a backward() from its loss alone.")
        show_graph(sample_loss_graph(view.model, X[sample - 1], y[sample - 1], run.settings.loss),
                   rankdir="TB", max_nodes=GRAPH_NODES, place=stage.place(0.6, SAMPLE_LINE), key="mlp_sample_graph")


def parameters(view: Snapshot, run: TrainingRun) -> None:
    table = pd.DataFrame([{"name": f"L{li}.N{ni}.{name}", "data": p.data, "grad": p.grad}
                          for li, layer in enumerate(view.model.layers, 1)
                          for ni, neuron in enumerate(layer.neurons, 1)
                          for name, p in [*((f"w{i}", w) for i, w in enumerate(neuron.w, 1)), ("b", neuron.b)]])
    optimiser = run.trajectory.optimiser_state(view.step)
    kept = optimiser.state_names  # what momentum or Adam keeps per parameter, beside data and grad
    for name in kept:
        table[name] = [s[name] for s in optimiser.state()]
    if not presenting():
        st.markdown("Every parameter with its **data** and its **grad** (all 0 before the first step)"
                    + (f", and what {optimiser.name} keeps for it: **{'** and **'.join(kept)}**:" if kept else ":"))
    st.dataframe(table, hide_index=True, height=int(stage.room() - STRIP) if presenting() else 360,
                 column_config={c: st.column_config.NumberColumn(format="%.4f") for c in ("data", "grad", *kept)})


def inside_view(run: TrainingRun, every: float | None, in_class: bool, sections) -> None:
    """The network, and one step phase by phase, each in its section, redrawn live while training (for a
    whole class, when asked)."""
    live = every * NETWORK_EVERY if every and not in_class else None

    @ticking(live)
    def network() -> None:
        view = run.snapshot()
        st.header("Inside the network")
        if every and in_class:
            # a class's pages share one server: the curve stays live, this view waits to be asked
            st.button("Show the network at this step", key="mlp_inside_refresh", icon=":material/refresh:",
                      help="With a whole class training on this server, this part is redrawn when asked "
                      "(or when you pause), so that everyone's loss curve stays live.")
        with st.container(key="mlp_network"):
            network_view(view)

    @ticking(live)
    def step() -> None:
        view = run.snapshot()
        on_stage = presenting() and stage.focus() == "step"
        if not on_stage:
            st.header("One sample, one step")
            phases(run)
        left, right = st.columns([2, 3])
        with right:
            sample_view(view, run)
        with left:
            if on_stage:  # beside the sample's graph, which keeps the whole height of the screen
                phases(run)
            parameters(view, run)

    with sections["network"]:
        network()
    with sections["step"]:
        step()


# --- the code ---

def code_tabs() -> None:
    st.header("The network as code: Neuron, Layer and MLP")
    tabs = st.tabs(["Neuron", "Layer", "MLP"])
    for tab, cls in zip(tabs, (nn.Neuron, nn.Layer, nn.MLP)):
        tab.code(source(cls), language="python", wrap_lines=True)


def the_code(run: TrainingRun) -> None:
    st.header("The code being run")
    st.markdown("Each Step (and each step of Train) runs `Trainer.step_phases` from `lessons/mlp/training.py`, "
                "the lecture's loop body (it pauses at each `yield` when you step phase by phase):")
    st.code("\n".join(textwrap.dedent(source(method))
                       for method in (Trainer.step_phases, Trainer.backward, Trainer.update)),
            language="python", wrap_lines=True)
    loss = DATA_LOSSES[run.settings.loss]
    # what the loss calls beyond itself: the demo's L2 term, or one sample's cross-entropy
    helper, joined = {"hinge": (l2_penalty, " plus"), "cross_entropy": (cross_entropy, ", with")}.get(
        run.settings.loss, (None, ""))
    st.markdown(f"and `self.loss` is `{loss.__name__}`" + (f"{joined} `{helper.__name__}`:" if helper else ":"))
    st.code(source(loss) + ("\n\n" + source(helper) if helper else ""), language="python", wrap_lines=True)
    st.download_button("Download the loss history (CSV)", history_csv(run.trajectory.reports(run.position)),
                       "mlp_loss_history.csv", mime="text/csv", on_click="ignore", icon=":material/download:",
                       key="mlp_csv")


# --- the same run in numpy ---

VALUE_STEPS = 3  # steps the Value engine is timed on again; the numpy run does every step
PARTED = 1e-9  # a relative difference in the loss above which the two runs are said to part


def _fastest(work, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _timed_steps(run: TrainingRun, steps: int) -> float:
    """Seconds the Value engine takes for the run's first steps, from the same start."""
    trainer = make_trainer(run.settings)
    start = time.perf_counter()
    trainer.steps(steps)
    return time.perf_counter() - start


def _compare(run: TrainingRun) -> dict:
    """The run so far again in numpy: left to run on its own, and step by step from the engine's weights."""
    trajectory, done = run.trajectory, run.position
    reports = trajectory.reports(done)
    losses = train_in_numpy(run.settings, done, reports)
    # per step, without the setting up (the initial model, the data): the fastest of three, on a shared machine
    setup = _fastest(lambda: train_in_numpy(run.settings, 0))
    numpy_time = max(_fastest(lambda: train_in_numpy(run.settings, done, reports)) - setup, 1e-9) / done
    timed = min(done, VALUE_STEPS)
    value_time = min(_timed_steps(run, timed) for _ in range(3)) / timed
    first = trajectory.state(0).step  # a run forked from another keeps its states from the fork on
    loss_gap, grad_gap = check_steps(run.settings, [trajectory.state(k) for k in range(first, done + 1)])
    values = np.array([r.loss for r in reports])
    apart = np.abs(np.subtract(losses, values)) / np.maximum(1.0, np.abs(values))
    parted = int(np.argmax(apart > PARTED)) + 1 if (apart > PARTED).any() else None
    return {"settings": run.settings, "steps": done, "checked": done - first, "loss_gap": loss_gap,
            "grad_gap": grad_gap, "numpy": numpy_time, "value": value_time, "losses": losses, "parted": parted,
            "free_gap": float(apart.max())}


def twin(run: TrainingRun) -> None:
    st.header("The same run in tensors")
    st.markdown("The lecture's overview says it early: *everything else is efficiency*. Below, the same training, "
                "from the same "
                "initial weights, on the same data, with the same learning rates, minibatches and optimiser, written "
                "with numpy matrices: a matrix product per layer forward, the chain rule by hand backward, and the "
                "optimiser's own lines updating a whole matrix at once.")
    done = run.position
    ready = done > 0 and not run.training and run.phase is None
    if st.button("Run it again in numpy", icon=":material/bolt:", key="mlp_twin", disabled=not ready):
        st.session_state.mlp_twin_result = _compare(run)
    if not ready:
        st.caption("Train (or Step), then pause: the numpy run repeats the steps taken so far.")
    result = st.session_state.get("mlp_twin_result")
    if result is not None and result["settings"] == run.settings and result["steps"] <= done:
        reports = run.trajectory.reports(result["steps"])
        a, b, c = st.columns(3)
        a.metric("steps redone", f"{result['steps']:,}")
        b.metric("largest difference, step by step", f"{max(result['loss_gap'], result['grad_gap']):.0e}",
                 help=f"Each of {result['checked']:,} steps redone in numpy from the engine's weights: the loss "
                 f"differs by at most {result['loss_gap']:.0e} and the gradients by {result['grad_gap']:.0e}, "
                 "relative to their size. Doubles keep about 16 digits.")
        c.metric("times faster per step", f"{result['value'] / result['numpy']:,.0f}×",
                 help=f"Value engine {1000 * result['value']:.2f} ms a step (timed on its first "
                 f"{min(result['steps'], VALUE_STEPS)} steps again), numpy {1000 * result['numpy']:.3f} ms.")
        steps = [r.step for r in reports]
        st.container(key="mlp_twin_chart").vega_lite_chart(
            None, loss_chart(steps, [r.loss for r in reports], "Value engine", [("numpy", steps, result["losses"])]))
        numbers_behind("mlp_twin", "The loss at each step redone: the Value engine's run beside the numpy run left "
                       "to run on its own.",
                       lambda: pd.DataFrame({"step": steps, "Value engine": [r.loss for r in reports],
                                             "numpy": result["losses"]}))
        if result["parted"] is None:
            st.caption(f"The numpy run, left to run on its own (faded), lies on the Value engine's curve: at most "
                       f"{result['free_gap']:.0e} apart. The same arithmetic, a whole layer at a time instead of "
                       "one Value at a time.")
        else:
            st.caption(f"Redone step by step, the two agree to the last digits. Left to run on its own (faded), "
                       f"the numpy run parts from the engine's at step {result['parted']}: this training is "
                       "chaotic (its loss jumps about), and a matrix product adds a neuron's inputs in another "
                       "order, so the last digit differs, and such a difference grows from step to step.")
    with st.expander("The numpy code (this is the code that ran)"):
        st.code("\n\n".join(source(f) for f in (loss_and_grads, train_in_numpy, Tensor)), language="python",
                wrap_lines=True)
