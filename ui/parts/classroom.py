"""The Class page's views: the teacher's (start a class, then the room's join screen) and the student's (answer).

A student's view is made for a phone: the teacher's current question with the numbers it needs, one
answer box, Send. It watches the class once a second (alone, in a fragment) and redraws the page
when the teacher moves on or reveals, so the answer box is never redrawn under a student's thumb
while they type. A phone is one student however often it reloads (its browser keeps its id).
"""

from __future__ import annotations

import hmac

import streamlit as st

from lessons.classroom.poll import tally
from lessons.tour import SCENES, Question
from server.limits import KeyedLimits, RateLimit
from server.store import EXPIRY_SECONDS, ClassLocked, ClassState, JoinsThrottled, StoreError
from ui import class_answers, classroom, join_link
from ui.mode import presenting, still
from ui.parts.presenter import class_tools
from ui.text import code as code_span
from ui.text import literal
from ui.ticking import ticking
from ui.tour import SCENE, start_tour, touring

_SEEN = "_class_seen"  # (scene, question, revealed, in the class) this student's page was drawn for
_DRAWN = "_class_drawn"  # set by a run of the whole page, taken by the watch that runs within it
_LIMIT = "_answer_limit"
_PASSCODE_TRIES = KeyedLimits(burst=5, every=60.0)  # wrong passcodes per address: 5, then one a minute

# A private resume link carries the teacher's credential after '#': the page's script keeps it in the
# browser's cookie and opens the page again without it (a server never sees what follows '#').
_RESUME_JS = """<script>
(function () {
  let where = window.location;
  try { where = window.parent.location; where.hash; } catch (e) { where = window.location; }
  const h = where.hash;
  if (!h.startsWith('#resume=')) return;
  const key = decodeURIComponent(h.slice(8));
  if (!/^[A-Z0-9]{8}\\.[A-Za-z0-9_-]{16,64}$/.test(key)) return;
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = 'COOKIE=' + key + '; Path=/; Max-Age=AGE; SameSite=Strict' + secure;
  where.replace(where.pathname);
})();
</script>"""


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

def resume_script() -> None:
    """Take a resume link's credential into this browser (drawn on the Class page, out of the page's way)."""
    script = _RESUME_JS.replace("COOKIE", classroom.TEACHER_COOKIE).replace("AGE", str(EXPIRY_SECONDS))
    st.sidebar.html(script, unsafe_allow_javascript=True)


def _start(typed: str | None) -> None:
    """Start a class, when the deployment's passcode (if it sets one) was given."""
    expected = classroom.passcode()
    if expected is not None:
        address = classroom.client_key() or "local"
        if _PASSCODE_TRIES.spent(address):
            st.error("Too many wrong passcodes from here: wait a minute and try again.", icon=":material/timer:")
            return
        if not hmac.compare_digest((typed or "").encode(), expected.encode()):
            _PASSCODE_TRIES.allow(address)  # only a wrong one counts: a teacher starting classes is never slowed
            st.error("That is not this app's teacher passcode.", icon=":material/lock:")
            return
    try:
        classroom.start_class(SCENES[st.session_state.get(SCENE.key, 1) - 1] if touring() else None)
    except StoreError as err:
        st.error(literal(err), icon=":material/error:")
    else:
        st.rerun()


def _no_class() -> None:
    st.title("Class")
    st.markdown(
        "Lead the lecture with the whole room: start a class, put this page on the projector, and the "
        "students join on their phones with the code or the QR code. Then walk the **lecture tour**: "
        "at each scene with a question, the students answer on their phones before you reveal the "
        "class's answers and the true one. No names and no accounts: a phone is a random id its browser keeps.")
    with st.form("start_class", border=False):
        typed = None
        if classroom.passcode() is not None:
            typed = st.text_input("Teacher passcode", type="password", max_chars=128,
                                  help="This app asks for its teachers' passcode before a class starts.")
        started = st.form_submit_button("Start a class", type="primary", icon=":material/groups:")
    if started:
        _start(typed)
    st.subheader("Joining a class?")
    join_form()


@ticking(2.0)
def _joined(code: str) -> None:
    try:
        state = classroom.class_store().state(code)
    except StoreError:
        return
    if state is None:
        st.rerun(scope="app")
    if not still():
        st.metric("students in the class", state.joined)
    if state.locked:
        st.caption(":material/lock: Closed to new students")


