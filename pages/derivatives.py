"""Derivatives: nudge an input by h and watch the output respond (lecture, 00:08 to 00:19)."""

import numpy as np
import pandas as pd
import streamlit as st

from micrograd_core.expr import ExpressionError, parse
from micrograd_core.one_weight import contraction, descend
from micrograd_core.slope import autograd_slope, forward_difference, partial_slopes, slope_errors
from ui import Param, detail_visible, init_state, page_frame
from ui.figures import descent_plot, function_with_secant, slope_error_plot

DEFAULT_FORMULA = "3*x**2 - 4*x + 5"
PARAMS = [
    Param("deriv_formula", DEFAULT_FORMULA),
    Param("deriv_x", 3.0, -5.0, 5.0),
    Param("deriv_log_h", -3, -12, 0),
    Param("deriv_a", 2.0, -5.0, 5.0),
    Param("deriv_b", -3.0, -5.0, 5.0),
    Param("deriv_c", 10.0, -10.0, 10.0),
    Param("deriv_nudge", -4, -12, 0),
    Param("deriv_input", 2.0, -3.0, 3.0),
    Param("deriv_goal", 0.8, -3.0, 3.0),
    Param("deriv_w0", 0.0, -3.0, 3.0),
    Param("deriv_lr", 0.1, 0.01, 1.0),
]
MAX_STEPS = 200

page_frame("pages/derivatives.py", PARAMS)
init_state({"deriv_steps": 0, "deriv_last_good": DEFAULT_FORMULA})
st.title("Derivatives: how does the output respond to a nudge?")


def read_formula():
    """The typed formula if it is a function of x alone; else its error shown under the input, and the last good one."""
    try:
        expression = parse(st.session_state.deriv_formula)
        if set(expression.variables) - {"x"}:
            others = ", ".join(sorted(set(expression.variables) - {"x"}))
            raise ExpressionError(f"use x as the only variable (found {others})")
        st.session_state.deriv_last_good = expression.text
        return expression
    except ExpressionError as err:
        st.error(f"{err} — showing the last good formula, `{st.session_state.deriv_last_good}`.")
        return parse(st.session_state.deriv_last_good)


def one_input() -> None:
    st.header("One input: the slope of f at x")
    left, right = st.columns([3, 2])
    with right:
        st.text_input("f(x) =", key="deriv_formula", help="Numbers, x, + - * / ** ( ) and exp log tanh sigmoid relu.")
        expression = read_formula()
        st.slider("x", -5.0, 5.0, step=0.05, key="deriv_x")
        st.slider("step h = 10^k", -12, 0, key="deriv_log_h", format="10^%d")
        x, h = st.session_state.deriv_x, 10.0 ** st.session_state.deriv_log_h
        f = lambda v: expression.evaluate({"x": v})  # noqa: E731
        numerical = forward_difference(f, x, h)
        exact = autograd_slope(expression, {"x": x}, "x")
        if detail_visible():
            st.caption(f"f({x:g}) = {f(x):.10g},  f({x:g} + {h:g}) = {f(x + h):.10g}")
    a, b, c = st.columns(3)
    a.metric("(f(x+h) − f(x)) / h", f"{numerical:.10g}")
    b.metric("autograd slope", f"{exact:.10g}")
    c.metric("difference", f"{numerical - exact:.2e}")
    with left:
        xs = np.linspace(-6.0, 6.0, 301)
        ys = [f(v) for v in xs]
        st.plotly_chart(function_with_secant(xs, ys, x, f(x), h, f(x + h), exact), key="deriv_f_chart")
    st.subheader("How small can h be?")
    hs = np.logspace(-15, 0, 61)
    st.plotly_chart(slope_error_plot(hs, slope_errors(f, x, exact, hs), h), key="deriv_err_chart")
    st.caption(
        "Large h: the secant is not the tangent (error shrinks with h). Tiny h: f(x+h) and f(x) agree in almost "
        "every digit a float holds, so their difference is mostly round-off, and dividing by h magnifies it."
    )


def several_inputs() -> None:
    st.header("Several inputs: d = a·b + c")
    cols = st.columns(4)
    for col, (name, lo, hi) in zip(cols, (("a", -5.0, 5.0), ("b", -5.0, 5.0), ("c", -10.0, 10.0))):
        col.slider(name, lo, hi, step=0.1, key=f"deriv_{name}")
    cols[3].slider("nudge h = 10^k", -12, 0, key="deriv_nudge", format="10^%d")
    values = {n: st.session_state[f"deriv_{n}"] for n in "abc"}
    h = 10.0 ** st.session_state.deriv_nudge
    rows = partial_slopes(parse("a*b + c"), values, h)
    table = pd.DataFrame(
        {
            "nudge": [f"{n} += {h:g}" for n in rows],
            "d before": [r["before"] for r in rows.values()],
            "d after": [r["after"] for r in rows.values()],
            "slope (after − before) / h": [r["numerical"] for r in rows.values()],
            "autograd gradient": [r["autograd"] for r in rows.values()],
        }
    )
    st.table(table.style.format(precision=6))
    st.caption("Autograd says dd/da = b, dd/db = a and dd/dc = 1: nudging a moves d by about b·h, and so on.")


def take_steps(k: int) -> None:
    st.session_state.deriv_steps = 0 if k == 0 else min(MAX_STEPS, st.session_state.deriv_steps + k)


def predict_compare_learn() -> None:
    st.header("Predict, compare, learn: one weight")
    st.markdown(
        "pred = input × weight, error = ½ (pred − goal)², and each step follows the slope: "
        "**weight −= lr × (pred − goal) × input**."
    )
    cols = st.columns(4)
    cols[0].slider("input", -3.0, 3.0, step=0.1, key="deriv_input")
    cols[1].slider("learning rate lr", 0.01, 1.0, step=0.01, key="deriv_lr")
    if detail_visible():
        cols[2].slider("goal", -3.0, 3.0, step=0.1, key="deriv_goal")
        cols[3].slider("start weight", -3.0, 3.0, step=0.1, key="deriv_w0")
    s = st.session_state
    with st.container(horizontal=True):
        st.button("Step", on_click=take_steps, args=(1,), icon=":material/skip_next:")
        st.button("Run 10 steps", on_click=take_steps, args=(10,), icon=":material/fast_forward:")
        st.button("Reset", on_click=take_steps, args=(0,), icon=":material/restart_alt:")
    history = descend(s.deriv_w0, s.deriv_input, s.deriv_goal, s.deriv_lr, s.deriv_steps)
    last = history[-1]
    a, b, c = st.columns(3)
    a.metric("step", s.deriv_steps)
    b.metric("weight", f"{last.weight:.6g}")
    c.metric("error", f"{last.error:.6g}")
    factor = contraction(s.deriv_input, s.deriv_lr)
    if s.deriv_input == 0:
        st.info("With input 0 the prediction is always 0: the weight gets no gradient and cannot learn.")
        best = s.deriv_w0
    else:
        best = s.deriv_goal / s.deriv_input
    if abs(factor) > 1:
        st.warning(
            f"Diverging: each step multiplies the distance to the best weight by 1 − lr × input² = {factor:.3g}. "
            "Its size is above 1, so every step overshoots further than the last. Lower the learning rate."
        )
    elif s.deriv_steps and abs(factor) == 1:
        st.warning("lr × input² = 2: every step jumps to the mirror image of the weight, forever.")
    st.plotly_chart(
        descent_plot([r.weight for r in history], [r.error for r in history], best), key="deriv_descent_chart"
    )


one_input()
several_inputs()
predict_compare_learn()
