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
    input_size,
    layer_sizes,
    parameter_count,
)
from lessons.mlp.training import LOSSES

from ... import stage
from ...state import Choice, Number, Setting, Slider, Toggle

D = RunSettings()  # the lecture's setup: every setting's default
DATASET_LABELS = {TINY: "lecture's 4 samples", "moons": "moons", "circles": "circles", "xor": "xor", "spiral": "spiral",
                  CUSTOM: "your own points"}
LOSS_NAMES = {"squared_error": "squared error", "hinge": "hinge + L2"}
PACE_LABELS = {"slow": "1 a second", "1": "4 a second", "10": "40 a second", "max": "as fast as it goes"}
INIT_LABELS = {"random": "random (the lecture's)", "zeros": "every weight 0", "constant": "every weight 0.5"}
SPLIT_LABELS = {f: ("none" if not f else f"{f:.0%} held out") for f in TEST_FRACTIONS}


class Points(Setting):
    """The class's own points, (x1, x2, label) each: in the link while there are few enough of them."""

    def parse(self, raw: str) -> tuple:
        return tuple(from_link(raw))

    def to_url(self, value: Any) -> str | None:
        return to_link(value)  # None: too many for a link (the page says so)


SETTINGS: list[Setting] = [
    Choice("mlp_dataset", "dataset", D.dataset, options=DATASET_NAMES, labels=DATASET_LABELS, field="dataset"),
    Slider("mlp_points", "points", D.n_points, MIN_POINTS, MAX_POINTS, step=10, field="n_points"),
    Slider("mlp_noise", "noise", D.noise, 0.0, 0.5, step=0.05, field="noise"),
    Number("mlp_data_seed", "data seed", D.data_seed, 0, 999, field="data_seed"),
    Choice("mlp_split", "test data", D.test_fraction, options=TEST_FRACTIONS, labels=SPLIT_LABELS,
           tokens={f: f"{f:g}" for f in TEST_FRACTIONS}, field="test_fraction",
           help="Hold some of the 2-D points out of training, and watch the loss on them beside the training loss."),
    Number("mlp_layers", "hidden layers", D.layers, 1, MAX_HIDDEN_LAYERS, field="layers"),
    Number("mlp_neurons", "neurons per layer", D.neurons, 1, MAX_NEURONS, field="neurons"),
    Choice("mlp_activation", "activation", D.activation, options=HIDDEN_ACTIVATIONS, field="activation",
           help="tanh throughout, as in the lecture; relu in the hidden layers with a linear output, as in "
           "micrograd's demo."),
    Number("mlp_seed", "model seed", D.model_seed, 0, 999, field="model_seed"),
    Choice("mlp_init", "initial weights", D.init, options=INITS, labels=INIT_LABELS, field="init",
           help="Every weight equal: the neurons of a layer start as the same function, get the same gradients, "
           "and stay the same however long they train."),
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
    Points("mlp_data", "your points", D.points, field="points"),
]
BY_FIELD = {s.field: s for s in SETTINGS}
PACE = Choice("mlp_pace", "pace (steps)", "10", options=tuple(PACES), labels=PACE_LABELS, kind="select_slider",
              help="Slow enough to narrate at 1 a second; as fast as the server allows at the end.")
SAMPLE = Number("mlp_sample", "sample", 1, 1, MAX_POINTS)


def read_settings() -> RunSettings:
    return RunSettings(**{s.field: s.value for s in SETTINGS})


def load_preset(name: str) -> None:
    if name in PRESETS:
        st.session_state.update({s.key: getattr(PRESETS[name], s.field) for s in SETTINGS})


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
    for name in ("lr", "loss", "forget_zero_grad", "batch_size", "lr_decay"):
        BY_FIELD[name].widget()
    PACE.widget()
