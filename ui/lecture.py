"""The strip above a page in class: the tour's scene and, for the teacher of a live class, its poll.

The poll shows the count of answers as they arrive (redrawn every second, alone), a Reveal button,
and then the class's answers beside the true one, computed for this scene by the lesson code.
"""

from __future__ import annotations

import streamlit as st

from lessons.classroom.poll import tally
from lessons.classroom.store import StoreError
from lessons.tour import Question, Scene

from . import classroom
from .text import literal
from .tour import current, follow, tour_bar, touring


@st.fragment(run_every=1.0)
def _live_count(code: str, question_id: str) -> None:
    try:
        count = classroom.class_store().count(code, question_id)
    except StoreError:
        count = 0
    st.markdown(f"**{count}** answer{'s' if count != 1 else ''} so far", width="content")


@st.dialog("The class's answers", width="large")
def _results(code: str, question: Question) -> None:
    try:
        t = tally(question, classroom.class_store().answers(code, question.id))
    except StoreError as err:  # the class ended under us
        st.error(literal(err))
        return
    st.markdown(f"### {literal(question.prompt)}")
    st.plotly_chart(classroom.answers_chart(t, height=380), key="class_results_chart",
                    config={"displayModeBar": False})
    st.markdown(classroom.verdict_line(t))


_SHOWN = "_class_page_shown"  # the scene whose page the teacher chose to show before the reveal

# Everything after the cover in the page is hidden (still drawn, so every widget keeps its state).
_COVER_CSS = """<style>
[data-testid="stLayoutWrapper"]:has(> .st-key-class_cover) ~ * { display: none !important; }
</style>"""


def _show_page(number: int) -> None:
    st.session_state[_SHOWN] = number


def _cover(scene: Scene, question: Question, code: str) -> None:
    """While a question is open, the projector shows it alone: the page below would give the answer away."""
    with st.container(key="class_cover", border=True, horizontal=True, vertical_alignment="center"):
        with st.container():
            st.markdown(f"## {literal(question.prompt)}")
            st.markdown(f"Answer on your phone: {literal(classroom.join_url(code))} (code **{literal(code)}**). "
                        "The page is hidden until the answers are revealed.")
            st.button("Show the page now", key="class_show_page", icon=":material/visibility:",
                      on_click=_show_page, args=(scene.number,),
                      help="For a question that needs the page to be seen: it is shown to the class at once")
        st.image(classroom.qr_png(classroom.join_url(code)), width=220, caption="Scan to join")
    st.markdown(_COVER_CSS, unsafe_allow_html=True)


def _poll(scene: Scene) -> None:
    lead, state = classroom.teaching(), classroom.current_state()
    if lead is None:
        return
    if state is None:  # ended or expired elsewhere
        classroom.end_class()
        st.warning("The class has ended (or expired after hours without activity). Start a new one from the "
                   "Class page.", icon=":material/groups:")
        return
    code = lead[0]
    question = scene.question
    covered = question is not None and not state.revealed and st.session_state.get(_SHOWN) != scene.number
    with st.container(key="class_strip", horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(f":material/groups: Class **{literal(code)}**", width="content")
        if question is None:
            st.caption("No question in this scene.", width="content")
            return
        st.markdown("" if covered else f"**Q:** {literal(question.prompt)}", width="stretch")
        _live_count(code, question.id)
        if state.revealed:
            if st.button("Show answers", key="class_show", icon=":material/bar_chart:"):
                _results(code, question)
        elif st.button("Reveal", key="class_reveal", type="primary", icon=":material/visibility:"):
            try:
                classroom.class_store().reveal(*lead)
            except StoreError as err:
                st.error(literal(err))
                return
            covered = False
            _results(code, question)
    if covered:
        _cover(scene, question, code)


def lecture_strip(path: str) -> None:
    """Follow a link into the tour, then draw the tour's bar and the teacher's poll (when on)."""
    follow(path, on_open=classroom.show_scene)
    if touring():
        tour_bar(on_open=classroom.show_scene)
        _poll(current())
