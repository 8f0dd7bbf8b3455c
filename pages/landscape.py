"""Loss landscape: the loss of w and b drawn whole, found by hand, then walked by three optimisers."""

import pandas as pd
import streamlit as st

from lessons import landscape as land
from lessons.optimisers import OPTIMISERS, Adam, GradientDescent, Momentum
from lessons.source import source
from ui import Choice, Counter, Number, Slider, page_frame, presenting, shielded, stage
from ui.chart_text import numbers_behind
from ui.landscape_figures import SIZE, landscape_chart

ALL = "all three"
OPTIMISER = Choice("land_opt", "optimiser", "gradient descent", options=(*OPTIMISERS, ALL))
LR = Slider("land_lr", "learning rate lr", 0.02, 0.001, 0.2, step=0.001, format="%.3f")
START_W = Number("land_w0", "start w", land.START[0], *land.W_RANGE, step=0.1, format="%.3g")
START_B = Number("land_b0", "start b", land.START[1], *land.B_RANGE, step=0.1, format="%.3g")
HAND_W = Slider("land_hand_w", "w", 0.0, *land.W_RANGE, step=0.01)
HAND_B = Slider("land_hand_b", "b", 0.0, *land.B_RANGE, step=0.01)
STEPS = Counter("land_steps", "steps", 0, 0, land.MAX_STEPS)
ABOVE = 70  # on the stage: the title above the chart

page_frame("pages/landscape.py", [OPTIMISER, LR, START_W, START_B, HAND_W, HAND_B, STEPS])
st.title("The loss landscape: where does gradient descent go?")


@st.cache_data(show_spinner=False)
def surface() -> tuple[list[float], list[float], list[list[float]]]:
    """The loss at 61 × 61 points, each a forward pass of the engine: computed once per server."""
    return *land.axes(), land.surface()


@st.cache_data(max_entries=256, show_spinner=False)
def walked(start: tuple[float, float], lr: float, steps: int) -> dict[str, land.Path]:
    """Every optimiser's path from `start`, each step a forward and backward pass of the engine (kept, so that a
    rerun that moves only the point set by hand does not walk them again)."""
    return {name: land.descend(name, start, lr, steps) for name in OPTIMISERS}


def take_steps(k: int) -> None:
    st.session_state[STEPS.key] = 0 if k == 0 else min(STEPS.hi, STEPS.value + k)


def step_buttons(where: str = "") -> None:
    """Step, 10 steps and Reset (`where` tells apart the second row, above the optimisers' table)."""
    with st.container(horizontal=True):
        st.button("Step", on_click=take_steps, args=(1,), icon=":material/skip_next:", key=f"land_step{where}")
        st.button("10 steps", on_click=take_steps, args=(10,), icon=":material/fast_forward:", key=f"land_ten{where}")
        st.button("Reset", on_click=take_steps, args=(0,), icon=":material/restart_alt:", key=f"land_reset{where}")


def clicked() -> None:
    """A click on the landscape: descent starts again from that point."""
    cells = [c for c in st.session_state.land_chart.selection.get("cell", []) if "i" in c and "j" in c]
    if cells:
        ws, bs = land.axes()
        st.session_state[START_W.key] = round(ws[int(cells[0]["j"])], 3)
        st.session_state[START_B.key] = round(bs[int(cells[0]["i"])], 3)
        st.session_state[STEPS.key] = 0


def chosen() -> list[str]:
    return list(OPTIMISERS) if OPTIMISER.value == ALL else [OPTIMISER.value]


