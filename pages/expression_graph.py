"""Expression graph: Values joined into a graph, and gradients flowing back node by node, as the lecture builds them."""

import streamlit as st

from lessons.expression_graph import PRESETS, backward_order, engine_source, node_names, replay
from micrograd_core.engine import topological_order
from ui import Choice, Counter, NamedNumbers, Text, Toggle, init_state, page_frame, presenting, stage
from ui.formula_input import formula_input, leaf_inputs
from ui.graph_view import fitting, layout_setting, show_graph
from ui.parts import expression_graph as parts
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

page_frame("pages/expression_graph.py", [PRESET, FORMULA, LEAVES, LAYOUT, VIEW, STEP, QUIZ, *parts.SETTINGS])
init_state({"graph_last_good": FORMULA.default, "graph_setup": None})
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


def stepper_buttons(k: int, last: int) -> None:
    with st.container(horizontal=True):
        st.button("Back", on_click=step_to, args=(k - 1,), disabled=k == 0, icon=":material/chevron_left:",
                  shortcut="ArrowLeft")
        st.button("Next step", on_click=step_to, args=(k + 1,), disabled=k == last, type="primary",
                  icon=":material/chevron_right:", shortcut="ArrowRight")
        st.button("Run all", on_click=step_to, args=(last,), disabled=k == last, icon=":material/last_page:")
        st.button("Reset", on_click=step_to, args=(0,), disabled=k == 0, icon=":material/first_page:")


def where_we_are(k: int, order, root, names, current, filled, links, setup):
    """The step's text, the chain rule at the current node, the order backward() walks, the leaves and output."""
    if QUIZ.value:
        return parts.quiz_panel(root, names, setup)
    if k:
        st.markdown(f"**Step {k} of {len(order)}**: {code(names[id(current)])} passes its gradient back")
        parts.chain_rule_panel(current, links, names)
    else:
        st.markdown(f"**Step 0 of {len(order)}**: seed the output's gradient, d{literal(names[id(root)])}"
                    f"/d{literal(names[id(root)])} = 1. Then Next step (or →).")
    parts.ends_panel(root, names, filled)
    parts.topological_panel(root, order, current, names)
    return current


def stepper(build, values, where):
    """The graph with backward() replayed up to the current step; returns the fully backpropagated root."""
    s = st.session_state
    root, _ = build(values)
    order, names = backward_order(root), node_names(root)
    setup = (PRESET.value, s.graph_last_good if PRESET.value == TYPED else "", tuple(values.items()))
    if setup != s.graph_setup:
        if s.graph_setup is not None:  # a changed graph starts again at the seed (the first keeps a link's step)
            step_to(0)
        s.graph_setup = setup
    k = min(max(STEP.value, 0), len(order))
    filled, links = replay(root, k)
    current = order[k - 1] if k else root
    nodes = topological_order(root)
    options = dict(highlight=[current], show_grad=False if QUIZ.value else [n for n in nodes if id(n) in filled],
                   names={n: names[id(n)] for n in nodes if n._prev and not n.label})  # as the text above calls them
    with where:
        if presenting():  # the graph beside the panels, top to bottom; or across the page when it fits so
            rankdir, _ = fitting(root, {"TB": stage.place(0.6, NOTE), "LR": stage.place(1.0, NOTE + 200)},
                                 rankdir=LAYOUT.value, max_nodes=MAX_NODES, **options)
            graph_area, panels = st.columns([3, 2], gap="medium") if rankdir == "TB" else (st.container(),
                                                                                           st.container())
            with panels:
                stepper_buttons(k, len(order))
                current = where_we_are(k, order, root, names, current, filled, links, setup)
            with graph_area:
                options["highlight"] = [current]
                show_graph(root, place=stage.place(0.6 if rankdir == "TB" else 1.0, NOTE),
                           rankdir=rankdir, max_nodes=MAX_NODES, key="graph_main", **options)
        else:
            stepper_buttons(k, len(order))
            near = VIEW.value == "near" or (VIEW.value == "auto" and len(nodes) > FITS)
            tb = LAYOUT.value == "TB"
            graph_area, panels = st.columns([3, 2], gap="medium") if tb else (st.container(), st.container())
            with panels:
                current = where_we_are(k, order, root, names, current, filled, links, setup)
            with graph_area:
                options["highlight"] = [current]
                show_graph(root, rankdir=LAYOUT.value, max_nodes=NEAR if near else MAX_NODES,
                           focus=current if near else None, **options)
            with panels:
                VIEW.widget()
        with st.container(horizontal=True):
            QUIZ.widget()
        if k and not QUIZ.value:
            with st.expander(f"The engine's code for {current._op}: forward and local derivative, then the chain "
                             "rule", expanded=not presenting()):
                st.code(engine_source(current._op), language="python")
    root, _ = build(values)
    root.backward()
    return root


def lessons(build, values, root, where) -> None:
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
    stepping, setup_area = st.container(), st.container()
with setup_area:
    built, leaf_values = choose()
    if not presenting():
        LAYOUT.widget()
out = stepper(built, leaf_values, stepping)
lessons(built, leaf_values, out, sections["lessons"])
