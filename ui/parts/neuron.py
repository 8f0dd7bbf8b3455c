"""The Neuron page's comparisons: tanh as one operation or from exp, and the same neuron in PyTorch."""

from __future__ import annotations

import threading

import pandas as pd
import streamlit as st

from lessons.neuron import (
    LECTURE_VALUES,
    micrograd_forward_backward,
    micrograd_neuron,
    recorded_torch,
    runnable_source,
    torch_available,
    torch_forward_backward,
    torch_neuron,
)
from ui import stage
from ui.mode import presenting
from ui.ticking import ticking


def comparison(columns: dict[str, dict[str, float]]) -> float | None:
    """A table of results side by side (as the user sees them) and, for two columns, their largest difference."""
    table = pd.DataFrame(columns)
    worst = None
    if len(columns) == 2:
        first, second = (table[c] for c in columns)
        table["difference"] = (first - second).map("{:.1e}".format)
        worst = float((first - second).abs().max())
    for name in columns:
        table[name] = table[name].map("{:.10g}".format)
    st.table(table.rename_axis("value").reset_index(), hide_index=True)
    return worst


def from_exp(values: dict[str, float], hidden: bool = False) -> None:
    st.header("tanh as one operation, or built from exp")
    if hidden:
        stage.hidden_box("the two ways' outputs and gradients, side by side")
        return
    comparison({"tanh as one op": micrograd_neuron(values), "tanh from exp, −, +, /": micrograd_neuron(values, True)})
    st.caption("Any function whose local derivative we know can be a node; composing simpler ones gives the same "
               "output and gradients, up to rounding. Switch the toggle above to see the longer graph.")


@st.cache_resource
def torch_loading() -> threading.Thread:
    """PyTorch imported in the background, once per server: importing it takes two seconds, and the page
    would otherwise wait for it before drawing its first graph."""
    loading = threading.Thread(target=torch_neuron, args=(LECTURE_VALUES,), name="import-torch", daemon=True)
    loading.start()
    return loading


def pytorch(values: dict[str, float]) -> None:
    st.header("The same neuron in PyTorch")
    results = st.container()  # on the stage the numbers first: the code is one scroll below
    left, right = st.columns(2)
    left.markdown("**micrograd_core**: the code that computed these numbers")
    height = int(max(180, stage.room() - 560)) if presenting() else None  # under the numbers, on the stage
    left.code(runnable_source(micrograd_forward_backward, values, "from micrograd_core.engine import Value"),
              wrap_lines=True, height=height)
    right.markdown("**PyTorch**: float64 tensors with `requires_grad=True`, then `backward()`")
    right.code(runnable_source(torch_forward_backward, values), wrap_lines=True, height=height)
    loading = torch_available() and torch_loading().is_alive()

    @ticking(0.5 if loading else None)
    def results_fragment() -> None:
        if torch_loading().is_alive():
            st.caption("Loading PyTorch to compare (it takes a couple of seconds, once)…")
            return
        if loading:
            st.rerun()  # loaded: a full run draws the comparison and stops this timer
        compare(values)

    with results if presenting() else st.container():
        if torch_available():
            results_fragment()
        else:
            compare(values)


def compare(values: dict[str, float]) -> None:
    ours, theirs = micrograd_forward_backward(values), torch_neuron(values)
    if theirs is None:
        recorded = recorded_torch(values)
        if recorded is None:
            st.info("PyTorch is not installed on this server, and it was recorded for the lecture's values and the "
                    "tour's neuron scenes only: press Lecture's values to compare with it, or install it next to "
                    "the app (`pip install torch`) to compare any values live. The app itself does not need it.",
                    icon=":material/info:")
            comparison({"micrograd_core": ours})
            return
        st.caption(f"PyTorch is not installed on this server: its column is PyTorch {recorded.torch} running the "
                   f"code above on these very inputs, recorded on {recorded.recorded} by scripts/record_pytorch.py "
                   "(a test recomputes it wherever PyTorch is installed). micrograd_core's column is computed now.")
        theirs, name = recorded.results, f"PyTorch {recorded.torch} (recorded)"
    else:
        name = "PyTorch"
    worst = comparison({"micrograd_core": ours, name: theirs})
    if worst <= 1e-6:
        st.success(f"micrograd_core and PyTorch agree: largest difference {worst:.1e} (≤ 1e-6).",
                   icon=":material/check_circle:")
    else:
        st.error(f"micrograd_core and PyTorch differ by up to {worst:.3g}.", icon=":material/error:")
