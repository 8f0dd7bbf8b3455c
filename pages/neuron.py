"""Neuron: o = tanh(x1·w1 + x2·w2 + b) backpropagated by hand, by backward() and in PyTorch (lecture 00:50-01:39)."""

import pandas as pd
import streamlit as st

from lessons.neuron import (
    INPUTS,
    LECTURE_VALUES,
    build_neuron,
    chain_to,
    manual_backprop,
    micrograd_forward_backward,
    micrograd_neuron,
    runnable_source,
    torch_forward_backward,
    torch_neuron,
)
from ui import Param, detail_visible, init_state, page_frame
from ui.graph_view import show_graph
from ui.neuron_figures import tanh_chart

RANGES = {"x1": (-4.0, 4.0), "x2": (-4.0, 4.0), "w1": (-4.0, 4.0), "w2": (-4.0, 4.0), "b": (-10.0, 10.0)}
LAYOUTS = {"TB": "top to bottom", "LR": "left to right (as in the lecture; wide)"}
PARAMS = [Param(f"neuron_{k}", LECTURE_VALUES[k], *RANGES[k]) for k in INPUTS] + [
    Param("neuron_exp", False),
    Param("neuron_layout", "TB", choices=tuple(LAYOUTS)),
]
QUIZ_TARGETS = ("w1", "w2", "b", "x1", "x2")

page_frame("pages/neuron.py", PARAMS)
init_state({"neuron_quiz_result": None})
st.title("A neuron: o = tanh(x1·w1 + x2·w2 + b)")


def md(text: str) -> str:
    """Keep the `*` in names like x1*w1 literal where Streamlit renders Markdown (table cells)."""
    return text.replace("*", r"\*")


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
        slider_col, exact_col = st.columns([1, 1], vertical_alignment="bottom") if detail_visible() else (st, None)
        slider_col.slider(name, lo, hi, step=0.01, key=key)
        if exact_col is not None:
            st.session_state[f"{key}_exact"] = st.session_state[key]  # the slider is the source of truth
            exact_col.number_input(f"{name} exactly", lo, hi, key=f"{key}_exact", format="%.16g",
                                   on_change=copy_value, args=(f"{key}_exact", key))
    st.toggle("Build tanh from exp: o = (e²ⁿ − 1) / (e²ⁿ + 1)", key="neuron_exp")
    st.button("Lecture's values", icon=":material/restart_alt:", on_click=lecture_values)
    return {name: st.session_state[f"neuron_{name}"] for name in INPUTS}


def key_numbers(n: float, o: float, quiz_on: bool) -> None:
    a, b, c = st.columns(3)
    a.metric("n = x1·w1 + x2·w2 + b", f"{n:.4f}")
    b.metric("o = tanh(n)", f"{o:.4f}")
    c.metric("do/dn = 1 − o²", "?" if quiz_on else f"{1 - o**2:.4f}")
    if abs(o) > 0.99:
        st.warning(
            f"Saturated: o = {o:.4f} is close to ±1, so the slope 1 − o² = {1 - o**2:.2e} is almost 0. "
            "Every gradient flowing back through tanh is multiplied by it: the weights barely learn here.",
            icon=":material/warning:",
        )


def by_hand(values: dict[str, float], nodes: dict) -> None:
    st.header("Backprop by hand, then by backward()")
    st.caption("From the output back: o.grad = 1, then tanh's local slope, then the chain rule through + and ·.")
    rows = [
        {"gradient of": md(line.name), "chain rule": md(line.rule), "with numbers": line.numbers,
         "by hand": f"{line.grad:.4f}", "backward()": f"{nodes[line.name].grad:.4f}"}
        for line in manual_backprop(values)
    ]
    st.table(pd.DataFrame(rows), hide_index=True)
    st.caption("A + node hands its gradient to both inputs unchanged; a * node hands each input the *other* input's "
               "value times its gradient; tanh multiplies by its local slope 1 − o².")


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


def from_exp(values: dict[str, float]) -> None:
    st.header("tanh as one operation, or built from exp")
    comparison({"tanh as one op": micrograd_neuron(values), "tanh from exp, −, +, /": micrograd_neuron(values, True)})
    st.caption("Any function whose local derivative we know can be a node; composing simpler ones gives the same "
               "output and gradients, up to rounding. Switch the toggle above to see the longer graph.")


