"""Neuron: o = tanh(x1·w1 + x2·w2 + b) backpropagated by hand, by backward() and in PyTorch (lecture 00:50-01:39)."""

import inspect

import pandas as pd
import streamlit as st

from micrograd_core.neuron import (
    INPUTS,
    LECTURE_VALUES,
    _torch_forward_backward,
    build_neuron,
    manual_backprop,
    micrograd_neuron,
    torch_neuron,
)
from ui import Param, detail_visible, init_state, page_frame
from ui.graph_view import show_graph
from ui.neuron_figures import tanh_chart

RANGES = {"x1": (-4.0, 4.0), "x2": (-4.0, 4.0), "w1": (-4.0, 4.0), "w2": (-4.0, 4.0), "b": (-10.0, 10.0)}
LAYOUTS = {"TB": "top to bottom", "LR": "left to right (as in the lecture)"}
PARAMS = [Param(f"neuron_{k}", LECTURE_VALUES[k], *RANGES[k]) for k in INPUTS] + [
    Param("neuron_exp", False),
    Param("neuron_layout", "TB", choices=tuple(LAYOUTS)),
]
QUIZ_TARGETS = ("w1", "w2", "b", "x1", "x2")

page_frame("pages/neuron.py", PARAMS)
init_state({"neuron_quiz_result": None, "neuron_quiz": False})
st.title("A neuron: o = tanh(x1·w1 + x2·w2 + b)")


def copy_value(source: str, target: str) -> None:
    """Carry a typed exact value over to its slider, which the page reads."""
    st.session_state[target] = st.session_state[source]


def lecture_values() -> None:
    for name in INPUTS:
        st.session_state[f"neuron_{name}"] = LECTURE_VALUES[name]


def inputs_panel() -> dict[str, float]:
    for name in INPUTS:
        key = f"neuron_{name}"
        lo, hi = RANGES[name]
        slider_col, exact_col = st.columns([3, 2]) if detail_visible() else (st.container(), None)
        slider_col.slider(name, lo, hi, step=0.01, key=key)
        if exact_col is not None:
            st.session_state[f"{key}_exact"] = st.session_state[key]  # the slider is the source of truth
            exact_col.number_input(f"{name} exactly", lo, hi, key=f"{key}_exact", format="%.10g",
                                   on_change=copy_value, args=(f"{key}_exact", key))
    st.toggle("Build tanh from exp: (e²ⁿ − 1) / (e²ⁿ + 1)", key="neuron_exp")
    st.button("Lecture's values", icon=":material/restart_alt:", on_click=lecture_values)
    return {name: st.session_state[f"neuron_{name}"] for name in INPUTS}


def key_numbers(n: float, o: float) -> None:
    a, b, c = st.columns(3)
    a.metric("n = x1·w1 + x2·w2 + b", f"{n:.4f}")
    b.metric("o = tanh(n)", f"{o:.4f}")
    c.metric("do/dn = 1 − o²", "?" if st.session_state.neuron_quiz else f"{1 - o**2:.4f}")
    if abs(o) > 0.99:
        st.warning(
            f"Saturated: o = {o:.4f} is close to ±1, so the slope 1 − o² = {1 - o**2:.2e} is almost 0. "
            "Every gradient flowing back through tanh is multiplied by it: the weights barely learn here."
        )


def by_hand(values: dict[str, float]) -> None:
    st.header("Backprop by hand, then by backward()")
    o, nodes = build_neuron(values)
    o.backward()
    rows = [
        {"gradient of": line.name, "chain rule": line.rule, "with numbers": line.numbers, "by hand": line.grad,
         "backward()": nodes[line.name].grad}
        for line in manual_backprop(values)
    ]
    st.table(pd.DataFrame(rows).style.format(precision=4, subset=["by hand", "backward()"]))
    st.caption("A + node hands its gradient to both inputs unchanged; a * node hands each input the *other* input's "
               "value times its gradient; tanh multiplies by its local slope 1 − o².")


