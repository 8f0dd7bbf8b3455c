"""The Class page's views: the teacher's (start a class, the join code and QR code) and the student's (answer).

A student's view is made for a phone: the teacher's current question, one answer box, Send. It
watches the class once a second (alone, in a fragment) and redraws the page when the teacher moves
on or reveals, so the answer box is never redrawn under a student's thumb while they type.
"""

from __future__ import annotations

import secrets

import streamlit as st

from lessons.classroom.limits import RateLimit
from lessons.classroom.poll import tally
from lessons.classroom.store import ClassState, StoreError
from lessons.tour import SCENES, Question
from ui import classroom
from ui.frame import presenting
from ui.text import code as code_span
from ui.text import literal
from ui.tour import SCENE, start_tour, touring

_STUDENT = "_student_id"
_SEEN = "_class_seen"  # (scene, question, revealed) this student's page was drawn for
_LIMIT = "_answer_limit"


def _student() -> str:
    if _STUDENT not in st.session_state:
        st.session_state[_STUDENT] = secrets.token_hex(8)  # anonymous: a random id in this session only
    return st.session_state[_STUDENT]


def _sent_key(code: str, question: Question) -> str:
    return f"_sent_{code}_{question.id}"


def join_form(key: str = "join_form") -> None:
    """A box for a class code (the code a student reads off the projector)."""
    with st.form(key, border=False):
        typed = st.text_input("Class code", max_chars=16, placeholder="e.g. 7KQ2MZ4X",
                              help="The eight characters the teacher's screen shows")
        if st.form_submit_button("Join", icon=":material/login:", type="primary"):
            st.session_state["join"] = typed.strip().upper()
            st.rerun()


# ---- the teacher ---------------------------------------------------------------------------------

@st.fragment(run_every=2.0)
def _students(code: str) -> None:
    state = classroom.class_store().state(code)
    joined = state.students if state else 0
    st.metric("students who have answered", joined)


def teacher_view() -> None:
    lead = classroom.teaching()
    if lead is not None and classroom.current_state() is None:
        classroom.end_class()
        st.warning("Your class has ended (it expired after hours without activity).", icon=":material/groups:")
        lead = None
    if lead is None:
        st.title("Class")
        st.markdown(
            "Lead the lecture with the whole room: start a class, put this page on the projector, and the "
            "students join on their phones with the code or the QR code. Then walk the **lecture tour**: "
            "at each scene with a question, the students answer on their phones before you reveal the "
            "class's answers and the true one. No names and no accounts: a student is a random id.")
        if st.button("Start a class", type="primary", icon=":material/groups:"):
            try:
                classroom.start_class(SCENES[st.session_state.get(SCENE.key, 1) - 1] if touring() else None)
            except StoreError as err:
                st.error(literal(err), icon=":material/error:")
            else:
                st.rerun()
        st.subheader("Joining a class?")
        join_form()
        return
    code = lead[0]
    url = classroom.join_url(code)
    st.title(f"Class {literal(code)}")
    qr, info = st.columns([2, 3] if presenting() else [1, 2], vertical_alignment="center")
    with qr:
        st.image(classroom.qr_png(url), caption="Scan to join", width="stretch")
    with info:
        st.markdown(f"Join at\n\n### {literal(url)}\n\nwith the code\n\n# {literal(code)}")
        _students(code)
        tour, end = st.columns(2)
        tour.button("Begin the lecture tour" if not touring() else "Back to the tour", type="primary",
                    icon=":material/play_arrow:", width="stretch", on_click=start_tour,
                    args=(st.session_state.get(SCENE.key, 1) if touring() else 1,))
        if end.button("End the class", icon=":material/stop:", width="stretch",
                      help="Deletes the class and its answers. Students see that it has ended."):
            classroom.end_class()
            st.rerun()
    st.caption("Only this browser tab leads the class: keep it open. The students follow the tour's scene "
               "you are on; a scene with a question opens it for answers until you reveal.")