def pytorch(values: dict[str, float]) -> None:
    st.header("The same neuron in PyTorch")
    left, right = st.columns(2)
    left.markdown("**micrograd_core**: the code that computed the numbers below")
    left.code(runnable_source(micrograd_forward_backward, values, "from micrograd_core.engine import Value"),
              wrap_lines=True)
    right.markdown("**PyTorch**: float64 tensors with `requires_grad=True`, then `backward()`")
    right.code(runnable_source(torch_forward_backward, values), wrap_lines=True)
    ours, theirs = micrograd_forward_backward(values), torch_neuron(values)
    if theirs is None:
        st.info("PyTorch is not installed here, so only micrograd_core's numbers are shown. To compare live, install "
                "it next to the app with `pip install torch` and restart; the app itself does not need it.",
                icon=":material/info:")
        comparison({"micrograd_core": ours})
        return
    worst = comparison({"micrograd_core": ours, "PyTorch": theirs})
    if worst <= 1e-6:
        st.success(f"micrograd_core and PyTorch agree: largest difference {worst:.1e} (≤ 1e-6).",
                   icon=":material/check_circle:")
    else:
        st.error(f"micrograd_core and PyTorch differ by up to {worst:.3g}.", icon=":material/error:")


def check_quiz(values: dict[str, float]) -> None:
    target, answer = st.session_state.neuron_quiz_target, st.session_state.neuron_quiz_answer
    grad = micrograd_neuron(values, st.session_state.neuron_exp)[target]
    st.session_state.neuron_quiz_result = {"target": target, "answer": answer, "grad": grad, "values": dict(values)}


def reveal() -> None:
    st.session_state.neuron_quiz = False


def quiz(values: dict[str, float]) -> None:
    st.header("Quiz: your turn")
    st.toggle("Hide the gradients and quiz me", key="neuron_quiz")
    if not st.session_state.neuron_quiz:
        return
    st.caption("The graph shows every value but no gradient. Use the chain rule, from o back to the highlighted node.")
    cols = st.columns(4, vertical_alignment="bottom")
    cols[0].selectbox("Gradient of o with respect to", QUIZ_TARGETS, key="neuron_quiz_target")
    cols[1].number_input("Your answer", key="neuron_quiz_answer", format="%.4f", step=0.1)
    cols[2].button("Check", on_click=check_quiz, args=(values,), icon=":material/check:")
    cols[3].button("Reveal the gradients", on_click=reveal, icon=":material/visibility:")
    result = st.session_state.neuron_quiz_result
    if not result or result["target"] != st.session_state.neuron_quiz_target or result["values"] != values:
        return
    why = "\n".join(f"- `{line.statement}`" for line in chain_to(values, result["target"]))
    if abs(result["answer"] - result["grad"]) <= 1e-3:
        st.success(f"Right: do/d{result['target']} = {result['grad']:.4f}.\n\n{why}", icon=":material/check_circle:")
    else:
        st.error(f"Not quite: you said {result['answer']:.4f}, but do/d{result['target']} = {result['grad']:.4f}. "
                 f"Multiply the local slopes along the path from o:\n\n{why}", icon=":material/cancel:")


def graph(o, nodes: dict, quiz_on: bool) -> None:
    if detail_visible():
        st.radio("Graph layout", tuple(LAYOUTS), format_func=LAYOUTS.get, key="neuron_layout", horizontal=True)
    target = [nodes[st.session_state.get("neuron_quiz_target", QUIZ_TARGETS[0])]] if quiz_on else []
    show_graph(o, rankdir=st.session_state.neuron_layout, show_grad=not quiz_on, highlight=target)


quiz_on = st.session_state.get("neuron_quiz", False)
wide_graph = st.container()  # left to right, the graph needs the whole width
left, right = st.columns([1, 1], gap="large")
with left:
    values = inputs_panel()
    o, nodes = build_neuron(values, st.session_state.neuron_exp)
    o.backward()
    key_numbers(nodes["n"].data, o.data, quiz_on)
    st.plotly_chart(tanh_chart(nodes["n"].data, o.data, hide_slope=quiz_on), key="neuron_tanh")
with wide_graph if st.session_state.neuron_layout == "LR" else right:
    graph(o, nodes, quiz_on)
quiz(values)
if quiz_on:
    st.info("The other gradients on this page are hidden while the quiz is on.", icon=":material/visibility_off:")
else:
    by_hand(values, nodes)
    from_exp(values)
    pytorch(values)
