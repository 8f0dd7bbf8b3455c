"""Bug lab: the backprop bugs everyone writes, each a small change to the real engine, and the check that catches it."""

import random

import pandas as pd
import streamlit as st

from lessons.bug_lab import BUGS, BY_KEY, GRADIENT_BUGS, exposes, run
from ui import Choice, NamedNumbers, Text, page_frame, presenting, stage
from ui.formula_input import formula_input, leaf_inputs
from ui.parts import bug_lab as parts
from ui.text import literal

MODES = {"gallery": "The gallery", "spot": "Spot the bug", "formula": "Your formula"}
MODE = Choice("lab_mode", "Mode", "gallery", options=tuple(MODES), labels=MODES, kind="segmented")
BUG = Choice("lab_bug", "Bug", BUGS[0].key, options=tuple(BY_KEY), labels=parts.TITLES)
FORMULA = Text("lab_formula", "Formula", "a*b + a")
LEAVES = NamedNumbers("lab_leaves", "input values", {})

page_frame("pages/bug_lab.py", [MODE, BUG, FORMULA, LEAVES])
st.session_state.setdefault("lab_last_good", FORMULA.default)
st.title("Bug lab: the backprop bugs everyone writes")
if not presenting():
    st.markdown("Each engine below is the real one with a few lines changed. A **gradient check** (each input's "
                "gradient against central differences, (f(x + h) − f(x − h)) / 2h) catches every gradient bug; "
                "the loss curve catches the training ones.")
lab = stage.sections(["lab"])["lab"]
with lab, st.container(horizontal=True, vertical_alignment="bottom"):
    MODE.widget()
    if MODE.value == "gallery":
        BUG.widget(width=420)


def new_mystery() -> None:
    others = [b.key for b in BUGS if b.key != st.session_state.get("lab_mystery")]
    st.session_state.update(lab_mystery=random.choice(others), lab_guess=None, lab_guess_result=None)


def spot_the_bug() -> None:
    if "lab_mystery" not in st.session_state:
        new_mystery()
    mystery = BY_KEY[st.session_state.lab_mystery]
    st.markdown("One of the engines produced this. Which bug is it?")
    parts.symptom(mystery, key="lab_mystery_curve")
    guess = st.radio("The bug", list(BY_KEY), format_func=parts.TITLES.get, key="lab_guess", index=None)
    with st.container(horizontal=True):
        if st.button("Reveal", type="primary", disabled=guess is None, icon=":material/visibility:"):
            st.session_state.lab_guess_result = guess
        st.button("Another one", on_click=new_mystery, icon=":material/casino:")
    if st.session_state.get("lab_guess_result") is not None:
        right = st.session_state.lab_guess_result == mystery.key
        (st.success if right else st.error)(f"{'Right' if right else 'Not this one'}: it was {mystery.title}.")
        parts.diff_view(mystery)
        st.markdown(parts.WHY[mystery.key])


def your_formula() -> None:
    expression = formula_input(FORMULA, "lab_last_good", what="the table")
    # different starting values: a·b with a = b would hide the swapped derivatives
    defaults = {name: (1.5, -2.0, 0.5, 3.0)[i % 4] for i, name in enumerate(expression.variables)}
    values = leaf_inputs(LEAVES, defaults, "lab_leaf")
    real = run(expression, values)
    caught = exposes(expression, values)
    rows = [{"engine": "the real one", "output": real.output, "gradient check": "passes" if real.passes else "FAILS"}]
    for bug in GRADIENT_BUGS:
        check = run(expression, values, bug)
        rows.append({"engine": bug.title, "output": check.output,
                     "gradient check": "FAILS: shows the bug" if caught[bug.key] else "passes: hides it"})
    st.table(pd.DataFrame(rows).style.format({"output": "{:.6g}"}), hide_index=True)
    st.caption(f"{sum(caught.values())} of {len(caught)} gradient bugs show on {literal(expression.text)}. "
               "An input used twice (a·a) shows the reuse bug; a·b with a ≠ b shows swapped derivatives; no typed "
               "formula shows the order bug, which needs an inner node used twice. The training bugs need a "
               "training run: see the gallery.")


with lab:
    if MODE.value == "gallery":
        parts.gallery_entry(BY_KEY[BUG.value], hide_check=stage.hidden("check"))
    elif MODE.value == "spot":
        spot_the_bug()
    else:
        your_formula()
