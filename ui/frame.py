"""The frame every page shows: page config, navigation, presentation mode, notices.

Every page calls `page_frame()` first. That makes a page look and behave the same whether
it was reached through the entry file or opened directly by URL on a freshly started server
(when a `pages/` folder exists, Streamlit may then run the page without the entry file).
Streamlit's own page list is hidden (`client.showSidebarNavigation = false`) and this
frame draws the navigation instead, so both routes show the same one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from . import classroom, stage
from .keyboard import reachable_scroll_boxes
from .lecture import lecture_strip
from .mode import BODY_PX, GRAPH_FONT, GRAPH_FONT_PRESENTING, OP_FONT_SCALE, PRESENT, STILL, presenting
from .registry import BY_PATH, PAGES
from .stage import PAGE
from .state import Setting, sync_url
from .ticking import drawing_page
from .tour import SCENE, TOUR, touring

FAVICON = Path(__file__).parent / "static" / "favicon.png"
_LOG = logging.getLogger(__name__)


# Streamlit draws all graph text at one small size (0.6rem), whatever the graph asks for, so the
# boxes Graphviz laid out for the text are mostly empty and the text unreadable on a projector.
# These rules give the text back the size the layout was computed with.
_GRAPH_CSS = """
[data-testid="stGraphVizChart"] svg text {{ font-size: {value}px; }}
[data-testid="stGraphVizChart"] svg g.node:has(ellipse) text {{ font-size: {op}px; }}
"""


def _graph_css(size: int) -> str:
    return _GRAPH_CSS.format(value=size, op=round(OP_FONT_SCALE * size))


_CSS = """
[data-testid="stMetricValue"] { font-variant-numeric: tabular-nums; }
/* contrast (WCAG 1.4.3): Streamlit fades a caption to 60%, and the code colour inside it then falls to 3:1;
   a disabled widget's label is a grey of 2.6:1, which a student still has to read */
