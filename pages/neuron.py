"""Neuron: o = tanh(x1·w1 + x2·w2 + b) backpropagated by hand, by backward() and in PyTorch."""

import pandas as pd
import streamlit as st

from lessons.neuron import (
    INPUTS,
    LECTURE_VALUES,
    build_neuron,
    chain_to,
    manual_backprop,
    micrograd_neuron,
    tanh_and_slope,
)
from ui import Choice, Slider, Toggle, page_frame, presenting, stage
from ui.chart_text import numbers_behind
from ui.formula_input import exact_input
from ui.graph_view import layout_setting, show_graph
from ui.neuron_figures import tanh_chart
from ui.neuron_picture import neuron_svg
from ui.parts import neuron as parts
from ui.quiz import answer_box, show_verdict
from ui.text import code, literal

RANGES = {"x1": (-4.0, 4.0), "x2": (-4.0, 4.0), "w1": (-4.0, 4.0), "w2": (-4.0, 4.0), "b": (-10.0, 10.0)}
SLIDERS = {k: Slider(f"neuron_{k}", k, LECTURE_VALUES[k], *RANGES[k], step=0.01) for k in INPUTS}
EXP = Toggle("neuron_exp", "Build tanh from exp: o = (e²ⁿ − 1) / (e²ⁿ + 1)", False)
LAYOUT = layout_setting("neuron_layout")
QUIZ = Toggle("neuron_quiz", "Hide the gradients and quiz me", False)
TARGET = Choice("neuron_quiz_target", "Gradient of o with respect to", "w1", options=("w1", "w2", "b", "x1", "x2"))

page_frame("pages/neuron.py", [*SLIDERS.values(), EXP, LAYOUT, QUIZ, TARGET])
st.title("A neuron: o = tanh(x1·w1 + x2·w2 + b)")


def lecture_values() -> None:
    for name, slider in SLIDERS.items():
        st.session_state[slider.key] = LECTURE_VALUES[name]


def inputs_panel(columns: int) -> dict[str, float]:
    """The five sliders (with exact boxes off the stage), `columns` to a row; the exp toggle; the lecture's values."""
    cols = st.columns(columns)
    for i, slider in enumerate(SLIDERS.values()):
        with cols[i % columns]:
            if not presenting():
                left, right = st.columns([1, 1], vertical_alignment="bottom")
                slider.widget(left)
                with right:
                    exact_input(f"{slider.label} exactly", slider)
            else:
                slider.widget()
    with st.container(horizontal=True, vertical_alignment="center"):
        EXP.widget()
        st.button("Lecture's values", icon=":material/restart_alt:", on_click=lecture_values)
    return {name: slider.value for name, slider in SLIDERS.items()}


def key_numbers(n: float, o: float) -> bool:
    """The three numbers of the forward pass; True when a warning of saturation follows them."""
    a, b, c = st.columns(3)
    a.metric("n = x1·w1 + x2·w2 + b", f"{n:.4f}")
    b.metric("o = tanh(n)", f"{o:.4f}")
    slope_hidden = QUIZ.value or stage.hidden("grads")
    c.metric("do/dn = 1 − o²", "?" if slope_hidden else f"{1 - o**2:.4f}")
    if abs(o) > 0.99 and not slope_hidden:
        st.warning(f"Saturated: o = {o:.4f} is close to ±1, so the slope 1 − o² = {1 - o**2:.2e} is almost 0. "
                   "Every gradient flowing back through tanh is multiplied by it: the weights barely learn here.",
                   icon=":material/warning:")
        return True
    return False


def by_hand(values: dict[str, float], nodes: dict) -> None:
    st.header("Backprop by hand, then by backward()")
    st.caption("From the output back: o.grad = 1, then tanh's local slope, then the chain rule through + and ·.")
    rows = [{"gradient of": literal(line.name), "chain rule": literal(line.rule), "with numbers": line.numbers,
             "by hand": f"{line.grad:.4f}", "backward()": f"{nodes[line.name].grad:.4f}"}
            for line in manual_backprop(values)]
    st.table(pd.DataFrame(rows), hide_index=True)
    st.caption("A + node hands its gradient to both inputs unchanged; a * node hands each input the *other* input's "
               "value times its gradient; tanh multiplies by its local slope 1 − o².")


