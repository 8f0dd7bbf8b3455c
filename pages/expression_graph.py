"""Expression graph: Values joined into a graph, and gradients flowing back node by node (lecture 00:19 to 01:09)."""

import shutil

import pandas as pd
import streamlit as st

from lessons.expression_graph import (
    PRESETS,
    backward_order,
    doubled,
    engine_source,
    local_rule,
    optimisation_step,
    replay,
    reuse_demo,
    two_branches,
)
from lessons.formulas import ExpressionError, parse
from lessons.neuron import LECTURE_VALUES, build_neuron, micrograd_neuron
from micrograd_core.engine import topological_order
from micrograd_core.gradcheck import gradient_check
from micrograd_core.graph import draw_graph
from ui import Param, detail_visible, init_state, page_frame
from ui.graph_view import show_graph, svg_of

FORMULA = "Type a formula"
CHOICES = (*PRESETS, FORMULA)
# Top to bottom keeps the graph narrow, so it is drawn at full size with the chain rule beside it;
# the lecture's left-to-right drawing is wide and shrinks to fit.
LAYOUTS = {"TB": "top to bottom", "LR": "left to right (as in the lecture; wide)"}
TABS = ("Gradient check", "One optimisation step", "Node-reuse bug", "tanh from exp", "Download")
PARAMS = [
    Param("graph_preset", CHOICES[0], choices=CHOICES),
    Param("graph_layout", "TB", choices=tuple(LAYOUTS)),
    Param("graph_formula", "tanh(x1*w1 + x2*w2 + b)"),
    Param("graph_step", 0, 0, 1000),
    Param("graph_tab", TABS[0], choices=TABS),
]
MAX_NODES = 60

page_frame("pages/expression_graph.py", PARAMS)
init_state({"graph_last_good": "tanh(x1*w1 + x2*w2 + b)", "graph_setup": None, "graph_quiz_result": None})
st.title("The expression graph: backpropagation, node by node")


def expression():
    """The chosen starting point: (builder, leaf values), with leaf values editable."""
    s = st.session_state
    if s.graph_preset == FORMULA:
        st.text_input("Formula", key="graph_formula", help="Numbers, names, + - * / ** ( ), exp log tanh sigmoid relu.")
        try:
            parsed = parse(s.graph_formula)
            s.graph_last_good = parsed.text
        except ExpressionError as err:
            st.error(f"{err} — the graph below is the last good formula, `{s.graph_last_good}`.")
            parsed = parse(s.graph_last_good)
        build, defaults, tag = parsed.build, {name: 1.0 for name in parsed.variables}, "f"
    else:
        preset = PRESETS[s.graph_preset]
        build, defaults, tag = preset.build, preset.values, str(CHOICES.index(s.graph_preset))
    values = {}
    cols = st.columns(min(max(len(defaults), 1), 6))
    for i, (name, default) in enumerate(defaults.items()):
        key = f"graph_leaf_{tag}_{name}"
        s.setdefault(key, default)
        values[name] = cols[i % len(cols)].number_input(name, key=key, step=0.5, format="%.4g")
    return build, values


def step_to(k: int) -> None:
    st.session_state.graph_step = k


