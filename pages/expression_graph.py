"""Expression graph: Values joined into a graph, and gradients flowing back node by node, as the lecture builds them."""

import streamlit as st

from lessons.expression_graph import PRESETS, Backprop, engine_source
from micrograd_core.engine import Value, topological_order
from ui import Choice, Counter, NamedNumbers, Text, Toggle, init_state, page_frame, presenting, stage
from ui.formula_input import formula_input, leaf_inputs
from ui.graph_view import fitting, layout_setting, show_graph
from ui.parts import expression_graph as parts
from ui.stepper import StepLabels, step_buttons
from ui.text import code, literal

TYPED = "Type a formula"
PRESET = Choice("graph_preset", "Start from", tuple(PRESETS)[0], options=(*PRESETS, TYPED))
FORMULA = Text("graph_formula", "Formula", "tanh(x1*w1 + x2*w2 + b)")
LEAVES = NamedNumbers("graph_leaves", "leaf values", {})
LAYOUT = layout_setting("graph_layout")
VIEW = Choice("graph_view", "Draw", "auto", options=("auto", "whole", "near"), kind="segmented",
              labels={"auto": "whole if it fits", "whole": "the whole graph", "near": "around the current node"})
STEP = Counter("graph_step", "step", 0, 0, 1000)
QUIZ = Toggle("graph_quiz", "Quiz mode", False, help="Hide every gradient and test yourself.")
MAX_NODES, NEAR, FITS = 60, 9, 16  # values drawn at most, around the current node, and in a graph that fits
NOTE = 40  # on the stage: the line under a cropped graph saying what it left out
BACKPROP_STEPS = StepLabels(start="Reset", back="Back", next="Next step", end="Run all")

page_frame("pages/expression_graph.py", [PRESET, FORMULA, LEAVES, LAYOUT, VIEW, STEP, QUIZ, *parts.SETTINGS])
init_state({"graph_last_good": FORMULA.default, "graph_key": None})
st.title("The expression graph: backpropagation, node by node")


def choose():
    """The starting point: its builder and leaf values (shown in boxes, kept in the link)."""
    PRESET.widget(on_change=lambda: st.session_state.update({LEAVES.key: {}}))
    if PRESET.value == TYPED:
        expression = formula_input(FORMULA, "graph_last_good", what="the graph")
        build, defaults, tag = expression.build, dict.fromkeys(expression.variables, 1.0), "f"
    else:
        preset = PRESETS[PRESET.value]
        build, defaults, tag = preset.build, preset.values, str(list(PRESETS).index(PRESET.value))
    return build, leaf_inputs(LEAVES, defaults, f"graph_leaf_{tag}")


def step_to(k: int) -> None:
    st.session_state[STEP.key] = k


def where_we_are(bp: Backprop, graph_key: tuple) -> Value:
    """The step's text, the chain rule at the current node, the order backward() walks, the leaves and output."""
    names, root = bp.names, bp.root
    if QUIZ.value:
        return parts.quiz_panel(root, names, graph_key)
    if bp.k:
        st.markdown(f"**Step {bp.k} of {len(bp.order)}**: {code(names[id(bp.current)])} passes its gradient back")
        parts.chain_rule_panel(bp.current, bp.links, names)
    else:
        st.markdown(f"**Step 0 of {len(bp.order)}**: seed the output's gradient, d{literal(names[id(root)])}"
                    f"/d{literal(names[id(root)])} = 1. Then Next step (or →).")
    parts.ends_panel(root, names, bp.filled)
    parts.topological_panel(root, bp.order, bp.current, names)
    return bp.current


def replayed(build, values) -> tuple[Backprop, tuple]:
    """backward() replayed to the link's step; a graph other than the last one starts again at the seed."""
    graph_key = (PRESET.value, st.session_state.graph_last_good if PRESET.value == TYPED else "",
                 tuple(values.items()))
    if graph_key != st.session_state.graph_key:
        if st.session_state.graph_key is not None:  # the first graph of a session keeps its link's step
            step_to(0)
        st.session_state.graph_key = graph_key
    return Backprop.at(build(values)[0], STEP.value), graph_key