def quiz(values: dict[str, float]) -> None:
    st.header("Quiz: your turn")
    QUIZ.widget()
    if not QUIZ.value:
        return
    st.caption("The graph shows every value but no gradient. Use the chain rule, from o back to the highlighted node.")
    cols = st.columns(4, vertical_alignment="bottom")
    TARGET.widget(cols[0])
    target = TARGET.value
    truth = micrograd_neuron(values, EXP.value)[target]
    verdict = answer_box("neuron_quiz", truth, (target, tuple(values.values()), EXP.value), where=cols[1:3])
    cols[3].button("Reveal the gradients", on_click=lambda: st.session_state.update({QUIZ.key: False}),
                   icon=":material/visibility:")
    if verdict is not None:
        lines = "\n".join(f"- {code(line.statement)}" for line in chain_to(values, target))
        show_verdict(verdict, f"do/d{target}",
                     lambda: lines if verdict.right else f"Multiply the local slopes along the path from o:\n\n{lines}")


def graph(o, nodes: dict, place, key: str = "neuron_graph") -> None:
    target = [nodes[TARGET.value]] if QUIZ.value and not stage.hidden("highlight") else []
    grads = not QUIZ.value and not stage.hidden("grads")
    show_graph(o, rankdir=LAYOUT.value, show_grad=grads, highlight=target, place=place, key=key)
    if stage.hidden("grads"):
        stage.hidden_box("the gradients")
    if not presenting() and key == "neuron_graph":
        LAYOUT.widget()


def tanh_numbers(n: float, o: float, slope: float | None) -> None:
    """The tanh chart's numbers, each tanh and its slope from a Value of the engine (`slope` None: hidden)."""
    def table() -> pd.DataFrame:
        named = ["n", "tanh(n)", "slope 1 − tanh²"]
        rows = pd.DataFrame(tanh_and_slope([i / 4 for i in range(-16, 17)]), columns=named)
        return rows if slope is not None else rows.drop(columns=named[2])

    told = "" if slope is None else f"; the tangent there has slope do/dn = 1 − o² = {slope:.6g}"
    numbers_behind("neuron_tanh", f"The curve o = tanh(n) for n from −4 to 4, with the neuron's point n = {n:.6g}, "
                   f"o = {o:.6g}{told}.", table, formats={"n": ".3g"})


def the_neuron(where) -> tuple[dict[str, float], object, dict]:
    """The neuron's numbers, its tanh chart and its graph; on the stage the sliders come under them, one row."""
    with where:
        left, right = st.columns([5, 6] if presenting() else [1, 1], gap="medium")
        below = st.container()
        with (below if presenting() else left):
            values = inputs_panel(5 if presenting() else 1)
        o, nodes = build_neuron(values, EXP.value)
        o.backward()
        with left:
            warned = key_numbers(nodes["n"].data, o.data)
            height = stage.room() - METRICS - (WARNING if warned else 0) if presenting() else None
            st.plotly_chart(tanh_chart(nodes["n"].data, o.data, hide_slope=QUIZ.value or stage.hidden("grads"),
                                       height=height), key="neuron_tanh",
                            alt="Chart of tanh(n), with the neuron's point on it and the tangent there")
            hide = QUIZ.value or stage.hidden("grads")
            tanh_numbers(nodes["n"].data, o.data, None if hide else nodes["n"].grad)
        with (right if LAYOUT.value == "TB" or presenting() else st.container()):
            graph(o, nodes, stage.place(6 / 11))
        with st.expander("Where the name comes from: a neuron of the brain, and the lecture's model of it"):
            st.markdown(neuron_svg(), unsafe_allow_html=True)  # the app's own drawing: no text from a user
            st.caption("Signals arrive on the dendrites, each scaled by its synapse's strength (a weight); the cell "
                       "body adds them up with a bias; the neuron fires along its axon through an activation "
                       "function. The model keeps just the arithmetic: o = tanh(x1·w1 + x2·w2 + b).")
    return values, o, nodes


METRICS, WARNING = 140, 150  # on the stage: the key numbers above the tanh chart, and a warning under them
parts_of = stage.sections(["neuron", "quiz", "by_hand", "from_exp", "pytorch"])
values, o, nodes = the_neuron(parts_of["neuron"])
with parts_of["quiz"]:
    quiz(values)
hidden = QUIZ.value
if hidden:
    with parts_of["quiz"]:
        st.info("The other gradients on this page are hidden while the quiz is on.", icon=":material/visibility_off:")
else:
    with parts_of["by_hand"]:
        if stage.hidden("grads"):
            stage.hidden_box("backprop by hand, number by number")
        else:
            by_hand(values, nodes)
    with parts_of["from_exp"]:
        if presenting() and stage.focus() == "from_exp":  # the longer graph beside the comparison
            left, right = st.columns(2, gap="medium")
            with left:
                graph(o, nodes, stage.place(0.5), key="neuron_graph_exp")
            with right:
                parts.from_exp(values, stage.hidden("from_exp"))
        else:
            parts.from_exp(values, stage.hidden("from_exp"))
    with parts_of["pytorch"]:
        parts.pytorch(values)
