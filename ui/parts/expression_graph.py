"""The Expression graph page's parts: the panels beside the stepper, and one function per lesson tab."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from lessons.expression_graph import (
    doubled,
    optimisation_step,
    output_and_grads,
    questions,
    reuse_demo,
    tanh_both_ways,
    topo_sort,
    two_branches,
    value_class,
)
from lessons.expression_graph.walkthrough import Builder, backward_order, node_names, replay
from lessons.source import source
from micrograd_core.engine import Value, topological_order
from micrograd_core.gradcheck import gradient_check
from micrograd_core.graph import draw_dot, trace

from .. import stage
from ..graph_view import fitting, show_graph, svg_of
from ..mode import presenting
from ..quiz import answer_box, show_verdict
from ..state import Choice, Counter, Slider
from ..stepper import StepLabels, step_buttons
from ..text import code, literal

TABS = ("Build the Value class", "Topological sort", "Gradient check", "One optimisation step", "Node-reuse bug",
        "tanh from exp", "Questions learners ask", "Download")
TAB = Choice("graph_tab", "lesson", "Gradient check", options=TABS)  # the first lesson in the app's first links
OPT_STEP = Slider("graph_opt_step", "step size", 0.01, 0.001, 0.1, step=0.001, format="%.3f")
STAGE = Counter("graph_stage", "stage", 0, 0, len(value_class.STAGES) - 1)
TOPO_STEP = Counter("graph_topo", "search step", 0, 0, 5000)
REUSE = Choice("graph_reuse", "example", "b = a + a", options=("b = a + a", "f = (a·b)·(a + b)"), kind="segmented")
SETTINGS = [TAB, OPT_STEP, STAGE, TOPO_STEP, REUSE]
STEPPER = 64  # on the stage: a row of stepping buttons, or a line of text above a lesson's graph


def chain_rule_panel(node, links, names) -> None:
    st.markdown(f"**Chain rule at {literal(names[id(node)])}**: its `_backward()` adds local derivative × "
                f"{literal(names[id(node)])}.grad to each input's grad")
    lines = []
    for link in links:
        child = literal(names[id(link.child)])
        number = "" if link.rule.endswith(f"= {link.local:g}") else f" = {link.local:.4g}"  # "= 1 = 1" says it twice
        lines.append(f"- {literal(link.rule)}{number}; {child}.grad += {link.local:.4g} × {link.upstream:.4g} "
                     f"= **{link.amount:+.4g}** → {link.after:.4g}")
    st.markdown("\n".join(lines))
    if len({id(link.child) for link in links}) < len(links):
        st.caption("The same node is both inputs: it receives both contributions, summed.")


def ends_panel(root, names, filled) -> None:
    """The output and the named leaves, with the gradients the replay has filled in so far."""
    leaves = [n for n in topological_order(root) if not n._prev and n.label]
    grads = [f"{literal(names[id(n)])} = {n.data:.4g} (grad " + (f"{n.grad:.4f})" if id(n) in filled else "?)")
             for n in leaves]
    st.markdown(f"**Output** {literal(names[id(root)])} = {root.data:.4f}" +
                (" · **leaves** " + ", ".join(grads) if grads else ""))


def topological_panel(root, order, current, names) -> None:
    shown = [f"**{literal(names[id(n)])}**" if n is current else literal(names[id(n)])
             for n in topological_order(root)]
    st.markdown("**Topological order**, each node after the nodes it is built from: " + ", ".join(shown))
    st.caption("backward() walks it from the end and runs `_backward()` at each node built by an operation: "
               + " → ".join(literal(names[id(n)]) for n in order))


def quiz_panel(root, names, graph_key: tuple):
    nodes = topological_order(root)[:-1]  # every node but the output, whose gradient is 1
    replay(root, len(backward_order(root)))  # every gradient, to check answers against
    if st.session_state.get("graph_quiz_node", 0) >= len(nodes):  # a smaller graph than the last one
        st.session_state.graph_quiz_node = 0
    index = st.selectbox("Gradient of the output with respect to", range(len(nodes)), key="graph_quiz_node",
                         format_func=lambda i: f"{names[id(nodes[i])]} (data {nodes[i].data:.4g})")
    target = nodes[index]
    where = st.columns([1, 1], vertical_alignment="bottom")
    verdict = answer_box("graph_quiz", target.grad, (graph_key, index), where=where)
    if verdict is not None:
        show_verdict(verdict, f"d{literal(names[id(root)])}/d{literal(names[id(target)])}",
                     lambda: "" if verdict.right else "Step through with quiz mode off to see where it comes from.")
    return target


def value_class_tab(layout: str) -> None:
    k = step_buttons(STAGE, len(value_class.STAGES) - 1, StepLabels(back="Previous stage", next="Next stage"))
    stage_ = value_class.STAGES[k]
    st.markdown(f"**Stage {k + 1} of {len(value_class.STAGES)}: {stage_.title}** (lecture chapter at {stage_.time})")
    root = value_class.build(k)
    value = value_class.as_engine_value(root) if "_prev" in stage_.has else None
    grads = True if "grad" in stage_.has else None
    rankdir = layout
    if presenting() and value is not None:  # the graph across the page when it fits so, beside the code if not
        rankdir, _ = fitting(value, {"TB": stage.place(0.4, 2 * STEPPER), "LR": stage.place(1.0, 2 * STEPPER + 160)},
                             rankdir=layout, show_grad=grads)
    if rankdir == "LR" and presenting():
        graph_col, code_col = st.container(), st.container()
    else:
        code_col, graph_col = st.columns([3, 2], gap="medium")
    with code_col:
        above = 2 * STEPPER + 50 + (230 if rankdir == "LR" else 0)  # on the stage: the code fills the screen's rest
        height = max(160, int(stage.room() - above)) if presenting() else None
        st.code(value_class.diff(k), language="diff", wrap_lines=True, height=height)
        st.caption("Lines marked + are new at this stage. L = (a·b + c)·f is built with this class"
                   + (", above." if rankdir == "LR" and presenting() else ", right."))
        tries = "  \n".join(f"`{e}` → {code(value_class.attempt(k, e))}" for e in value_class.TRIES)
        st.markdown(f"**A number beside a Value**, with `a = Value(2.0)` of this stage:  \n{tries}")
    with graph_col:
        if value is None:
            st.markdown(f"`L` is `{root!r}`: one number. Nothing records that it came from a, b, c and f, so "
                        "there is no graph to draw, and no way back to the inputs.")
        else:
            show_graph(value, rankdir=rankdir, show_grad=grads, key="graph_value_class",
                       place=stage.place(1.0 if rankdir == "LR" else 0.4, 2 * STEPPER))
            if "label" in stage_.has and "grad" not in stage_.has:  # where the lecture writes its drawing code
                with st.expander("The code that draws this graph: trace and draw_dot"):
                    st.code(source(trace) + "\n\n" + source(draw_dot), language="python", wrap_lines=True)
                    st.caption("micrograd_core/graph.py, the lecture's drawing. The app's drawings add colours by "
                               "the gradient's sign, highlights and, for a large graph, the part that fits the "
                               "screen (ui/graph_drawing.py).")
            if "grad" in stage_.has and "_backward" not in stage_.has:
                st.caption("Every grad is 0: nothing has computed them yet. The lecture fills them in by hand "
                           "first, then automatically (next stage).")


def topo_sort_tab(root: Value, layout: str) -> None:
    order, steps = topo_sort.traced_build_topo(root)
    names = node_names(root)
    k = step_buttons(TOPO_STEP, len(steps), StepLabels(back="Previous search step", next="Next search step"))
    visited, placed = topo_sort.state_after(steps, k)
    left, right = st.columns([3, 2], gap="medium")
    with right:
        st.code(topo_sort.build_topo_source(), language="python", wrap_lines=True)
        if k:
            step = steps[k - 1]
            name = literal(names[id(step.node)])
            st.markdown({"enter": f"Visit **{name}**: mark it visited, then its inputs first.",
                         "seen": f"**{name}** is visited already: skip it (it is placed, or being placed).",
                         "place": f"All of **{name}**'s inputs are placed: **{name}** goes in at #{step.placed}."
                         }[step.kind])
        else:
            st.markdown("Start at the output. Step through the search: each node is placed after its inputs.")
        shown = ", ".join(f"#{placed[id(n)]} {literal(names[id(n)])}" for n in order if id(n) in placed)
        st.markdown(f"**Order so far:** {shown or '(empty)'}")
        if k == len(steps):
            st.success("backward() walks this order from the end: every node after all the nodes that use it, so "
                       "its gradient is complete before it is passed on.", icon=":material/check_circle:")
    labels = {n: f"#{placed[id(n)]} {names[id(n)]}" if id(n) in placed
              else (f"{names[id(n)]} (visited)" if id(n) in visited else names[id(n)]) for n in order}
    current = [steps[k - 1].node] if k else []
    with left:
        show_graph(root, rankdir=layout, names=labels, show_grad=None, highlight=current, max_nodes=60,
                   key="graph_topo", place=stage.place(0.6, 2 * STEPPER))



def gradient_check_tab(build: Builder, values: Mapping[str, float]) -> None:
    rows = gradient_check(build, values)
    table = pd.DataFrame({"leaf": [literal(r.name) for r in rows], "autograd": [r.autograd for r in rows],
                          "central difference": [r.numerical for r in rows],
                          "relative error": [r.rel_error for r in rows]})
    st.table(table.style.format({"autograd": "{:.6g}", "central difference": "{:.6g}", "relative error": "{:.1e}"}))
    st.caption("Central difference: (f(x + h) − f(x − h)) / 2h with h = 1e-6, for each leaf in turn.")


def optimisation_tab(build: Builder, values: Mapping[str, float]) -> None:
    OPT_STEP.widget()
    if stage.hidden("opt_result"):
        stage.hidden_box("the output after the step, each way")
        return
    nudge = optimisation_step(build, values, OPT_STEP.value)
    a, b, c = st.columns(3)
    a.metric("output now", f"{nudge.before:.6g}")
    for col, label, after in ((b, "every leaf += step × grad", nudge.up), (c, "every leaf −= step × grad", nudge.down)):
        change = after - nudge.before  # coloured as everywhere here: blue up, vermillion (orange) down
        col.metric(label, f"{after:.6g}", f"{change:+.4g}", delta_color="blue" if change >= 0 else "orange")
    st.caption(f"To first order the output moves by step × Σ grad² = {nudge.predicted_change:.4g}: "
               "up along the gradient, down against it. That is gradient descent.")


_REUSE_BUILDS = {"b = a + a": doubled, "f = (a·b)·(a + b)": two_branches}


def reuse_tab(layout: str) -> None:
    """Each example with the bug and fixed, side by side; on the stage one example at a time."""
    shown = [REUSE.value] if presenting() else list(_REUSE_BUILDS)
    if presenting():
        REUSE.widget()
    for n, title in enumerate(shown):
        buggy, fixed = reuse_demo(_REUSE_BUILDS[title])
        if not presenting():
            st.markdown(f"**{title}**")
        left, right = st.columns(2)
        with left:
            st.markdown("With the bug: `self.grad = ...` (assigned)")
            if stage.hidden("reuse_grads"):
                show_graph(buggy, rankdir=layout, show_grad=False, key=f"graph_reuse_buggy{n}",
                           place=stage.place(0.5, 2 * STEPPER))
                stage.hidden_box("the gradients the bug leaves")
            else:
                show_graph(buggy, rankdir=layout, key=f"graph_reuse_buggy{n}", place=stage.place(0.5, 2 * STEPPER))
        with right:
            st.markdown("Fixed: `self.grad += ...` (accumulated)")
            show_graph(fixed, rankdir=layout, key=f"graph_reuse_fixed{n}", place=stage.place(0.5, 2 * STEPPER))
    st.info("A node used more than once gets a gradient from every use. Assigning keeps only the last one; "
            "adding them up is the multivariable chain rule.", icon=":material/lightbulb:")


def tanh_tab(layout: str) -> None:
    one, composed = tanh_both_ways()
    left, right = st.columns(2)
    for col, o, title, key in ((left, one, "tanh as one operation", "graph_tanh_one"),
                               (right, composed, "(e²ⁿ − 1) / (e²ⁿ + 1)", "graph_tanh_exp")):
        with col:
            st.markdown(f"**{title}**")
            show_graph(o, rankdir=layout, max_nodes=60, key=key)
    st.table(pd.DataFrame({"tanh": output_and_grads(one), "from exp": output_and_grads(composed)})
             .style.format("{:.10g}"))


def questions_tab() -> None:
    """micrograd's most asked questions, each with what the engine shows of it."""
    for answer in questions.answers():
        with st.expander(answer.question):
            st.markdown(answer.answer)
            st.markdown(f"**The engine:** {literal(answer.shown)}")