[data-testid="stCaptionContainer"] code { color: inherit !important; }
[data-testid="stWidgetLabel"][disabled] { color: inherit !important; opacity: 0.7; }
[data-testid="stCode"] .token.unchanged { color: inherit !important; opacity: 0.75; }  /* a diff's context lines */
/* a phone: a table wraps its cells to the screen's width, where a scrolled one is out of a keyboard's reach */
@media (max-width: 640px) {
  [data-testid="stTable"] > div { overflow: visible !important; }
  [data-testid="stTable"] table { width: 100%; table-layout: fixed; }
  [data-testid="stTable"] :is(td, th) { white-space: normal !important; overflow-wrap: anywhere; }
}
/* the tour's bar is one line: the title gives way (cut with an ellipsis), the buttons never wrap below it */
.st-key-tour_bar { flex-wrap: nowrap !important; }
.st-key-tour_bar > div:first-child { min-width: 0; flex: 1 1 auto; }
.st-key-tour_bar > div:first-child p { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.st-key-tour_bar > div:not(:first-child) { flex: 0 0 auto; width: auto !important; min-width: 0; }
/* the scene's question, on a tint of its own, as slim as its text */
.st-key-question_banner { background: rgba(0, 114, 178, 0.08); border-radius: 0.5rem; padding: 0.35rem 0.9rem; }
.st-key-question_banner p { margin-bottom: 0.1rem; }
/* a phone: headings that leave room for the lesson on the first screen, under the header's arrow */
@media (max-width: 640px) {
  h1 { font-size: 1.7rem !important; }
  h2 { font-size: 1.35rem !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 3.6rem; }
}
/* a phone turned sideways: the question and its Send button on one screen */
@media (max-height: 500px) {
  h1 { font-size: 1.5rem !important; }
  h3 { font-size: 1.15rem !important; padding: 0.2rem 0 !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 2.4rem; }
}
/* a control reached by Tab is scrolled clear of Streamlit's fixed header, never under it (WCAG 2.4.11) */
[data-testid="stMain"] { scroll-padding-top: 4.5rem; }
/* a student who asks the system for less motion gets none: spinners, expanding boxes and scrolling stand still */
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation-duration: 0.01ms !important; animation-iteration-count: 1 !important;
                           transition-duration: 0.01ms !important; scroll-behavior: auto !important; }
}
""" + _graph_css(GRAPH_FONT)

# Per theme (light, dark): a diff's + and − and the light theme's code colours in shades that keep 4.5:1
# on a code block (Streamlit's own keep 2.2 to 3.7), a focus ring a keyboard user sees on every control
# (WCAG 2.4.7), in the theme's primary colour, 3:1 or more against the page, and in the dark theme dark text
# on a primary button (8:1 on its sky blue)
_THEME_CSS = {
    False: """[data-testid="stCode"] .inserted-sign { color: #0A7A35 !important; }
[data-testid="stCode"] .deleted-sign { color: #C62828 !important; }
[data-testid="stCode"] .token:is(.keyword, .class-name, .function) { color: #0B5CAD !important; }
[data-testid="stCode"] .token:is(.string, .boolean) { color: #0A7A35 !important; }
[data-testid="stCode"] .token.number { color: #0B7A6B !important; }
[data-testid="stCode"] .token.operator { color: #B04A0A !important; }
[data-testid="stCode"] .token:is(.comment, .punctuation) { color: #5C6270 !important; }
:focus-visible { outline: 3px solid #0072B2 !important; outline-offset: 2px; }""",
    True: """[data-testid="stCode"] .inserted-sign { color: #5FD38D !important; }
[data-testid="stCode"] .deleted-sign { color: #FF8A80 !important; }
:focus-visible { outline: 3px solid #56B4E9 !important; outline-offset: 2px; }
button[kind^="primary"] { color: #0E1117 !important; }  /* Streamlit's white on the sky blue is 2.3:1 */""",
}

# Presentation mode: larger type everywhere (Streamlit sizes text in rem), for a projector. Headings
# shrink instead, so that a page's main chart and numbers fit on a 1280x720 screen; chart text is as
# large and as dark as the body text (Plotly and Vega-Lite draw it light grey and small).
_PRESENT_CSS = f"""
html {{ font-size: {BODY_PX}px; }}
""" + """
h1 { font-size: 1.55rem !important; padding: 0 0 0.3rem 0 !important; }
h2 { font-size: 1.2rem !important; padding: 0.4rem 0 0.2rem 0 !important; }
h3 { font-size: 1.05rem !important; }
[data-testid="stMetricValue"] { font-size: 1.9rem; }
.st-key-mlp_live [data-testid="stMetricValue"] { font-size: 1.5rem; }
[data-testid="stMainBlockContainer"] { padding: 2.8rem 1.5rem 4rem 1.5rem; max-width: 100%; }
/* the header floats over the page without hiding it: only its own buttons take a click */
[data-testid="stHeader"] { background: transparent; }
[data-testid="stHeader"], [data-testid="stHeader"] * { pointer-events: none; }
[data-testid="stHeader"] :is(button, a), [data-testid="stHeader"] :is(button, a) * { pointer-events: auto; }
[data-testid="stPlotlyChart"] :is(.xtick, .ytick, .g-xtitle, .g-ytitle, .g-y2title) text,
[data-testid="stPlotlyChart"] .legendtext,
[data-testid="stVegaLiteChart"] :is(.role-axis-label, .role-axis-title, .role-legend-label) text {
  fill: currentColor !important; fill-opacity: 1 !important;
}
""" + _graph_css(GRAPH_FONT_PRESENTING)

# The stage (presentation mode in the tour): the scene bar names the scene, so the page's own title
# gives its room to the scene's focus.
_STAGE_CSS = """
[data-testid="stMain"] [data-testid="stElementContainer"]:has(h1) { display: none; }
[data-testid="stMainBlockContainer"] { padding-top: 0.5rem; }
/* the bar clears the sidebar's arrow and the page menu, which float over the page's top corners */
.st-key-tour_bar { padding: 0 2.4rem 0 2.2rem; }
/* the keys are in each button's tooltip: on the stage the bar's title and a page's one row of buttons need the room */
:is(.st-key-tour_bar, .st-key-mlp_buttons) kbd { display: none; }
"""


def page_frame(path: str, settings: Sequence[Setting] = (), sidebar: str = "auto") -> None:
    """Set up the page at `path` (e.g. "pages/neuron.py"): config, state from the URL, navigation.

    `sidebar`: "auto" (open on a wide screen) or "collapsed"; presentation mode always collapses it.
    """
    spec = BY_PATH[path]
    notices = sync_url([PRESENT, TOUR, SCENE, STILL, *settings])
    st.session_state[PAGE] = path
    drawing_page(path)
    # a local favicon: a ":material/...:" page icon would be fetched from the web, and a classroom may be offline.
    # Presentation mode gives the lesson the whole screen; the sidebar's arrow brings the navigation back.
    st.set_page_config(
        page_title=f"{spec.title} · micrograd",
        page_icon=str(FAVICON),
        layout="wide",
        initial_sidebar_state="collapsed" if presenting() else sidebar,
    )
    with st.sidebar:
        st.markdown("### micrograd, step by step")
        for page in PAGES:
            st.page_link(page.path, label=page.title, icon=page.icon)
        st.divider()
        PRESENT.widget()
        TOUR.widget()
        STILL.widget()
    classroom.write_cookies()
    reachable_scroll_boxes()
    if presenting():
        stage.watch_screen()
    # st.html of style alone takes no room in the page
    st.html("<style>" + _CSS + _THEME_CSS[st.context.theme.type == "dark"] + (_PRESENT_CSS if presenting() else "")
            + (_STAGE_CSS if presenting() and touring() else "") + "</style>")
    for notice in notices:
        st.warning(notice, icon=":material/link_off:")
    with shielded("The lecture tour"):
        lecture_strip(path)


@contextmanager
def shielded(what: str) -> Iterator[None]:
    """Draw one part of a page so that an unexpected error there shows a message in its place.

    The rest of the page still runs, so every widget after the failed part is drawn and keeps
    its value (a script that stops early makes Streamlit forget the widgets it did not reach).
    `st.rerun()` and `st.stop()` are not errors (they are BaseExceptions) and pass through.
    """
    try:
        yield
    except Exception as err:
        _LOG.exception("%s failed", what)
        st.error(f"{what} could not be drawn ({type(err).__name__}). The rest of the page still works; "
                 "change a setting or reload the page to try again.", icon=":material/error:")
