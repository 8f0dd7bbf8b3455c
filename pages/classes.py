"""More than two classes: softmax and cross-entropy from Values, p − y on one sample, and a spiral learnt."""

import numpy as np
import pandas as pd
import streamlit as st

from lessons import softmax as sm
from lessons.mlp.matrix import mlp_forward_numpy
from lessons.mlp.runs import decision_grid
from lessons.mlp.settings import RunSettings, run_link
from lessons.source import source
from server import one_at_a_time
from ui import Number, Slider, classroom, page_frame, presenting, shielded, stage
from ui.chart_text import numbers_behind
from ui.plane_figures import MANY_CLASSES, boundary_chart, class_name
from ui.ticking import switch_page
from ui.training_figures import loss_chart
from ui.training_tables import points_table

X, Y = sm.spiral()
# this page's network on the MLP page's three spirals (150 points, 2-16-16-3 ReLU, cross-entropy)
ON_THE_MLP_PAGE = RunSettings(dataset="spiral3", n_points=150, layers=2, neurons=16, activation="relu",
                              loss="cross_entropy", lr=0.1, model_seed=1)
MOST_PER_CLICK = 20  # steps one click may take: each is 150 forward and backward passes of the engine
LR = Slider("cls_lr", "learning rate lr", 0.5, 0.01, 2.0, step=0.01)
SEED = Number("cls_seed", "model seed", 1, 0, 9999, step=1)
SAMPLE = Number("cls_sample", "sample", 1, 1, len(X), step=1)

page_frame("pages/classes.py", [LR, SEED, SAMPLE])
st.title("More than two classes: softmax and cross-entropy")


def model_state() -> dict:
    """This student's network and its history, started afresh when the seed changes."""
    state = st.session_state.get("cls_model")
    if state is None or state["seed"] != SEED.value:
        state = {"seed": SEED.value, "model": sm.make_model(SEED.value), "history": []}
        st.session_state.cls_model = state
    return state


def train(steps: int) -> None:
    state = model_state()
    with one_at_a_time.turn(classroom.client_key()) as mine:  # one session's steps at a time on the whole server
        if not mine:
            st.session_state.cls_busy = True
            return
        for _ in range(steps):
            state["history"].append(sm.train_step(state["model"], X, Y, LR.value, len(state["history"]) + 1))


def reset() -> None:
    st.session_state.pop("cls_model", None)


def check(where, state: dict) -> None:
    with where:
        st.header("One sample: softmax, cross-entropy and p − y")
        if not presenting():
            st.markdown("With k classes the network gives k **scores**; **softmax** makes them probabilities "
                        "(exp each, divide by their sum) and **cross-entropy** is −log of the true class's "
                        "probability. Both are built from the engine's `exp`, `log`, sums and division.")
        left, right = st.columns([3, 2], gap="medium")
        with right:
            SAMPLE.widget()
            # on the stage a button, so that the table and the check keep the first screen
            where = st.popover("The code", icon=":material/code:") if presenting() else st.container()
            with where:
                st.code(source(sm.softmax) + "\n\n" + source(sm.cross_entropy), language="python", wrap_lines=True)
        k = SAMPLE.value - 1
        scores = [s.data for s in state["model"](X[k])]
        c = sm.check_sample(scores, Y[k])
        with left:
            st.markdown(f"Sample {k + 1} at ({X[k][0]:.3f}, {X[k][1]:.3f}), "
                        f"true class **{class_name(Y[k], True)}**; its "
                        f"loss −log p = **{c.loss:.6g}**.")
            table = pd.DataFrame({"class": list(MANY_CLASSES), "score": c.scores, "p = softmax": c.probabilities,
                                  "y (one-hot)": c.one_hot, "p − y": c.p_minus_y, "grad of the score": c.grads})
            hidden = stage.hidden("gradient")
            if hidden:  # the question asks for p − y: the table keeps to what it is computed from
                table = table.drop(columns=["p − y", "grad of the score"])
            st.table(table.style.format(precision=4), hide_index=True)
            if hidden:
                stage.hidden_box("p − y and the gradient backward() gives the scores")
            elif c.largest_gap <= 1e-12:
                gap = "they are equal to the last bit" if c.largest_gap == 0 else \
                    f"they differ by at most {c.largest_gap:.1e}"
                st.success(f"backward() gives each score the gradient p − y: {gap}. The lecture never shows it; "
                           "the engine finds it.", icon=":material/check_circle:")
            else:
                st.error(f"backward() and p − y differ by {c.largest_gap:.2e}.", icon=":material/error:")


def spiral_view(where, state: dict) -> None:
    with where:
        st.header("Three classes: a spiral")
        if not presenting():
            st.markdown(f"{len(X)} points on three arms of a spiral; a network MLP(2, [16, 16, 3]) with ReLU, one "
                        "score per class, trained by the lecture's loop on the mean cross-entropy.")
        history = state["history"]
        with st.container(horizontal=True, vertical_alignment="bottom"):
            st.button("Step", on_click=train, args=(1,), icon=":material/skip_next:", key="cls_step")
            st.button(f"{MOST_PER_CLICK} steps", on_click=train, args=(MOST_PER_CLICK,),
                      icon=":material/fast_forward:", key="cls_many")
            st.button("Reset", on_click=reset, icon=":material/restart_alt:", key="cls_reset")
            LR.widget(width=260)
            if not presenting():
                SEED.widget(width=140)
            if not presenting() and st.button(
                    "Train it live on the MLP page", icon=":material/open_in_new:", key="cls_to_mlp",
                    help="The same network on the MLP page's three spirals: trained live, in your browser if you "
                    "like, with its weights, one sample's graph and the same run in numpy."):
                switch_page("pages/mlp_training.py", run_link(ON_THE_MLP_PAGE))  # from the page, not a callback
        if st.session_state.pop("cls_busy", False):
            st.warning("The server is taking other students' steps: press again in a moment. (The MLP training page "
                       "trains three classes live too: dataset *three spirals*.)", icon=":material/groups:")
        last = history[-1] if history else None
        a, b, c = st.columns(3)
        a.metric("step", len(history))
        b.metric("loss", f"{last.loss:.4g}" if last else "–")
        c.metric("accuracy", f"{last.accuracy:.0%}" if last else "–")
        if last is not None and not np.isfinite(last.loss):
            st.warning("The loss is no longer a number: the learning rate is too large. Lower it and press Reset.",
                       icon=":material/trending_up:")
        left, right = st.columns(2, gap="medium")
        with left, shielded("The chart of the classes"):
            xs, ys, scores = decision_grid(state["model"], X, 50)
            st.vega_lite_chart(None, boundary_chart(xs, ys, scores, [], X, Y, picked=SAMPLE.value - 1))
            st.caption("The plane is tinted with the class of the network's largest score; the sample above is "
                       "ringed.")
            numbers_behind("cls_points", "Each point of the spiral with its class and the class the network gives it.",
                           lambda: points_table(X, Y, mlp_forward_numpy(state["model"], np.asarray(X)).tolist()),
                           most=len(X))
        with right:
            st.vega_lite_chart(None, loss_chart([r.step for r in history], [r.loss for r in history], "this run"))


state = model_state()
parts = stage.sections(["check", "train"])
check(parts["check"], state)
spiral_view(parts["train"], state)
