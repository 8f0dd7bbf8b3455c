"""The bug lab's parts: a broken engine shown against the real one, its symptom, and the prose that explains it."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lessons.bug_lab import BUGS, Bug, Check, body, diff, example, training_curves
from lessons.mlp.training import StepReport

from .. import stage
from ..chart_text import numbers_behind
from ..figures import styled
from ..mode import presenting
from ..palette import NEGATIVE, POSITIVE
from ..text import code, literal

# Two sentences on each bug: why it happens, and what gives it away.
WHY = {
    "assign": "A node used twice gets a gradient from each use, and the chain rule adds them up. Assigning keeps "
              "only the contribution that came last, so every input used more than once gets a wrong gradient.",
    "order": "backward() must finish a node's gradient (every use of it) before the node passes it on, which is "
             "what the topological order guarantees. Recursing at once, a node used twice passes on its gradient "
             "once per use, each time in full, so the nodes before it receive too much.",
    "twice": "Every `_backward` adds to the gradients it finds, so a second backward() on the same graph adds "
             "everything again. The gradients grow: double next to the output, more deep in the graph.",
    "tanh_grad": "tanh's local derivative is 1 − t² with t = tanh(x), the output, not 1 − x². At x = 0 both are 1, "
                 "which is why the bug hides near 0 and shows everywhere else.",
    "mul_grad": "For a·b the local derivative with respect to a is the *other* input, b. Swapped, each input gets "
                "its own value, which is right only when both inputs are equal, as in a·a.",
    "tanh_exp": "(e²ˣ − 1)/(e²ˣ + 1) is tanh on paper, but its parts leave the floats: the gradient goes wrong from "
                "x = 183 and the value is nan (inf / inf) from x = 355. math.tanh never computes e²ˣ, so it stays "
                "right; the gradient check's nan gives the broken one away.",
    "sign": "Gradient descent steps *against* the gradient: p.data += −lr · p.grad. With the sign flipped each step "
            "climbs the loss, and the curve goes up instead of down.",
    "zero_grad_late": "zero_grad() belongs before backward(), to clear the last step's gradients. Placed after it, it "
                      "clears the gradients this step just computed, so the update moves nothing and the loss stays.",
}


def diff_view(bug: Bug) -> None:
    st.code(diff(bug), language="diff", wrap_lines=True)
    st.caption(f"Lines marked − are the real code ({code(_where(bug.real))}); lines marked + the broken copy.")


def _where(function) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def check_table(check: Check) -> None:
    """Each input's gradient from the engine under test, central differences, and the real engine."""
    rows = pd.DataFrame({
        "input": [literal(leaf.name) for leaf in check.leaves],
        "this engine": [leaf.broken for leaf in check.leaves],
        "central difference": [leaf.numerical for leaf in check.leaves],
        "check": ["passes" if leaf.passes else "FAILS" for leaf in check.leaves],
    })
    st.table(rows.style.format({"this engine": "{:.6g}", "central difference": "{:.6g}"}), hide_index=True)


def example_view(bug: Bug) -> None:
    if bug.build is not None:
        st.markdown("Example, built in code (a typed formula names only its inputs, so it cannot share an inner node):")
        st.code("\n".join(body(bug.build)), language="python", wrap_lines=True)
    else:
        values = ", ".join(f"{literal(k)} = {v:g}" for k, v in bug.values.items())
        st.markdown(f"Example: {code(bug.formula)} at {values}")


def loss_curves(real: list[StepReport], broken: list[StepReport]) -> go.Figure:
    """The training loop's loss, step by step, without the bug and with it."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[r.step for r in real], y=[r.loss for r in real], name="the real loop",
                             line=dict(color=POSITIVE, width=3)))
    fig.add_trace(go.Scatter(x=[r.step for r in broken], y=[r.loss for r in broken], name="with the bug",
                             line=dict(color=NEGATIVE, width=3, dash="dash")))
    fig.update_xaxes(title="step")
    fig.update_yaxes(title="loss (the lecture's four samples)")
    return styled(fig, height=340)


def symptom(bug: Bug, key: str, hide_check: bool = False) -> None:
    """What the bug does, without naming it: a gradient check that fails, or a loss curve that goes wrong."""
    if bug.training:
        real, broken = training_curves(bug, 30)
        st.plotly_chart(loss_curves(real, broken), key=key,
                        alt="The loss at each training step: the real loop against the loop with the bug")
        bugged = {r.step: r.loss for r in broken}
        numbers_behind(key, "The loss of the lecture's four samples at each of 30 training steps: the real loop "
                       "(solid) beside the loop with this bug (dashed).",
                       lambda: pd.DataFrame({"step": [r.step for r in real], "the real loop": [r.loss for r in real],
                                             "with the bug": [bugged.get(r.step, math.nan) for r in real]}))
        return
    example_view(bug)
    if hide_check:
        stage.hidden_box("the gradients this engine gives, and the check")
        return
    check = example(bug)
    check_table(check)
    if check.output != check.output:  # nan
        st.caption(f"This engine's output is nan; the real engine's is {check.real_output:g}.")


def gallery_entry(bug: Bug, hide_check: bool = False) -> None:
    if not presenting():
        st.subheader(bug.title)
    left, right = st.columns([1, 1], gap="medium")
    with left:
        diff_view(bug)
        if not hide_check:  # it says what the check shows
            st.markdown(WHY[bug.key])
    with right:
        symptom(bug, key=f"lab_curve_{bug.key}", hide_check=hide_check)


TITLES = {bug.key: bug.title for bug in BUGS}