def stepper(build, values, where) -> Value:
    """The graph with backward() replayed up to the current step; returns the fully backpropagated root."""
    bp, graph_key = replayed(build, values)
    nodes = topological_order(bp.root)
    options = dict(highlight=[bp.current],
                   show_grad=False if QUIZ.value else [n for n in nodes if id(n) in bp.filled],
                   names={n: bp.names[id(n)] for n in nodes if n._prev and not n.label})  # as the text calls them
    current = bp.current
    with where:
        if presenting():  # the graph beside the panels, top to bottom; or across the page when it fits so
            rankdir, _ = fitting(bp.root, {"TB": stage.place(0.6, NOTE), "LR": stage.place(1.0, NOTE + 200)},
                                 rankdir=LAYOUT.value, max_nodes=MAX_NODES, **options)
            tb = rankdir == "TB"
        else:
            rankdir, tb = LAYOUT.value, LAYOUT.value == "TB"
        if not presenting():  # above the graph; on the stage, beside it with the text it changes
            step_buttons(STEP, len(bp.order), BACKPROP_STEPS, arrows=True)
        graph_area, panels = st.columns([3, 2], gap="medium") if tb else (st.container(), st.container())
        with panels:
            if presenting():
                step_buttons(STEP, len(bp.order), BACKPROP_STEPS, arrows=True)
            current = where_we_are(bp, graph_key)
        options["highlight"] = [current]
        with graph_area:
            if presenting():
                show_graph(bp.root, place=stage.place(0.6 if tb else 1.0, NOTE), rankdir=rankdir,
                           max_nodes=MAX_NODES, key="graph_main", **options)
            else:
                near = VIEW.value == "near" or (VIEW.value == "auto" and len(nodes) > FITS)
                show_graph(bp.root, rankdir=rankdir, max_nodes=NEAR if near else MAX_NODES,
                           focus=current if near else None, key="graph_main", **options)
        if not presenting():
            with panels:
                VIEW.widget()
        with st.container(horizontal=True):
            QUIZ.widget()
        if bp.k and not QUIZ.value:
            with st.expander(f"The engine's code for {current._op}: forward and local derivative, then the chain "
                             "rule", expanded=not presenting()):
                st.code(engine_source(current._op), language="python", wrap_lines=True)
    root, _ = build(values)
    root.backward()
    return root


def lesson_tabs(build, values, root, where) -> None:
    layout = LAYOUT.value
    with where:
        if QUIZ.value:  # every lesson below shows gradients: the quiz would give its answers away
            st.info("The lessons below are hidden while the quiz is on: they show the gradients.",
                    icon=":material/visibility_off:")
            return
        tabs = {
            "Build the Value class": lambda: parts.value_class_tab(layout),
            "Topological sort": lambda: parts.topo_sort_tab(build(values)[0], layout),
            "Gradient check": lambda: parts.gradient_check_tab(build, values),
            "One optimisation step": lambda: parts.optimisation_tab(build, values),
            "Node-reuse bug": lambda: parts.reuse_tab(layout),
            "tanh from exp": lambda: parts.tanh_tab(layout),
            "Questions learners ask": parts.questions_tab,
            "Download": lambda: parts.download_tab(root, layout, MAX_NODES),
        }
        parts.tabs(tabs, parts.TABS if not presenting() else parts.TABS[:-1])  # presenting: no download


# The stepper first, then the lesson tabs; on the stage, the scene's focus comes first. The starting point
# is chosen below the stepper: in class, the steps are what changes.
sections = stage.sections(["stepper", "lessons"])
with sections["stepper"]:
    stepping, start_area = st.container(), st.container()
with start_area:
    built, leaf_values = choose()
    if not presenting():
        LAYOUT.widget()
out = stepper(built, leaf_values, stepping)
lesson_tabs(built, leaf_values, out, sections["lessons"])
