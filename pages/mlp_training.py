"""MLP training: build an MLP, write a loss, and watch gradient descent lower it live (the lecture's last chapters)."""

import streamlit as st

from lessons.mlp.settings import CUSTOM, PRESETS, batch_cut, check_limits, matching_preset
from lessons.mlp.training import PHASES
from ui import page_frame, presenting, stage
from ui.parts.mlp import browser, data, inside, live
from ui.parts.mlp.settings import (
    BY_FIELD,
    PACE,
    SAMPLE,
    SETTINGS,
    WHERE,
    controls,
    load_preset,
    preset_key,
    read_settings,
)
from ui.text import literal

page_frame("pages/mlp_training.py", [*SETTINGS, PACE, SAMPLE, WHERE])
st.title("MLP training: watch a network learn")
if not presenting():
    st.markdown("The lecture's finale: an MLP of `Neuron`s and `Layer`s, a loss over the data, and gradient descent "
                "by hand: forward pass, `zero_grad()`, `backward()`, then every parameter takes a small step "
                "against its gradient.")


def clear_button(run) -> None:
    st.button("Clear earlier runs", on_click=run.clear, icon=":material/layers_clear:", key="mlp_clear",
              disabled=not run.kept, help="Forget the earlier runs' curves")


def settings_panel(settings, run=None) -> None:
    """Every setting: in the sidebar, or on the stage in a popover at the end of the buttons."""
    if presenting():
        with st.popover("Settings", icon=":material/tune:", help="Data, model and training settings"):
            if run is not None:
                clear_button(run)
            controls(lambda: data.tools(settings))
    else:
        with st.sidebar:
            controls(lambda: data.tools(settings))


OWN_SETTINGS = "(your own settings)"  # the preset box when the settings match none: not the "custom" data set


def _pick_preset(key: str, shown: str) -> None:
    chosen = st.session_state.get(key, shown)
    if chosen != shown:
        load_preset(chosen)


def buttons(run, settings) -> None:
    """Step, Phase, Train and Pause, Reset: each in a place of its own, so a second press never undoes the first."""
    shown = matching_preset(run.settings) or OWN_SETTINGS
    options = [*PRESETS, OWN_SETTINGS]
    phase = PHASES[(PHASES.index(run.phase.name) + 1) % len(PHASES)] if run.phase is not None else PHASES[0]
    away = browser.busy()  # the browser has the run: it must hand it back before a step or a reset
    training = run.training or browser.state().training
    in_browser = browser.chosen()
    with st.container(horizontal=True, vertical_alignment="bottom", key="mlp_buttons"):
        # a box of its own for each preset shown, which loads only another one: a late report of the box's old
        # value (sent with a live chart's redraw just as a setting changed) must not load the old preset again
        key = preset_key(shown)
        st.selectbox("preset", options, index=options.index(shown), key=key, width=170 if presenting() else 200,
                     on_change=_pick_preset, args=(key, shown),
                     label_visibility="collapsed" if presenting() else "visible")
        st.button("Step", on_click=run.step, icon=":material/skip_next:", key="mlp_step", disabled=away)
        st.button(f"Phase: {phase}", on_click=run.next_phase, icon=":material/steps:", key="mlp_phase", shortcut="P",
                  help="The step in its five phases, one at a time: forward, loss, zero_grad, backward, update (P).",
                  disabled=away)
        st.button("Train", on_click=browser.train if in_browser else run.train, args=(run,) if in_browser else (),
                  icon=":material/play_arrow:", key="mlp_train", type="primary", disabled=training or away,
                  help="Trains in this browser (see the settings)" if in_browser else None)
        st.button("Pause", on_click=browser.pause if browser.state().training else run.pause, icon=":material/pause:",
                  key="mlp_pause", disabled=not training)
        st.button("Reset", on_click=run.reset, icon=":material/restart_alt:", key="mlp_reset", disabled=away,
                  help="Back to the initial weights; this run's curve is kept to compare.")
        if presenting():  # one row on the stage: forgetting the earlier runs is a setting there
            settings_panel(settings, run)
        else:
            clear_button(run)


settings = read_settings()
if settings.dataset == CUSTOM and not settings.own_points and "mlp_run" in st.session_state:
    data.adopt(st.session_state.mlp_run.settings)  # "your own points" just chosen: start from the set shown
    settings = read_settings()
problems = check_limits(settings)
if [p.setting for p in problems] == ["own_points"]:
    # a link to points too many for it, or a hand-made one: the data tools can still make a set
    st.warning(f"This page is set to your own points, but has {len(settings.own_points)} of them: it needs at least "
               "one of each class. Load a CSV file of points in the settings, or start from an empty plane.",
               icon=":material/scatter_plot:")
    st.button("Start from an empty plane", on_click=data.set_points, args=(data.STARTER,), key="mlp_empty_plane")
    settings_panel(settings)
    st.stop()
for problem in problems:  # only a hand-made session state gets here: the widgets and links keep to the limits
    st.error(f"{literal(BY_FIELD[problem.setting].label)} = {literal(problem.asked)} is outside {problem.allowed}.")
if problems:
    st.stop()
run = live.training_run()
browser.take_back(run)  # what the browser handed back, before anything is drawn from the run
what = "The data changed" if settings.own_points != run.settings.own_points else "Settings changed"
if not browser.hold_settings(run, settings):  # the browser hands its run back before a change applies
    if run.update(settings, PACE.value) == "restarted":
        st.info(f"{what}: the model was re-initialised. The previous curve is kept in the loss chart to compare.",
                icon=":material/restart_alt:")
    if browser.chosen():
        browser.train_on(run)
    else:
        browser.forget()
buttons(run, settings)
if not presenting():
    settings_panel(settings)
if cut := batch_cut(settings):
    st.info(f"A step on {cut.asked} samples with this network would build about {cut.values:,} Values for its graph. "
            f"To keep each step under a second and well inside the server's memory, this run trains on random "
            f"minibatches of {cut.size} samples instead.", icon=":material/memory:")
sections = stage.sections(["live", "network", "step", "code", "the_code", "twin"])
if settings.forget_zero_grad:
    hint = "" if stage.hidden("zero_grad_hint") else (
        " On the lecture's four samples that can even look like faster learning, which is how the bug went "
        "unnoticed in the lecture; on the moons the loss climbs back up.")
    compare = " The faded curve is the same run with zero_grad." if live.reference(settings) is not None else ""
    sections["live"].warning("zero_grad is off: each backward() adds this step's gradients to all the earlier ones, "
                             f"so the update no longer follows the current loss.{hint}{compare}",
                             icon=":material/bug_report:")
if browser.chosen() or browser.busy():
    with sections["live"]:
        browser.view(run, PACE.value)
if not browser.busy():
    live.live_view(run, sections["live"])
inside.inside_view(run, live.redraw_interval() if run.training else None, live.in_class(), sections)
with sections["code"]:
    inside.code_tabs()
with sections["the_code"]:
    inside.the_code(run)
with sections["twin"]:
    inside.twin(run)
