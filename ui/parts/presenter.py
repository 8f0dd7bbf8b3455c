"""The presenter view: the teacher's own screen in a class, while the projector shows only the stage.

It shows what the room does not see: the scene's note, the next scene, the class's counts as they
arrive, and the buttons that move the class (Previous, Next, a jump, Reveal), with the keys a
presentation clicker sends. It and the stage are two tabs (or devices) of one teacher: each follows
the class's scene in the store, so a Next pressed on either moves both, and the phones with them.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from lessons.classroom.poll import tally
from lessons.tour import SCENES, Scene
from server.store import ClassState, StoreError

from .. import class_answers, classroom, join_link
from ..mode import still
from ..registry import BY_PATH
from ..text import literal
from ..ticking import ticking
from ..tour import scene_query

_DRAWN = "_presenter_drawn"  # (scene, revealed, locked) this view was drawn for


def _move(number: int) -> None:
    classroom.show_scene(SCENES[number - 1])


def _jump(key: str, drawn_on: int) -> None:
    chosen = st.session_state.get(key, drawn_on)
    if chosen != drawn_on:
        _move(chosen)


def _store_call(action: str, *args) -> None:
    credential = classroom.teaching()
    if credential is None:
        return
    try:
        getattr(classroom.class_store(), action)(*credential, *args)
    except StoreError as err:
        st.session_state["_presenter_error"] = str(err)


def stage_url(scene: Scene) -> str:
    """The stage's address on this server: the scene's page, in the tour, in presentation mode."""
    path = BY_PATH[scene.page].url_path
    return f"{join_link.join_base()[0]}/{path}?{urlencode(scene_query(scene, {'present': '1'}))}"


@ticking(1.0)
def _live(code: str, scene: Scene | None) -> None:
    """The counts as they arrive; and this view follows the class when the stage moves it."""
    classroom.still_here()
    try:
        state = classroom.class_store().state(code)
        answered = classroom.class_store().count(code, scene.question.id) if scene and scene.question else 0
    except StoreError:
        return
    if state is None or st.session_state.get(_DRAWN) != _signature(state):
        st.rerun(scope="app")
    if still():
        return
    a, b = st.columns(2)
    a.metric("students in the class", state.joined)
    if scene is not None and scene.question is not None:
        b.metric("answers to this question", answered)


def _signature(state: ClassState) -> tuple:
    return state.scene, state.question in state.reveals, state.locked


def _buttons(state: ClassState, scene: Scene | None) -> None:
    number = scene.number if scene else 0
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Previous", icon=":material/arrow_back:", shortcut="PageUp", disabled=number <= 1,
                  on_click=_move, args=(number - 1,), key="presenter_previous", help="Previous scene (Page Up)")
        st.button("Next", icon=":material/arrow_forward:", shortcut="PageDown", type="primary",
                  disabled=number >= len(SCENES), on_click=_move, args=(number + 1,), key="presenter_next",
                  help="Next scene (Page Down)")
        if scene is not None and scene.question is not None:
            if scene.question.id in state.reveals:
                st.button("Ask again", icon=":material/replay:", on_click=_store_call,
                          args=("discard", scene.question.id), key="presenter_discard",
                          help="Throw this question's answers away and open it again")
            else:
                st.button("Reveal", icon=":material/visibility:", shortcut="A", type="primary",
                          on_click=_store_call, args=("reveal",), key="presenter_reveal",
                          help="Show the answers to the class (A)")
        # a box of its own for each scene, which moves the class only to another scene: a report of the old
        # box's value, still on its way from the browser when Next moved the class, must not move it back
        jump = f"presenter_jump_{number}"
        st.selectbox("Go to scene", range(1, len(SCENES) + 1), index=max(number, 1) - 1, key=jump,
                     format_func=lambda n: f"{n}. {SCENES[n - 1].title}", label_visibility="collapsed", width=360,
                     on_change=_jump, args=(jump, number))


def _answers(code: str, scene: Scene, revealed: bool) -> None:
    question = scene.question
    st.markdown(f"**Question:** {literal(question.prompt)}")
    given = class_answers.givens_line(question.given())
    if given:
        st.markdown(given)
    truth = question.truth()
    shown = f"{truth:.6g}" if isinstance(truth, float) else literal(truth)
    st.caption(f"The answer (for you): {shown}")
    if revealed:
        try:
            t = tally(question, classroom.class_store().answers(code, question.id))
        except StoreError as err:
            st.error(literal(err))
            return
        class_answers.answers_view(t, "presenter_chart", 300)
        st.markdown(class_answers.verdict_line(t))


def class_tools(state: ClassState, resume: bool = True) -> None:
    """Lock or open the room, end the class, and (on the teacher's own screen) the link to lead it elsewhere."""
    with st.container(horizontal=True, vertical_alignment="center"):
        if state.locked:
            st.button("Open the room", icon=":material/lock_open:", on_click=_store_call, args=("lock", False),
                      key="presenter_unlock", help="Let new students join again")
        else:
            st.button("Lock the room", icon=":material/lock:", on_click=_store_call, args=("lock", True),
                      key="presenter_lock", help="Everyone is in: no new student can join (those in stay in)")
        with st.popover("End the class", icon=":material/stop:"):
            st.write("The class, its students and their answers are deleted; the phones say it has ended.")
            if st.button("End it now", type="primary", key="presenter_end"):
                classroom.end_class()
                st.rerun()
    if not resume:
        return
    with st.expander("Lead this class from another device"):
        credential = classroom.teaching()
        url = join_link.resume_url(*credential)
        st.warning("Anyone with this link leads the class: open it on your own device, never on the projector.",
                   icon=":material/key:")
        st.code(url, language=None, wrap_lines=True)
        st.image(join_link.qr_png(url), width=200, alt="QR code of the link above, which leads this class")


def presenter_view() -> None:
    credential = classroom.teaching()
    state = classroom.current_state() if credential else None
    if credential is not None and state is None:
        st.warning(literal(classroom.gone_message(credential[0])), icon=":material/groups:")
        classroom.forget_class()
        credential = None
    if credential is None:
        st.title("Presenter view")
        st.info("This browser leads no class. Start one on the Class page; this view then shows its notes, the "
                "next scene and the answers, for your own screen while the projector shows the stage.",
                icon=":material/co_present:")
        st.page_link("pages/classroom.py", label="The Class page", icon=":material/groups:")
        return
    code = credential[0]
    st.session_state[_DRAWN] = _signature(state)
    scene = classroom.scene_of(state)
    if error := st.session_state.pop("_presenter_error", None):
        st.error(literal(error), icon=":material/error:")
    title = f"Scene {scene.number} of {len(SCENES)}: {literal(scene.title)}" if scene else "Before the first scene"
    st.title(f"Class {literal(code)} · presenter")
    _buttons(state, scene)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(title)
        if scene is not None:
            st.caption(f"{literal(scene.chapter)} · lecture {literal(scene.time)}")
            st.markdown(literal(scene.note))
            if scene.question is not None:
                _answers(code, scene, scene.question.id in state.reveals)
    with right:
        _live(code, scene)
        following = SCENES[scene.number] if scene and scene.number < len(SCENES) else (SCENES[0] if not scene else None)
        if following is not None:
            asks = " (asks a question)" if following.question else ""
            st.markdown(f"**Next:** scene {following.number}, {literal(following.title)}{asks}")
        if scene is not None:
            st.link_button("Open the stage", stage_url(scene), icon=":material/tv:",
                           help="The projector's view of this scene, in a new tab: it follows this view")
        class_tools(state)