def from_exp(values: dict[str, float]) -> None:
    st.header("tanh as one operation, or built from exp")
    one, composed = micrograd_neuron(values), micrograd_neuron(values, tanh_from_exp=True)
    table = pd.DataFrame({"tanh as one op": one, "tanh from exp, −, +, /": composed})
    table["difference"] = table.iloc[:, 0] - table.iloc[:, 1]
    st.table(table.style.format("{:.10g}"))
    st.caption("Any function whose local derivative we know can be a node; composing simpler ones gives the same "
               "output and gradients. Switch the toggle above to see the longer graph.")


def pytorch(values: dict[str, float]) -> None:
    st.header("The same neuron in PyTorch")
    left, right = st.columns(2)
    left.markdown("**micrograd_core**")
    ours_code = inspect.getsource(build_neuron) + "\no, nodes = build_neuron(values)\no.backward()"
    left.code(ours_code, language="python", wrap_lines=True)
    right.markdown("**PyTorch** (double precision, like Python floats)")
    right.code("import torch\n\n" + inspect.getsource(_torch_forward_backward), language="python", wrap_lines=True)
    ours, theirs = micrograd_neuron(values), torch_neuron(values)
    if theirs is None:
        st.info(
            "PyTorch is not installed here, so only micrograd_core's numbers are shown. To compare live, install it "
            "next to the app (`pip install torch`); the app does not need it.", icon=":material/info:"
        )
        st.table(pd.DataFrame({"micrograd_core": ours}).style.format("{:.10g}"))
        return
    table = pd.DataFrame({"micrograd_core": ours, "PyTorch": theirs})
    table["difference"] = table["micrograd_core"] - table["PyTorch"]
    st.table(table.style.format("{:.10g}"))
    worst = table["difference"].abs().max()
    if worst <= 1e-6:
        st.success(f"micrograd_core and PyTorch agree: largest difference {worst:.1e} (≤ 1e-6).")
    else:
        st.error(f"micrograd_core and PyTorch differ by up to {worst:.3g}.")


def check_quiz(values: dict[str, float]) -> None:
    target, answer = st.session_state.neuron_quiz_target, st.session_state.neuron_quiz_answer
    grad = micrograd_neuron(values, st.session_state.neuron_exp)[target]
    st.session_state.neuron_quiz_result = {"target": target, "answer": answer, "grad": grad, "values": dict(values)}


def quiz(values: dict[str, float]) -> None:
    st.header("Quiz: your turn")
    st.toggle("Hide the gradients and quiz me", key="neuron_quiz")
    if not st.session_state.neuron_quiz:
        return
    cols = st.columns([1, 1, 1])
    cols[0].selectbox("Gradient of o with respect to", QUIZ_TARGETS, key="neuron_quiz_target")
    cols[1].number_input("Your answer", key="neuron_quiz_answer", format="%.4f", step=0.1)
    cols[2].button("Check", on_click=check_quiz, args=(values,), icon=":material/check:")
    result = st.session_state.neuron_quiz_result
    if not result or result["target"] != st.session_state.neuron_quiz_target or result["values"] != values:
        return
    line = next(ln for ln in manual_backprop(values) if ln.name == result["target"])
    why = f"do/d{line.name} = {line.rule} = {line.numbers} = {line.grad:.4f}"
    if abs(result["answer"] - result["grad"]) <= 1e-3:
        st.success(f"Right: {result['grad']:.4f}. {why}.")
    else:
        st.error(f"Not quite: you said {result['answer']:.4f}, the gradient is {result['grad']:.4f}. {why}.")


left, right = st.columns([1, 1])
with left:
    values = inputs_panel()
    o, nodes = build_neuron(values, st.session_state.neuron_exp)
    o.backward()
    key_numbers(nodes["n"].data, o.data)
with right:
    if detail_visible():
        st.radio("Graph layout", tuple(LAYOUTS), format_func=LAYOUTS.get, key="neuron_layout", horizontal=True)
    show_graph(o, rankdir=st.session_state.neuron_layout, show_grad=not st.session_state.neuron_quiz)
st.plotly_chart(tanh_chart(nodes["n"].data, o.data), key="neuron_tanh")
quiz(values)
if st.session_state.neuron_quiz:
    st.info("The other gradients on this page are hidden while the quiz is on.", icon=":material/visibility_off:")
else:
    by_hand(values)
    from_exp(values)
    pytorch(values)
