"""The MLP page's settings, each declared once with the field of `RunSettings` it stands for, and their controls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from lessons.mlp.controller import PACES
from lessons.mlp.points import from_link, to_link
from lessons.mlp.settings import (
    BATCH_SIZES,
    CUSTOM,
    DATASET_NAMES,
    HIDDEN_ACTIVATIONS,
    INITS,
    LEARNING_RATES,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    MAX_POINTS,
    MIN_POINTS,
    PRESETS,
    TEST_FRACTIONS,
    TINY,
    RunSettings,
    fitting_loss,
    input_size,
    layer_sizes,
    link_key,
    losses_for,
    parameter_count,
)
from lessons.mlp.training import LOSSES
from lessons.optimisers import OPTIMISERS

from ... import stage
from ...state import Choice, Number, Setting, Slider, Toggle

D = RunSettings()  # every setting's default (the page opens on them; the "Lecture" preset is written out)
DATASET_LABELS = {TINY: "lecture's 4 samples", "moons": "moons", "circles": "circles", "xor": "xor", "spiral": "spiral",
                  "spiral3": "three spirals (3 classes)", CUSTOM: "your own points"}
LOSS_NAMES = {"squared_error": "squared error", "hinge": "hinge + L2", "cross_entropy": "cross-entropy"}
THREE_CLASS_LOSS = ("Three classes: the network gives a score per class, softmax turns them into probabilities, "
                    "and the loss is −log of the true class's (the More than two classes page builds it).")
PACE_LABELS = {"slow": "1 a second", "steady": "4 a second", "fast": "40 a second", "max": "as fast as it goes"}
INIT_LABELS = {"random": "random (the lecture's)", "zeros": "every weight 0", "constant": "every weight 0.5"}
SPLIT_LABELS = {f: ("none" if not f else f"{f:.0%} held out") for f in TEST_FRACTIONS}


class Points(Setting):
    """The class's own points, (x1, x2, label) each: in the link while there are few enough of them."""

    def parse(self, raw: str) -> tuple:
        return tuple(from_link(raw))

    def to_url(self, value: Any) -> str | None:
        return to_link(value)  # None: too many for a link (the page says so)


def _run(setting: type[Setting], field: str, label: str, *, was: str | None = None, **options: Any) -> Setting:
    """A setting of `RunSettings`: its link name is the field's (mlp_<field>), its default the field's default.

    `was`: its name in links written before the names were made the fields' (they keep opening the same run).
    """
    aliases = (was,) if was else ()
    return setting(link_key(field), label, getattr(D, field), stands_for=field, aliases=aliases, **options)


SETTINGS: list[Setting] = [
    _run(Choice, "dataset", "dataset", options=DATASET_NAMES, labels=DATASET_LABELS),
    _run(Slider, "n_points", "points", lo=MIN_POINTS, hi=MAX_POINTS, step=10, was="mlp_points"),
    _run(Slider, "noise", "noise", lo=0.0, hi=0.5, step=0.05),
    _run(Number, "data_seed", "data seed", lo=0, hi=999),
    _run(Choice, "test_fraction", "test data", options=TEST_FRACTIONS, labels=SPLIT_LABELS,
         tokens={f: f"{f:g}" for f in TEST_FRACTIONS}, was="mlp_split",
         help="Hold some of the 2-D points out of training, and watch the loss on them beside the training loss."),
    _run(Number, "layers", "hidden layers", lo=1, hi=MAX_HIDDEN_LAYERS),
    _run(Number, "neurons", "neurons per layer", lo=1, hi=MAX_NEURONS),
    _run(Choice, "activation", "activation", options=HIDDEN_ACTIVATIONS,
         help="tanh throughout, as in the lecture; relu in the hidden layers with a linear output, as in "
         "micrograd's demo."),
    _run(Number, "model_seed", "model seed", lo=0, hi=999, was="mlp_seed"),
    _run(Choice, "init", "initial weights", options=INITS, labels=INIT_LABELS,
         help="Every weight equal: the neurons of a layer start as the same function, get the same gradients, "
         "and stay the same however long they train."),
    _run(Choice, "loss", "loss", options=LOSSES, labels=LOSS_NAMES),
    _run(Choice, "lr", "learning rate", options=LEARNING_RATES, tokens={lr: f"{lr:g}" for lr in LEARNING_RATES},
         kind="select_slider"),
    _run(Toggle, "lr_decay", "lr decay", was="mlp_decay",
         help="micrograd demo's schedule: step k uses lr × (1 − 0.9 (k − 1) / 100), at least lr × 0.1."),
    _run(Choice, "batch_size", "batch size", options=BATCH_SIZES, tokens={None: "all"}, kind="select_slider",
         was="mlp_batch"),
    _run(Toggle, "forget_zero_grad", "forget zero_grad", was="mlp_no_zero_grad",
         help="The lecture's bug. Without zero_grad, backward() adds to the old gradients: "
         "each step moves by the sum of all the gradients so far."),
    _run(Points, "own_points", "your points", was="mlp_data"),
    _run(Choice, "optimizer", "optimiser", options=tuple(OPTIMISERS),
         help="After the lecture: momentum keeps a velocity per weight, Adam running averages of each gradient "
         "and of its square (the Loss landscape page draws their paths). Another optimiser starts a new run; "
         "the table of parameters shows what it keeps."),
]
BY_FIELD = {s.stands_for: s for s in SETTINGS}
PACE = Choice("mlp_pace", "pace (steps)", "fast", options=tuple(PACES), labels=PACE_LABELS, kind="select_slider",
              was={"1": "steady", "10": "fast"},  # older links named a pace by its steps in a quarter second
              help="Slow enough to narrate at 1 a second; as fast as the server allows at the end.")
