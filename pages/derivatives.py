"""Derivatives: nudge an input by h and watch the output respond (the lecture's first two chapters on derivatives)."""

import math

import numpy as np
import pandas as pd
import streamlit as st

from lessons.derivatives import contraction, descend, forward_difference, partial_slopes, slope_at, slope_errors
from lessons.formulas import parse
from ui import Counter, Slider, Text, init_state, page_frame, presenting, shielded, stage
from ui.chart_text import numbers_behind
from ui.figures import descent_plot, function_with_secant, slope_error_plot
from ui.formula_input import exact_input, formula_input, shortest
from ui.text import code

DEFAULT_FORMULA = "3*x**2 - 4*x + 5"
FORMULA = Text("deriv_formula", "f(x) =", DEFAULT_FORMULA)
X = Slider("deriv_x", "x", 3.0, -5.0, 5.0, step=0.05)
LOG_H = Slider("deriv_log_h", "step h = 10^k", -3, -15, 0, format="10^%d")
STEPS_SHOWN = (1e-1, 1e-3, 1e-6, 1e-9, 1e-12, 1e-14)  # the error table's steps, from a secant to round-off
LEAVES = [Slider("deriv_a", "a", 2.0, -5.0, 5.0, step=0.1), Slider("deriv_b", "b", -3.0, -5.0, 5.0, step=0.1),
          Slider("deriv_c", "c", 10.0, -10.0, 10.0, step=0.1)]
NUDGE = Slider("deriv_nudge", "nudge h = 10^k", -4, -12, 0, format="10^%d")
INPUT = Slider("deriv_input", "input", 2.0, -3.0, 3.0, step=0.1)
LR = Slider("deriv_lr", "learning rate lr", 0.1, 0.01, 1.0, step=0.01)
GOAL = Slider("deriv_goal", "goal", 0.8, -3.0, 3.0, step=0.1)
W0 = Slider("deriv_w0", "start weight", 0.0, -3.0, 3.0, step=0.1)
STEPS = Counter("deriv_steps", "steps", 0, 0, 200)

page_frame("pages/derivatives.py", [FORMULA, X, LOG_H, *LEAVES, NUDGE, INPUT, GOAL, W0, LR, STEPS])
init_state({"deriv_last_good": DEFAULT_FORMULA})
st.title("Derivatives: how does the output respond to a nudge?")


def number(v: float, spec: str = ".10g") -> str:
    return format(v, spec) if math.isfinite(v) else "undefined"


STATUS = {
    "undefined": "f is not defined at x = {x}: f({x}) = {fx}. There is no slope to find here; move x.",
    "no_slope": "f({x}) = {fx}, but f has no finite slope there: autograd gives {exact} (the curve is vertical, "
    "or the formula divides by 0 on the way back). The nudged slope grows without bound as h shrinks.",
    "nudge_undefined": "f(x + h) = {fxh}: the nudge lands where f is not defined. Try a smaller h or another x.",
    "corner": "f has a corner at x = {x}: its slope from the left is {left:g}, from the right {right:g}, so f has "
    "no derivative here. Autograd still has to give a number, {exact:g}: this engine takes relu's local "
    "derivative at exactly 0 to be 0 (its rule is 1 if x > 0 else 0). The nudge (f(x + h) − f(x)) / h looks "
    "to the right of x only, so it finds the slope from the right.",
}