def download_tab(root: Value, layout: str, max_nodes: int) -> None:
    dot_source = draw_dot(root, rankdir=layout).source  # the lecture's drawing, every node, whatever its size
    st.download_button("Download DOT source", dot_source, file_name="graph.dot", icon=":material/download:",
                       help="micrograd_core.graph.draw_dot: the lecture's drawing of the whole graph")
    if shutil.which("dot") is None:
        st.info("SVG download needs the graphviz program, which is not installed here "
                "(on Streamlit Community Cloud, packages.txt provides it). The DOT source above opens in any "
                "Graphviz viewer.", icon=":material/info:")
    else:
        st.download_button("Download SVG", lambda: svg_of(dot_source) or b"", file_name="graph.svg",
                           mime="image/svg+xml", icon=":material/download:")


def tabs(lessons: Mapping[str, Callable[[], None]], shown: tuple[str, ...]) -> None:
    """The lesson tabs; only the open one runs (on_change="rerun"), so the others' graphs are not built.

    On the stage, when the scene is about a lesson, that lesson alone is drawn: its tab is the scene's.
    """
    if TAB.value not in shown:
        st.session_state[TAB.key] = TAB.default
    if presenting() and stage.focus() == "lessons":
        lessons[TAB.value]()
        return
    for name, tab in zip(shown, st.tabs(shown, key=TAB.key, on_change="rerun")):
        if tab.open:
            with tab:
                lessons[name]()
