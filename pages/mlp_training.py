"""MLP training: build an MLP, write a loss, and watch gradient descent lower it live (lecture, 01:43 to 02:10)."""

import streamlit as st

from lessons.mlp.settings import PRESETS, batch_cut, check_limits, matching_preset
from lessons.mlp.training import PHASES
from ui import page_frame, presenting
from ui.parts import mlp_training as parts
from ui.text import literal

page_frame("pages/mlp_training.py", [*parts.SETTINGS, parts.PACE, parts.SAMPLE])
st.title("MLP training: watch a network learn")
if not presenting():
    st.markdown("The lecture's finale: an MLP of `Neuron`s and `Layer`s, a loss over the data, and gradient descent "
                "by hand: forward pass, `zero_grad()`, `backward()`, then every parameter takes a small step "
                "against its gradient.")


def buttons(run) -> None:
    st.session_state.mlp_preset = matching_preset(run.settings) or "custom"
    phase = PHASES[(PHASES.index(run.phase.name) + 1) % len(PHASES)] if run.phase is not None else PHASES[0]
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.selectbox("preset", [*PRESETS, "custom"], key="mlp_preset", width=220,
                     on_change=lambda: parts.load_preset(st.session_state.mlp_preset),
                     label_visibility="collapsed" if presenting() else "visible")
        st.button("Step", on_click=run.step, icon=":material/skip_next:", key="mlp_step")
        st.button(f"Phase: {phase}", on_click=run.next_phase, icon=":material/steps:", key="mlp_phase",
                  help="The step in its five phases, one at a time: forward, loss, zero_grad, backward, update.")
        if run.training:
            st.button("Pause", on_click=run.pause, icon=":material/pause:", key="mlp_pause")
        else:
            st.button("Train", on_click=run.train, icon=":material/play_arrow:", key="mlp_train", type="primary")
        st.button("Reset", on_click=run.reset, icon=":material/restart_alt:", key="mlp_reset",
                  help="Back to the initial weights; this run's curve is kept to compare.")
        st.button("Clear earlier runs", on_click=run.clear, icon=":material/layers_clear:", key="mlp_clear",
                  disabled=not run.kept)


settings = parts.read_settings()
problems = check_limits(settings)
for problem in problems:  # only a hand-made session state gets here: the widgets and links keep to the limits
    st.error(f"{literal(problem.setting)} = {literal(problem.asked)} is outside {problem.allowed}.")
if problems:
    st.stop()
run = parts.training_run()
if run.update(settings, parts.PACE.value) == "restarted":
    st.info("Settings changed: the model was re-initialised. The previous curve is kept in the loss chart to compare.",
            icon=":material/restart_alt:")
buttons(run)
parts.controls(presenting())
if cut := batch_cut(settings):
    st.info(f"A step on {cut.asked} samples with this network would build about {cut.values:,} Values for its graph. "
            f"To keep each step under a second and well inside the server's memory, this run trains on random "
            f"minibatches of {cut.size} samples instead.", icon=":material/memory:")
if settings.forget_zero_grad:
    st.warning("zero_grad is off: each backward() adds this step's gradients to all the earlier ones, so the steps "
               "keep growing. On the lecture's four samples that can even look like faster learning, which is how "
               "the bug went unnoticed in the lecture; on the moons the loss climbs back up.",
               icon=":material/bug_report:")
parts.live_view(run)
parts.inside_one_step(run)
parts.network(run)
parts.the_code(run)
