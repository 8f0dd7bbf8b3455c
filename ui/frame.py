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
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from .palette import TEXT
from .state import Setting, Toggle, sync_url
from .tour import SCENE, TOUR

FAVICON = Path(__file__).parent / "static" / "favicon.png"
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageSpec:
    """A page of the app: its script, title and icon, and for a lesson what it teaches and where in the lecture."""

    path: str
    title: str
    icon: str
    summary: str = ""
    chapter: str = ""


# The pages, in lecture order. Titles, icons and the lessons' summaries are set here and nowhere else.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", ":material/home:"),
    PageSpec("pages/derivatives.py", "Derivatives", ":material/show_chart:",
             "What a derivative is: nudge x by h and watch f respond. The secant becomes the tangent, "
             "several inputs each get a slope, and one weight learns by following its slope.",
             "Lecture 00:08 to 00:19: derivatives of one and several inputs"),
    PageSpec("pages/expression_graph.py", "Expression graph", ":material/account_tree:",
             "Values joined into a graph, and gradients flowing back through it node by node by the chain rule, "
             "with the node-reuse bug and tanh broken into exp.",
             "Lecture 00:19 to 01:09: Value, manual and automatic backprop"),
    PageSpec("pages/neuron.py", "Neuron", ":material/neurology:",
             "One neuron with two inputs and tanh: its gradients by hand, by backward(), and in PyTorch.",
             "Lecture 00:50 to 01:39: the neuron, tanh, PyTorch"),
    PageSpec("pages/mlp_training.py", "MLP training", ":material/model_training:",
             "A multi-layer perceptron learning live: loss curve, decision boundary, and the classic mistakes.",
             "Lecture 01:43 to 02:10: MLP, loss, gradient descent"),
    PageSpec("pages/bug_lab.py", "Bug lab", ":material/bug_report:",
             "The backprop bugs everyone writes, each a small change to the real engine: find them, and see the "
             "gradient check catch each one.",
             "After the lecture: = instead of +=, the topological order, zero_grad and more"),
    PageSpec("pages/classroom.py", "Class", ":material/groups:"),
)
LESSONS = tuple(p for p in PAGES if p.summary)

PRESENT = Toggle("present", "Presentation mode", False,
                 help="For a projector: larger text and charts, fewer controls. "
                 "Kept in the link, so a prepared URL opens in it.")

# Graph text, in the drawing's own units (a Graphviz point is 4/3 of a CSS pixel when drawn at full size).
GRAPH_FONT = 12
GRAPH_FONT_PRESENTING = 14
OP_FONT_SCALE = 1.4  # an operation's glyph (+, *) is small: drawn larger than the values' text

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
<style>
[data-testid="stMetricValue"] { font-variant-numeric: tabular-nums; }
/* a phone: headings that leave room for the lesson on the first screen */
@media (max-width: 640px) {
  h1 { font-size: 1.7rem !important; }
  h2 { font-size: 1.35rem !important; }
  [data-testid="stMainBlockContainer"] { padding-top: 3rem; }
}
""" + _graph_css(GRAPH_FONT) + """
</style>
"""

# Presentation mode: larger type everywhere (Streamlit sizes text in rem), for a projector. Headings
# shrink instead, so that a page's main chart and numbers fit on a 1280x720 screen; chart text is as
# large and as dark as the body text (Plotly and Vega-Lite draw it light grey and small).
_PRESENT_CSS = """
<style>
html { font-size: 22px; }
h1 { font-size: 1.55rem !important; padding: 0 0 0.3rem 0 !important; }
h2 { font-size: 1.2rem !important; padding: 0.4rem 0 0.2rem 0 !important; }
h3 { font-size: 1.05rem !important; }
[data-testid="stMetricValue"] { font-size: 1.9rem; }
.st-key-mlp_live [data-testid="stMetricValue"] { font-size: 1.5rem; }
[data-testid="stMainBlockContainer"] { padding: 2.6rem 1.5rem 4rem 1.5rem; max-width: 100%; }
/* a page's main graph, taller than the screen, is drawn smaller to fit it; the pages draw a big graph
   around its current node instead, so this shrinks only graphs that stay legible */
[class*="st-key-fit_"] [data-testid="stGraphVizChart"] svg { max-height: calc(100vh - 7rem); }
[data-testid="stPlotlyChart"] :is(.xtick, .ytick, .g-xtitle, .g-ytitle, .g-y2title) text,
[data-testid="stPlotlyChart"] .legendtext,
[data-testid="stVegaLiteChart"] :is(.role-axis-label, .role-axis-title, .role-legend-label) text {
  fill: currentColor !important; fill-opacity: 1 !important;
}
""" + _graph_css(GRAPH_FONT_PRESENTING) + """
</style>
"""


def presenting() -> bool:
    """True in presentation mode (bigger text and charts, secondary controls hidden)."""
    return bool(st.session_state.get(PRESENT.key, False))


def text_color() -> str:
    """The body text's colour in the theme the browser shows (light unless it says dark)."""
    return TEXT["dark"] if st.context.theme.type == "dark" else TEXT["light"]


def detail_visible() -> bool:
    """Whether secondary controls and detail are shown (hidden in presentation mode)."""
    return not presenting()


def page_frame(path: str, settings: Sequence[Setting] = ()) -> None:
    """Set up the page at `path` (e.g. "pages/neuron.py"): config, state from the URL, navigation."""
    spec = next(p for p in PAGES if p.path == path)
    notices = sync_url([PRESENT, TOUR, SCENE, *settings])
    # a local favicon: a ":material/...:" page icon would be fetched from the web, and a classroom may be offline.
    # Presentation mode gives the lesson the whole screen; the sidebar's arrow brings the navigation back.
    st.set_page_config(
        page_title=f"{spec.title} · micrograd",
        page_icon=str(FAVICON),
        layout="wide",
        initial_sidebar_state="collapsed" if presenting() else "auto",
    )
    with st.sidebar:
        st.markdown("### micrograd, step by step")
        for page in PAGES:
            st.page_link(page.path, label=page.title, icon=page.icon)
        st.divider()
        PRESENT.widget()
        TOUR.widget()
    st.markdown(_CSS + (_PRESENT_CSS if presenting() else ""), unsafe_allow_html=True)
    for notice in notices:
        st.warning(notice, icon=":material/link_off:")
    from .lecture import lecture_strip  # here, not above: class mode's views draw figures, which use this module

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