def stepper(build, values):
    """The graph with backward() replayed up to the current step; returns the fully backpropagated root."""
    s = st.session_state
    root, leaves = build(values)
    order = backward_order(root)
    drawn = s.graph_last_good if s.graph_preset == FORMULA else ""  # a bad formula keeps the last good graph
    setup = (s.graph_preset, drawn, tuple(values.items()))
    if setup != s.graph_setup:
        if s.graph_setup is not None:  # a changed graph starts again at the seed (the first one keeps a URL's step)
            s.graph_step = 0
        s.graph_setup = setup
    s.graph_step = min(max(int(s.graph_step), 0), len(order))
    k = s.graph_step
    with st.container(horizontal=True):
        st.button("Reset", on_click=step_to, args=(0,), icon=":material/first_page:")
        st.button("Previous step", on_click=step_to, args=(k - 1,), disabled=k == 0, icon=":material/chevron_left:")
        st.button("Next step", on_click=step_to, args=(k + 1,), disabled=k == len(order),
                  icon=":material/chevron_right:", type="primary")
        st.button("Run all", on_click=step_to, args=(len(order),), icon=":material/last_page:")
        st.toggle("Quiz mode", key="graph_quiz", help="Hide every gradient and test yourself.")
    filled, contributions = replay(root, k)
    current = order[k - 1] if k else root
    quiz = s.get("graph_quiz", False)
    shown = False if quiz else [n for n in topological_order(root) if id(n) in filled]
    st.markdown(f"**Step {k} of {len(order)}** — " + ("seed: the output's gradient with respect to itself is 1"
                if k == 0 else f"backpropagate through **{_name(current)}** = {current._op}(…)"))
    graph_area, side = st.columns([3, 2], gap="large") if s.graph_layout == "TB" else (st.container(), st.container())
    with graph_area:
        show_graph(root, rankdir=s.graph_layout, highlight=[current], show_grad=shown, max_nodes=MAX_NODES)
    with side:
        if quiz:
            quiz_panel(root)
        elif k:
            chain_rule_panel(current, contributions)
        topological_panel(root, order, current)
    if k and not quiz:
        with st.expander(f"The engine's code for {current._op}: forward and local derivative, then the chain rule",
                         expanded=detail_visible()):
            st.code(engine_source(current._op), language="python")
    root, _ = build(values)
    root.backward()
    return root


def _name(v) -> str:
    """A node's name on the page: its label, else what it is."""
    if v.label:
        return v.label
    return f"({v._op})" if v._prev else f"{v.data:g}"


def chain_rule_panel(node, contributions) -> None:
    st.markdown(f"**Chain rule at {_name(node)}** — {local_rule(node._op)}")
    for c in contributions:
        st.markdown(
            f"- {_name(c.child)}.grad += local {c.local:.4g} × upstream {c.upstream:.4g} "
            f"= **{c.amount:+.4g}** → {c.child.grad:.4g}"
        )
    if len({id(c.child) for c in contributions}) < len(contributions):
        st.caption("The same node appears twice: it receives both contributions, summed.")


def topological_panel(root, order, current) -> None:
    """The topological order, and the part of it backward() walks, the current node in bold."""
    names = [f"**{_name(n)}**" if n is current else _name(n) for n in topological_order(root)]
    st.markdown("**Topological order**, each node after the nodes it is built from: " + ", ".join(names))
    st.caption("backward() walks it from the end and runs `_backward()` at each node built by an operation "
               "(leaves have nothing to pass on): " + " → ".join(_name(n) for n in order))


def check_answer(root) -> None:
    s = st.session_state
    nodes = topological_order(root)
    index = s.graph_quiz_node
    s.graph_quiz_result = {"index": index, "answer": s.graph_quiz_answer, "grad": nodes[index].grad,
                           "setup": s.graph_setup}


def quiz_panel(root) -> None:
    s = st.session_state
    replay(root, len(backward_order(root)))  # every gradient, to check answers against
    nodes = topological_order(root)
    options = list(range(len(nodes) - 1))  # every node but the output, whose gradient is 1
    cols = st.columns([2, 1, 1])
    cols[0].selectbox("Gradient of the output with respect to", options, key="graph_quiz_node",
                      format_func=lambda i: f"{_name(nodes[i])} (data {nodes[i].data:.4g})")
    cols[1].number_input("Your answer", key="graph_quiz_answer", format="%.4f", step=0.5)
    cols[2].button("Check", on_click=check_answer, args=(root,), icon=":material/check:")
    r = s.graph_quiz_result
    if r and r["index"] == s.graph_quiz_node and r["setup"] == s.graph_setup:
        if abs(r["answer"] - r["grad"]) <= 1e-3:
            st.success(f"Right: the gradient is {r['grad']:.4f}.")
        else:
            st.error(f"Not quite: you said {r['answer']:.4f}; the gradient is {r['grad']:.4f}. "
                     "Step through with quiz mode off to see where it comes from.")


def gradient_check_tab(build, values) -> None:
    rows = gradient_check(build, values)
    names = {"name": "leaf", "numerical": "central difference", "rel_error": "relative error"}
    table = pd.DataFrame([vars(r) for r in rows]).rename(columns=names)
    st.table(table.style.format({"autograd": "{:.6g}", "central difference": "{:.6g}", "relative error": "{:.1e}"}))
    st.caption("Central difference: (f(x + h) − f(x − h)) / 2h with h = 1e-6, for each leaf in turn.")