def landscape(where, every: dict) -> None:
    with where:
        if not presenting():
            st.markdown("One neuron without an activation, **pred = w·x + b**, fits five points by the mean squared "
                        "error. With two parameters the loss is a surface over the (w, b) plane, drawn here whole: "
                        "every cell is a forward pass of the engine. **First find its lowest point by hand**; then "
                        "click anywhere to start descent there, and step.")
        chart, panel = st.columns([3, 2], gap="medium")
        start = (START_W.value, START_B.value)
        shown = [every[name] for name in chosen()]
        floor = land.lowest()
        with panel:
            st.markdown("**By hand:** move w and b to the lowest loss you can find.")
            a, b = st.columns(2)
            HAND_W.widget(a)
            HAND_B.widget(b)
            mine = land.loss_at(HAND_W.value, HAND_B.value)
            best = min(st.session_state.get("land_best", mine), mine)
            st.session_state.land_best = best
            a.metric("loss here", f"{mine:.4g}")
            b.metric("your lowest", f"{best:.4g}")
            a, b = st.columns(2)
            OPTIMISER.widget(a)
            LR.widget(b)
            step_buttons()
            if not presenting():
                c, d = st.columns(2)
                START_W.widget(c)
                START_B.widget(d)
        with chart, shielded("The loss landscape"):
            ws, bs, losses = surface()
            size = int(min(SIZE, stage.room() - ABOVE)) if presenting() else SIZE
            st.vega_lite_chart(None, landscape_chart(ws, bs, losses, shown, start, floor[:2],
                                                     (HAND_W.value, HAND_B.value), size),
                               on_select=clicked, key="land_chart", selection_mode=["cell"])
            st.caption(f"Lighter is lower. × the lowest point (w = {floor[0]:.4g}, b = {floor[1]:.4g}, loss "
                       f"{floor[2]:.4g}); ○ the start (click to move it); ◇ your point; the orange arrow the "
                       "gradient at the path's current point: uphill, so each step goes the other way. Momentum's "
                       "and Adam's arrows, in their colours, are their state: the way it carries their next step.")
            numbers_behind("land_chart", "Each optimiser's path over the loss landscape: at every step its w, b, "
                           "loss and gradient.", lambda: path_table(shown))
        verdicts(shown, best, floor[2])


def verdicts(paths: list, best: float, lowest: float) -> None:
    for p in paths:
        end = p.end
        if p.left is not None:
            st.warning(f"**{p.name}** left the valley at step {p.left}: its loss grew to {end.loss:.3g}. Each step "
                       "overshot the valley's far wall by more than the last; lower the learning rate.",
                       icon=":material/trending_up:")
        elif STEPS.value:
            st.markdown(f"**{p.name}** after {len(p.steps) - 1} steps: loss **{end.loss:.4g}** at w = {end.w:.4g}, "
                        f"b = {end.b:.4g} (the lowest is {lowest:.4g}; yours by hand {best:.4g}).")


def path_table(paths: list) -> pd.DataFrame:
    return pd.DataFrame([{"optimiser": p.name, "step": k, "w": s.w, "b": s.b, "loss": s.loss, "dloss/dw": s.grad_w,
                          "dloss/db": s.grad_b} for p in paths for k, s in enumerate(p.steps)])


def optimisers(where, every: dict) -> None:
    """Each optimiser's state per parameter at the current step, and its code."""
    with where:
        st.header("What each optimiser keeps")
        if stage.focus() == "optimisers":  # the scene opens here: its steps are taken here too
            step_buttons("_table")
        rows = []
        for name, path in every.items():
            for param, data, grad, state in zip(("w", "b"), (path.end.w, path.end.b),
                                                (path.end.grad_w, path.end.grad_b), path.end.state):
                rows.append({"optimiser": name, "parameter": param, "data": data, "grad": grad, **state})
        st.table(pd.DataFrame(rows).style.format(precision=5, na_rep=""), hide_index=True)
        st.caption(f"At step {STEPS.value}, from the same start and learning rate. Momentum's velocity is a running "
                   "sum of the gradients, so it keeps going along the valley where the gradient is small; Adam "
                   "divides its running mean m by the root of its running square v, so w and b take steps of about "
                   "the same size whatever their gradients' scale. The MLP page trains with any of the three (its "
                   "optimiser setting), and shows this state for every weight.")
        tabs = st.tabs([cls.name for cls in (GradientDescent, Momentum, Adam)])
        for tab, cls in zip(tabs, (GradientDescent, Momentum, Adam)):
            tab.code(source(cls.step), language="python", wrap_lines=True)


parts = stage.sections(["landscape", "optimisers"])
every_path = walked((START_W.value, START_B.value), LR.value, STEPS.value)
landscape(parts["landscape"], every_path)
optimisers(parts["optimisers"], every_path)