# ---- the student ---------------------------------------------------------------------------------

def _signature(state: ClassState | None) -> tuple:
    return (None,) if state is None else (state.scene, state.question, state.revealed)


@st.fragment(run_every=1.0)
def _watch(code: str) -> None:
    """Redraw the page when the teacher moves on, reveals or ends the class."""
    try:
        state = classroom.class_store().state(code)
    except Exception:  # the store did not answer this time (a Redis server restarting): look again in a second
        return
    if _signature(state) != st.session_state.get(_SEEN):
        st.rerun(scope="app")


def _send(code: str, question: Question, raw: str) -> None:
    limit: RateLimit = st.session_state.setdefault(_LIMIT, RateLimit())
    if not limit.allow():
        st.error(f"Too many answers in a row: wait {limit.wait():.0f} s and send again.", icon=":material/timer:")
        return
    try:
        value = question.check(raw)
        classroom.class_store().answer(code, _student(), question.id, raw.strip())
    except (ValueError, StoreError) as err:
        st.error(literal(err), icon=":material/error:")
        return
    st.session_state[_sent_key(code, question)] = value


def _answer_box(code: str, question: Question) -> None:
    with st.form(f"answer_{question.id}", border=False):
        if question.kind == "choice":
            raw = st.radio("Your answer", question.choices, index=None, key=f"pick_{question.id}")
        else:
            raw = st.text_input("Your answer (a number)", max_chars=64, key=f"type_{question.id}",
                                placeholder="e.g. -1.5")
        sent = st.form_submit_button("Send", type="primary", icon=":material/send:", width="stretch")
    if sent:
        if raw is None or not str(raw).strip():
            st.error("Pick or type an answer first.", icon=":material/error:")
        else:
            _send(code, question, str(raw))
    if _sent_key(code, question) in st.session_state:
        mine = st.session_state[_sent_key(code, question)]
        st.success(f"Sent: {code_span(mine)}. You can change it until the teacher reveals.",
                   icon=":material/check:")


def _revealed(code: str, question: Question) -> None:
    try:
        t = tally(question, classroom.class_store().answers(code, question.id))
    except StoreError as err:  # the class ended a moment ago: the next look shows it
        st.info(literal(err))
        return
    st.markdown(classroom.verdict_line(t))
    mine = st.session_state.get(_sent_key(code, question))
    if mine is None:
        st.info("You did not answer this one.", icon=":material/info:")
    elif question.correct(mine):
        st.success(f"You said {code_span(mine)}: right.", icon=":material/check_circle:")
    else:
        st.error(f"You said {code_span(mine)}: not quite.", icon=":material/cancel:")
    st.plotly_chart(classroom.answers_chart(t, height=260), key="student_results",
                    config={"displayModeBar": False, "staticPlot": True})


def student_view(code: str) -> None:
    store = classroom.class_store()
    state = store.state(code)
    st.session_state[_SEEN] = _signature(state)
    if state is None:
        st.title("Class")
        st.error(f"No class with the code {code_span(code, limit=20)}: it may have ended, or the code has a typo. "
                 "Check it on the teacher's screen.", icon=":material/search_off:")
        join_form("join_again")
        _watch(code)  # a class that starts under this code later is picked up too
        return
    scene = classroom.scene_of(state)
    st.caption(f"Class {literal(state.code)}" + (f" · scene {scene.number} of {len(SCENES)}: {literal(scene.title)}"
                                                   if scene else ""))
    question = scene.question if scene else None
    if question is None or question.id != state.question:
        st.subheader("Waiting for the teacher's question…")
        st.write("Keep this page open: the question appears here when the teacher's scene asks one.")
    else:
        st.subheader(literal(question.prompt))
        if question.kind == "number":
            st.caption(f"A number; within ±{question.tolerance:g} counts as right.")
        if state.revealed:
            _revealed(code, question)
        else:
            _answer_box(code, question)
    _watch(code)