def one_input(where):
    """x, h and f: the chart with its secant and tangent, and the slopes. Returns what the error chart needs."""
    with where:
        if not on_stage:
            st.header("One input: the slope of f at x")
        chart_col, controls = st.columns([3, 2], gap="medium")
        with controls:
            expression = formula_input(FORMULA, "deriv_last_good", variables={"x"})
            X.widget()
            exact_input("x exactly (a number or e.g. 2/3)", X)
            LOG_H.widget()
            point = slope_at(expression, X.value, 10.0 ** LOG_H.value)
            x = shortest(point.x)
            if point.status in STATUS:
                left, right = point.corner or (0.0, 0.0)
                st.warning(STATUS[point.status].format(x=x, fx=f"{point.fx:g}", fxh=f"{point.fxh:g}", left=left,
                                                       right=right, exact=point.exact), icon=":material/block:")
            else:
                st.caption(f"f({x}) = {point.fx:.10g},  f({x} + {point.h:g}) = {point.fxh:.10g}")
        with chart_col, shielded("The chart of f"):
            xs = np.linspace(-6.0, 6.0, 301)
            ys = [expression.evaluate({"x": v}) for v in xs]
            height = stage.room() - METRICS if on_stage else 360
            st.plotly_chart(function_with_secant(xs, ys, point.x, point.fx, point.h, point.fxh, point.exact,
                                                 height=height), key="deriv_f_chart",
                            alt=f"Chart of f(x) = {expression.text} for x from −6 to 6, with the secant through x = "
                            f"{x} and x + h, and the tangent at x")
            slopes = "" if stage.hidden("slope") else (
                f" At x = {x} the secant to x + {point.h:g} has slope {number(point.numerical, '.6g')}; the tangent, "
                f"autograd's slope, {number(point.exact, '.6g')}.")
            numbers_behind("deriv_f", f"The curve of f(x) = {code(expression.text)} for x from −6 to 6.{slopes}",
                           lambda: pd.DataFrame({"x": xs, "f(x)": ys}), formats={"x": ".3g"})
        with chart_col:
            if stage.hidden("slope"):
                stage.hidden_box("the slopes, nudged and by autograd")
            else:
                exact = point.exact if point.status != "undefined" else math.nan  # no slope where f is undefined
                a, b, c = st.columns(3)
                a.metric("(f(x+h) − f(x)) / h", number(point.numerical))
                b.metric("autograd slope", number(exact))
                c.metric("difference", number(point.numerical - exact, ".2e"))
    return expression, point


def h_error(where, expression, point) -> None:
    """How the nudged slope's error depends on h: too large measures a secant, too small only round-off."""
    with where:
        st.subheader("How small can h be?")
        if stage.hidden("h_error"):
            stage.hidden_box("the error of the nudged slope for every h")
            return
        f = lambda v: expression.evaluate({"x": v})  # noqa: E731
        chart, numbers = st.columns([3, 2], gap="medium")
        with chart, shielded("The chart of the slope's error"):
            hs = np.logspace(-15, 0, 61)
            height = stage.room() - 130 if on_stage else 300
            curve = slope_errors(f, point.x, point.exact, hs)
            st.plotly_chart(slope_error_plot(hs, curve, point.h, height=height),
                            key="deriv_err_chart", alt="Log-log chart of the nudged slope's error against the step h")
            numbers_behind("deriv_err", f"The error of the nudged slope at x = {shortest(point.x)} for 61 steps h "
                           "from 10⁻¹⁵ to 1, on log scales: it falls with h, then rises again below about 10⁻⁸ as "
                           "round-off takes over.",
                           lambda: pd.DataFrame({"h": hs, "error": curve}),
                           formats={"h": ".2e", "error": ".3e"})
        with numbers:
            steps = sorted({*STEPS_SHOWN, point.h}, reverse=True)
            errors = slope_errors(f, point.x, point.exact, steps)
            table = pd.DataFrame({"h": [f"{h:g}" + (" (yours)" if h == point.h else "") for h in steps],
                                  "nudged slope": [forward_difference(f, point.x, h) for h in steps],
                                  "error": errors})
            st.table(table.style.format({"nudged slope": "{:.10g}", "error": "{:.2e}"}), hide_index=True)
        st.caption(
            "Large h: the secant is not the tangent (error shrinks with h). Tiny h: f(x+h) and f(x) agree in almost "
            "every digit a float holds, so their difference is mostly round-off, and dividing by h magnifies it."
        )


