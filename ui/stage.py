"""The projector's stage: a page composed around the tour's scene, and its question's answer kept back.

A scene names its focus, the section of its page that its note talks about: the page draws that
section first, right under the scene bar, and its other sections below it, so the first screen of a
1280x720 projector shows what the class is asked to look at. While the scene's question is open, the
parts of the page that would show its answer are drawn as a box saying what is hidden, until the
reveal: the teacher's in a class, or the tour's own Reveal button otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lessons.tour import Question, Scene

from . import classroom
from .mode import BODY_PX
from .tour import current, touring

PAGE = "_page"  # the path of the page this session is drawing (set by the frame)
_REVEALED = "_tour_revealed"  # scene numbers whose answer this session revealed (the tour without a class)

# The stage is composed for the screen it is on, which the browser reports in a cookie that the server reads
# when a tab connects (so from the first reload on); until then for SCREEN, the smallest projector the app
# is made for. A cookie, not a component that sends the size back: a rerun the browser starts while a page
# is being drawn can reach the server before a new page's widgets have their values, and blank them.
SCREEN = (1280, 720)
GAP = BODY_PX  # between two parts of a page (1rem)
SCREEN_COOKIE = "mg_screen"
_SCREEN_JS = """<script>
(function () {
  if (window.__mgScreen) return;
  window.__mgScreen = true;
  const keep = () => { document.cookie = 'mg_screen=' + Math.round(innerWidth) + 'x' + Math.round(innerHeight)
    + '; Path=/; Max-Age=31536000; SameSite=Strict'; };
  keep();
  addEventListener('resize', keep);
})();
</script>"""


def watch_screen() -> None:
    """Keep the window's size in its cookie (a script drawn in the sidebar, out of the page's way)."""
    st.sidebar.html(_SCREEN_JS, unsafe_allow_javascript=True)


def screen() -> tuple[int, int]:
    """The window's size in CSS pixels when this tab connected (SCREEN before the browser has said)."""
    raw = st.context.cookies.get(SCREEN_COOKIE)
    width, _, height = raw.partition("x") if isinstance(raw, str) else ("", "", "")
    if width.isdigit() and height.isdigit() and len(raw) <= 12:
        return max(int(width), 640), max(int(height), 400)
    return SCREEN


def page_width() -> float:
    """The page's width inside its side padding (1.5rem each side)."""
    return screen()[0] - 3 * BODY_PX
_ABOVE = 0.5 * BODY_PX + 70 + GAP  # the top padding, the scene bar and the gap below it
_BANNER = {True: 130 + GAP, False: 64 + GAP}  # the question: with a class's join link and QR code, or alone


def room(banner: bool | None = None) -> float:
    """The height left for the focus on the first screen, below the scene bar (and the question, if shown)."""
    scene = scene_here()
    if banner is None:
        banner = scene is not None and scene.question is not None
    asked = _BANNER[classroom.teaching() is not None and open_question() is not None] if banner else 0
    return screen()[1] - _ABOVE - asked


def place(share: float = 1.0, less: float = 0.0) -> tuple[float, float]:
    """(width, height) on the first screen for a part `share` of the page's width, `less` pixels above it."""
    return share * page_width() - 16, room() - less


def scene_here() -> Scene | None:
    """The tour's scene, when the page being drawn is the scene's page."""
    if not touring():
        return None
    scene = current()
    return scene if st.session_state.get(PAGE) == scene.page else None


def focus() -> str | None:
    """The section of this page the scene on screen is about, if any."""
    scene = scene_here()
    return scene.focus if scene is not None else None


def sections(names: Sequence[str]) -> dict[str, DeltaGenerator]:
    """A container per section of the page, in the order they are shown: the scene's focus first.

    The page then draws each section into its container, in whatever order its code needs.
    """
    first = focus()
    order = [first, *(n for n in names if n != first)] if first in names else list(names)
    return {name: st.container(key=f"section_{name}") for name in order}


def revealed(scene: Scene) -> bool:
    """Whether the answer to the scene's question may be shown: revealed to the class, or by this session."""
    if scene.question is None:
        return True
    if classroom.teaching() is not None:
        return classroom.is_revealed(scene.question.id)
    return scene.number in st.session_state.get(_REVEALED, ())


def reveal_here(scene: Scene) -> None:
    """The tour's own Reveal (no class): this session sees the answer to `scene`'s question from now on."""
    st.session_state[_REVEALED] = {*st.session_state.get(_REVEALED, ()), scene.number}


def open_question() -> Question | None:
    """The question of the scene on screen while it is open (not yet revealed)."""
    scene = scene_here()
    if scene is None or scene.question is None or revealed(scene):
        return None
    return scene.question


def hidden(part: str) -> bool:
    """Whether `part` of this page would show the answer to the open question (then it is hidden)."""
    question = open_question()
    return question is not None and part in question.conceal


def hidden_box(what: str) -> None:
    """What stands where a hidden part would be: it says what is hidden and until when."""
    st.info(f"**Hidden until the answers are revealed:** {what}.", icon=":material/visibility_off:")