SAMPLE = Number("mlp_sample", "sample", 1, 1, MAX_POINTS)
# where the steps are computed: the same numbers either way (the browser runs this project's own files)
WHERE = Choice("mlp_where", "where it trains", "server", options=("server", "browser"), kind="segmented",
               labels={"server": "on the server", "browser": "in this browser"},
               help="In this browser: your device runs the steps (Python loaded into the page, about 6 MB the first "
               "time), so a class of students on runs of their own does not wait for one server. The same numbers "
               "either way. Runs on minibatches train on the server.")


def read_settings() -> RunSettings:
    """The run the page's settings describe, with a loss its data can train with (`fit_loss` says when it changed)."""
    return fitting_loss(RunSettings(**{s.stands_for: s.value for s in SETTINGS}))


def fit_loss() -> str | None:
    """Set the loss box to a loss the data can train with, before it is drawn; why, when it had another."""
    setting = BY_FIELD["loss"]
    allowed = losses_for(read_settings())
    if setting.value in allowed:
        return None
    was = setting.value
    st.session_state[setting.key] = allowed[0]
    if was == "cross_entropy":
        return "Cross-entropy needs a score per class, for data of more than two classes: this data has two."
    return (f"{LOSS_NAMES.get(was, was)} needs one score and classes ±1: three classes take a score each and "
            "cross-entropy.")


def preset_key(shown: str) -> str:
    """The key of the preset box while it shows `shown` (the box is drawn anew for each preset it shows)."""
    return f"mlp_preset_{shown}"


def load_preset(name: str) -> None:
    if name in PRESETS:
        st.session_state.update({s.key: getattr(PRESETS[name], s.stands_for) for s in SETTINGS})


def controls(data_tools: Callable[[], None] = lambda: None) -> None:
    """Every setting of the run, where they are drawn (the sidebar, or the stage's Settings popover).

    `data_tools` draws the class's own data tools (load, save) under the data settings.
    """
    st.subheader("Data")
    BY_FIELD["dataset"].widget()
    dataset = BY_FIELD["dataset"].value
    generated = dataset not in (TINY, CUSTOM)
    BY_FIELD["n_points"].widget(disabled=not generated)
    a, b = st.columns(2)
    BY_FIELD["noise"].widget(a, disabled=not generated)
    BY_FIELD["data_seed"].widget(b, disabled=dataset == TINY)
    BY_FIELD["test_fraction"].widget(disabled=dataset == TINY)
    data_tools()
    st.subheader("Model")
    a, b = st.columns(2)
    BY_FIELD["layers"].widget(a)
    BY_FIELD["neurons"].widget(b)
    a, b = st.columns(2)
    BY_FIELD["activation"].widget(a)
    BY_FIELD["model_seed"].widget(b)
    BY_FIELD["init"].widget()
    settings = read_settings()
    nin, nouts = input_size(settings.dataset), layer_sizes(settings)
    if stage.hidden("parameter_count"):
        st.markdown(f"`MLP({nin}, {nouts})`: its parameters are counted once the answers are revealed")
    else:
        st.markdown(f"`MLP({nin}, {nouts})`: **{parameter_count(nin, nouts):,} parameters**")
    st.caption(f"Limits: {MAX_HIDDEN_LAYERS} hidden layers, {MAX_NEURONS} neurons each, {MAX_POINTS} points, "
               "so that one session stays well inside a small server's memory.")
    st.subheader("Training")
    BY_FIELD["lr"].widget()
    changed = fit_loss()
    allowed = losses_for(read_settings())
    BY_FIELD["loss"].widget(options=allowed, help=None if len(allowed) > 1 else THREE_CLASS_LOSS)
    if changed:
        st.caption(changed)
    for name in ("optimizer", "forget_zero_grad", "batch_size", "lr_decay"):
        BY_FIELD[name].widget()
    PACE.widget()
    WHERE.widget()
