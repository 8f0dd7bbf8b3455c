"""The strip above a page in the tour: the scene bar, the scene's question, and for a teacher the class's poll.

While a question is open the strip says it with the numbers it needs (its givens), and for a class
how to join and how many have answered (redrawn every second, alone); the page below keeps back what
would answer it (see stage.py). Reveal shows the true answer, computed for this scene by the lesson
code, and for a class the distribution of its answers. The stage and the presenter view are both
the teacher's: each follows the class's scene and reveal, so a Next pressed on either moves both.
"""

from __future__ import annotations

import streamlit as st

from lessons.classroom.poll import tally
from lessons.tour import SCENES, Question, Scene
from server.store import StoreError

from . import class_answers, classroom, join_link, stage
from .mode import still
from .text import literal
from .ticking import ticking
from .tour import SCENE, current, follow, tour_bar, touring

_RESULTS = "_class_show_results"  # the scene whose answers the next run shows in a dialog
_DRAWN = "_class_drawn"  # (scene, revealed) this tab was drawn for: another of the teacher's tabs may change it


@st.dialog("The class's answers", width="large")
def _results(code: str, question: Question) -> None:
    try:
        t = tally(question, classroom.class_store().answers(code, question.id))
    except StoreError as err:  # the class ended under us
        st.error(literal(err))
        return
    st.markdown(f"### {literal(question.prompt)}")
    class_answers.answers_view(t, "class_results_chart", 380)
    st.markdown(class_answers.verdict_line(t))


def _reveal(code: str, token: str, scene: Scene) -> None:
    try:
        classroom.class_store().reveal(code, token)
    except StoreError as err:
        st.session_state[_RESULTS] = str(err)
        return
    st.session_state[_RESULTS] = scene.number


@ticking(1.0)
def _live(scene: Scene) -> None:
    """The count of answers, redrawn alone; and this tab follows the class when another tab moves it."""
    credential = classroom.teaching()
    if credential is None:
        return
    classroom.still_here()
    try:
        state = classroom.class_store().state(credential[0])
        count = classroom.class_store().count(credential[0], scene.question.id) if scene.question else 0
    except StoreError:
        return  # the store did not answer this time (a Redis server restarting): look again in a second
    if state is None or (1 <= state.scene <= len(SCENES) and state.scene != scene.number):
        if state is not None:  # the presenter (or another tab) moved on: open that scene here too
            st.session_state[SCENE.key] = state.scene
            st.session_state["_tour_arrived"] = 0
        st.rerun(scope="app")
    revealed = bool(scene.question) and scene.question.id in state.reveals
    if st.session_state.get(_DRAWN) != (scene.number, revealed):
        st.rerun(scope="app")
    if scene.question is not None and not still():
        st.markdown(f"**{count}** answer{'s' if count != 1 else ''}", width="content")


def _class_tools(scene: Scene) -> None:
    """In the scene bar, for the teacher of a class: the live count and Reveal (or the answers again)."""
    credential = classroom.teaching()
    state = classroom.current_state()
    revealed = scene.question is not None and state is not None and scene.question.id in state.reveals
    st.session_state[_DRAWN] = (scene.number, revealed)
    _live(scene)
    if scene.question is None:
        return
    if revealed:
        if st.button("Answers", key="class_show", icon=":material/bar_chart:", help="The class's answers again"):
            _results(credential[0], scene.question)
    else:
        st.button("Reveal", key="class_reveal", type="primary", icon=":material/visibility:", shortcut="A",
                  on_click=_reveal, args=(*credential, scene), help="Show the answers to the class (A)")


def _tour_tools(scene: Scene) -> None:
    """In the scene bar, without a class: the tour's own Reveal."""
    if stage.open_question() is not None:
        st.button("Reveal", key="tour_reveal", type="primary", icon=":material/visibility:", shortcut="A",
                  on_click=stage.reveal_here, args=(scene,), help="Show the answer (A)")


def _question_banner(scene: Scene, teaching: bool) -> None:
    """The scene's question, with the numbers it needs; the way to answer it; then, revealed, its answer."""
    question = scene.question
    if question is None:
        return
    is_open = stage.open_question() is not None
    given = class_answers.givens_line(question.given())
    with st.container(key="question_banner", horizontal=True, vertical_alignment="center"):
        with st.container():
            st.markdown(f"**Question:** {literal(question.prompt)}" + (f"  \n{given}" if given else ""))
            if is_open and teaching:
                code = classroom.teaching()[0]
                st.markdown(f"Answer on your phone: {join_link.link(join_link.join_url(code))} · code "
                            f"**{literal(code)}**")
            elif not is_open:
                truth = question.truth()
                shown = f"{truth:.6g}" if isinstance(truth, float) else literal(truth)
                st.markdown(f"**The answer: {shown}**, computed by the engine for this scene.")
        if is_open and teaching:
            st.image(join_link.qr_png(join_link.join_url(classroom.teaching()[0])), width=120,
                     alt="QR code of the link that joins this class")


def _teacher_state() -> bool:
    """Whether this browser leads a live class; tell the teacher, once, when the class is gone."""
    credential = classroom.teaching()
    if credential is None:
        return False
    try:
        state = classroom.class_store().state(credential[0])
    except StoreError as err:
        st.warning(f"The class store does not answer right now ({literal(err)}); the class goes on when it does.",
                   icon=":material/cloud_off:")
        return False
    if state is None:
        st.warning(literal(classroom.gone_message(credential[0])), icon=":material/groups:")
        classroom.forget_class()
        return False
    return True


def lecture_strip(path: str) -> None:
    """Follow a link into the tour, then draw the scene bar and the scene's question (with the class's poll)."""
    follow(path, on_open=classroom.show_scene)
    if not touring():
        return
    scene = current()
    teaching = _teacher_state()
    outcome = st.session_state.pop(_RESULTS, None)
    tour_bar(on_open=classroom.show_scene, note=not teaching,
             tools=(lambda: _class_tools(scene)) if teaching else (lambda: _tour_tools(scene)))
    if isinstance(outcome, str):
        st.error(literal(outcome), icon=":material/error:")
    elif outcome == scene.number and teaching and scene.question is not None:
        _results(classroom.teaching()[0], scene.question)
    if path == scene.page:
        _question_banner(scene, teaching)