def teacher_view() -> None:
    """Before a class: start one. During one: the room's join screen, with the teacher's class tools."""
    resume_script()
    credential = classroom.teaching()
    state = classroom.current_state() if credential else None
    if credential is not None and state is None:
        st.warning(literal(classroom.gone_message(credential[0])), icon=":material/groups:")
        classroom.forget_class()
        credential = None
    if credential is None:
        _no_class()
        return
    code = credential[0]
    url = join_link.join_url(code)
    st.title(f"Class {literal(code)}")
    warning = join_link.join_base()[1]
    if warning:
        st.warning(literal(warning), icon=":material/wifi_off:")
    for notice in classroom.class_store().notices:
        st.warning(literal(notice), icon=":material/database:")
    qr, info = st.columns([2, 3] if presenting() else [1, 2], vertical_alignment="center")
    with qr:
        st.image(join_link.qr_png(url), caption="Scan to join", width="stretch",
                 alt="QR code of the link that joins this class, written out beside it")
    with info:
        st.markdown(f"Join at\n\n### {join_link.link(url)}\n\nwith the code\n\n# {literal(code)}")
        _joined(code)
        tour, presenter = st.columns(2)
        tour.button("Begin the lecture tour" if not touring() else "Back to the tour", type="primary",
                    icon=":material/play_arrow:", width="stretch", on_click=start_tour,
                    args=(st.session_state.get(SCENE.key, 1) if touring() else 1,))
        presenter.page_link("pages/presenter.py", label="Presenter view", icon=":material/co_present:",
                            help="The notes, the next scene, the class's answers and the buttons, for your own "
                            "screen: open it in a second window or on another device.")
        class_tools(state, resume=False)  # this screen is on the projector: the private link is not shown here
    st.caption("This browser leads the class: any of its tabs (the stage on the projector, the presenter view) "
               "moves it, and a reload or a restart of the server keeps it. The students follow the tour's scene "
               "you are on; a scene with a question opens it for answers until you reveal.")


# ---- the student ---------------------------------------------------------------------------------

def _signature(state: ClassState | None, joined: bool) -> tuple:
    return (None,) if state is None else (state.scene, state.question, state.revealed, state.locked, joined)


@ticking(1.0)
def _watch(code: str, joined: bool) -> None:
    """Redraw the page when the teacher moves on, reveals, opens the room or ends the class."""
    try:
        state = classroom.class_store().state(code)
    except Exception:  # the store did not answer this time (a Redis server restarting): look again in a second
        return
    within_page = st.session_state.pop(_DRAWN, False)  # its first run, inside the page's own run
    if _signature(state, joined) != st.session_state.get(_SEEN):
        st.rerun(scope="app")
    if state is not None and not joined and not state.locked and not within_page:
        st.rerun(scope="app")  # held back while many joined: try again, a second after the last try


def _send(code: str, question: Question, raw: str) -> None:
    limit: RateLimit = st.session_state.setdefault(_LIMIT, RateLimit())
    if not limit.allow():
        st.error(f"Too many answers in a row: wait {limit.wait():.0f} s and send again.", icon=":material/timer:")
        return
    try:
        value = question.check(raw)
        classroom.class_store().answer(code, classroom.device_id(), question.id, raw.strip())
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
    st.markdown(class_answers.verdict_line(t))
    mine = st.session_state.get(_sent_key(code, question))
    if mine is None:
        st.info("No answer from this phone.", icon=":material/info:")
    elif question.correct(mine):
        st.success(f"You said {code_span(mine)}: right.", icon=":material/check_circle:")
    else:
        st.error(f"You said {code_span(mine)}: not quite.", icon=":material/cancel:")
    class_answers.answers_view(t, "student_results", 260, static=True)


def _join(code: str) -> bool:
    """This phone joins the class (once: a phone already in it is never refused); False, with why, if it cannot."""
    try:
        classroom.class_store().join(code, classroom.device_id())
    except JoinsThrottled as err:
        st.info(f"{literal(err)} This page tries again by itself.", icon=":material/hourglass_top:")
        return False
    except ClassLocked as err:
        st.warning(literal(err), icon=":material/lock:")
        return False
    except StoreError as err:
        st.error(literal(err), icon=":material/error:")
        return False
    return True


def student_view(code: str) -> None:
    classroom.device_id()
    classroom.write_cookies()  # the phone's id, the first time: it keeps it from now on
    store = classroom.class_store()
    state = store.state(code)
    if state is None:
        st.session_state[_SEEN] = _signature(state, False)
        st.title("Class")
        st.error(f"No class with the code {code_span(code, limit=20)}: it may have ended, or the code has a typo. "
                 "Check it on the teacher's screen.", icon=":material/search_off:")
        join_form("join_again")
        st.session_state[_DRAWN] = True
        _watch(code, False)  # a class that starts under this code later is picked up too
        return
    scene = classroom.scene_of(state)
    st.caption(f"Class {literal(state.code)}" + (f" · scene {scene.number} of {len(SCENES)}: {literal(scene.title)}"
                                                   if scene else ""))
    joined = _join(code)
    st.session_state[_SEEN] = _signature(state, joined)
    question = scene.question if scene else None
    if not joined:
        pass
    elif question is None or question.id != state.question:
        st.subheader("Waiting for the teacher's question…", anchor=False)
        st.write("Keep this page open: the question appears here when the teacher's scene asks one.")
    else:
        # no link to the heading: a 17 px target on a phone (WCAG 2.5.8) that no student needs
        st.subheader(literal(question.prompt), anchor=False)
        given = class_answers.givens_line(question.given())
        if given:
            st.markdown(given)
        if question.kind == "number":
            st.caption(f"A number; within ±{question.tolerance:g} counts as right.")
        if state.revealed:
            _revealed(code, question)
        else:
            _answer_box(code, question)
    st.session_state[_DRAWN] = True
    _watch(code, joined)