def optimisation_tab(build, values) -> None:
    step = st.slider("step size", 0.001, 0.1, 0.01, step=0.001, format="%.3f", key="graph_opt_step")
    nudge = optimisation_step(build, values, step)
    a, b, c = st.columns(3)
    a.metric("output now", f"{nudge.before:.6g}")
    for col, label, after in ((b, "every leaf += step × grad", nudge.up), (c, "every leaf −= step × grad", nudge.down)):
        change = after - nudge.before  # coloured as everywhere here: blue up, vermillion (orange) down
        col.metric(label, f"{after:.6g}", f"{change:+.4g}", delta_color="blue" if change >= 0 else "orange")
    st.caption(f"To first order the output moves by step × Σ grad² = {nudge.predicted_change:.4g}: "
               "up along the gradient, down against it. That is gradient descent.")


def reuse_tab(layout: str) -> None:
    for title, build in (("b = a + a", doubled), ("f = (a·b)·(a + b)", two_branches)):
        buggy, fixed = reuse_demo(build)
        st.markdown(f"**{title}**")
        left, right = st.columns(2)
        with left:
            st.markdown("With the bug: `self.grad = ...` (assigned)")
            show_graph(buggy, rankdir=layout)
        with right:
            st.markdown("Fixed: `self.grad += ...` (accumulated)")
            show_graph(fixed, rankdir=layout)
    st.info("A node used more than once gets a gradient from every use. Assigning keeps only the last one; "
            "adding them up is the multivariable chain rule.", icon=":material/lightbulb:")


def tanh_tab(layout: str) -> None:
    left, right = st.columns(2)
    for col, from_exp, title in ((left, False, "tanh as one operation"), (right, True, "(e²ⁿ − 1) / (e²ⁿ + 1)")):
        with col:
            st.markdown(f"**{title}**")
            o, _ = build_neuron(LECTURE_VALUES, tanh_from_exp=from_exp)
            o.backward()
            show_graph(o, rankdir=layout, max_nodes=MAX_NODES)
    one, composed = micrograd_neuron(LECTURE_VALUES), micrograd_neuron(LECTURE_VALUES, tanh_from_exp=True)
    st.table(pd.DataFrame({"tanh": one, "from exp": composed}).style.format("{:.10g}"))


def download_tab(root) -> None:
    dot_source = draw_graph(root, rankdir=st.session_state.graph_layout, max_nodes=MAX_NODES).dot.source
    st.download_button("Download DOT source", dot_source, file_name="graph.dot", icon=":material/download:")
    if shutil.which("dot") is None:
        st.info("SVG download needs the graphviz program, which is not installed here "
                "(on Streamlit Community Cloud, packages.txt provides it). The DOT source above opens in any "
                "Graphviz viewer.", icon=":material/info:")
    else:
        st.download_button("Download SVG", lambda: svg_of(dot_source) or b"", file_name="graph.svg",
                           mime="image/svg+xml", icon=":material/download:")


top = st.columns([2, 1])
top[0].selectbox("Start from", CHOICES, key="graph_preset")
top[1].radio("Layout", tuple(LAYOUTS), format_func=LAYOUTS.get, key="graph_layout", horizontal=True)
build, values = expression()
root = stepper(build, values)
# Only the open tab runs (on_change="rerun"): the others' graphs are neither built nor sent.
layout = st.session_state.graph_layout
lessons = {
    "Gradient check": lambda: gradient_check_tab(build, values),
    "One optimisation step": lambda: optimisation_tab(build, values),
    "Node-reuse bug": lambda: reuse_tab(layout),
    "tanh from exp": lambda: tanh_tab(layout),
    "Download": lambda: download_tab(root),
}
shown_tabs = TABS if detail_visible() else TABS[:-1]  # presenting: the lessons, not the download
if st.session_state.graph_tab not in shown_tabs:
    st.session_state.graph_tab = TABS[0]
for name, tab in zip(shown_tabs, st.tabs(shown_tabs, key="graph_tab", on_change="rerun")):
    if tab.open:
        with tab:
            lessons[name]()