def several_inputs(where) -> None:
    with where:
        st.header("Several inputs: d = a·b + c")
        cols = st.columns(4)
        for col, leaf in zip(cols, LEAVES):
            leaf.widget(col)
        NUDGE.widget(cols[3])
        values = {leaf.label: leaf.value for leaf in LEAVES}
        h = 10.0 ** NUDGE.value
        rows = partial_slopes(parse("a*b + c"), values, h)
        columns = {
            "nudge": [f"{n} += {h:g}" for n in rows],
            "d before": [r["before"] for r in rows.values()],
            "d after": [r["after"] for r in rows.values()],
        }
        hidden = stage.hidden("nudge_slopes")
        if not hidden:
            columns["slope (after − before) / h"] = [r["numerical"] for r in rows.values()]
            columns["autograd gradient"] = [r["autograd"] for r in rows.values()]
        st.table(pd.DataFrame(columns).style.format(precision=6))
        if hidden:
            stage.hidden_box("the slopes, (after − before) / h and by autograd")
        else:
            st.caption("Autograd says dd/da = b, dd/db = a and dd/dc = 1: nudging a moves d by about b·h, and so on.")


def take_steps(k: int) -> None:
    st.session_state[STEPS.key] = 0 if k == 0 else min(STEPS.hi, STEPS.value + k)


def predict_compare_learn(where) -> None:
    with where:
        st.header("Predict, compare, learn: one weight")
        st.markdown(
            "pred = input × weight, error = ½ (pred − goal)², and each step follows the slope: "
            "**weight −= lr × (pred − goal) × input**."
        )
        cols = st.columns(4)
        INPUT.widget(cols[0])
        LR.widget(cols[1])
        if not presenting():
            GOAL.widget(cols[2])
            W0.widget(cols[3])
        with st.container(horizontal=True):
            st.button("Step", on_click=take_steps, args=(1,), icon=":material/skip_next:")
            st.button("Run 10 steps", on_click=take_steps, args=(10,), icon=":material/fast_forward:")
            st.button("Reset", on_click=take_steps, args=(0,), icon=":material/restart_alt:")
        x, lr, goal = INPUT.value, LR.value, GOAL.value
        history = descend(W0.value, x, goal, lr, STEPS.value)
        last = history[-1]
        a, b, c = st.columns(3)
        a.metric("step", STEPS.value)
        b.metric("weight", number(last.weight, ".6g"))
        c.metric("error", number(last.error, ".6g"))
        factor = contraction(x, lr)
        if x == 0:
            st.info("With input 0 the prediction is always 0: the weight gets no gradient and cannot learn.")
        if abs(factor) > 1:
            st.warning(
                f"Diverging: each step multiplies the distance to the best weight by 1 − lr × input² = {factor:.3g}. "
                "Its size is above 1, so every step overshoots further than the last. Lower the learning rate."
            )
        elif STEPS.value and abs(factor) == 1:
            st.warning("lr × input² = 2: every step jumps to the mirror image of the weight, forever.")
        best = None if x == 0 else goal / x
        with shielded("The chart of the weight's descent"):
            st.plotly_chart(descent_plot([r.weight for r in history], [r.error for r in history], best),
                            key="deriv_descent_chart", alt="The weight and its error at each step of gradient descent")
        numbers_behind("deriv_descent", f"The weight (above) and the error (below) at each of the {STEPS.value} steps "
                       f"taken" + ("." if best is None else f"; the best weight is goal / input = {best:.6g}."),
                       lambda: pd.DataFrame({"step": range(len(history)), "weight": [r.weight for r in history],
                                             "error": [r.error for r in history]}))



on_stage = presenting() and stage.focus() is not None
METRICS = 140  # on the stage: the row of slopes under the chart, and the gap above it
parts = stage.sections(["one_input", "h_error", "several", "learn"])
expression, point = one_input(parts["one_input"])
h_error(parts["h_error"], expression, point)
several_inputs(parts["several"])
predict_compare_learn(parts["learn"])
