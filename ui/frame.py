"""The frame every page shows: page config, navigation, presentation mode, notices.

Every page calls `page_frame()` first. That makes a page look and behave the same whether
it was reached through the entry file or opened directly by URL on a freshly started server
(when a `pages/` folder exists, Streamlit may then run the page without the entry file).
Streamlit's own page list is hidden (`client.showSidebarNavigation = false`) and this
frame draws the navigation instead, so both routes show the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from .state import Param, sync_url

FAVICON = Path(__file__).parent / "static" / "favicon.png"


@dataclass(frozen=True)
class PageSpec:
    """A page of the app: its script, title, icon and one line about it."""

    path: str
    title: str
    icon: str


# The lessons, in lecture order. Titles and icons are set here and nowhere else.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", ":material/home:"),
    PageSpec("pages/derivatives.py", "Derivatives", ":material/show_chart:"),
    PageSpec("pages/expression_graph.py", "Expression graph", ":material/account_tree:"),
    PageSpec("pages/neuron.py", "Neuron", ":material/neurology:"),
    PageSpec("pages/mlp_training.py", "MLP training", ":material/model_training:"),
)

PRESENT = Param("present", False)

_CSS = """
<style>
/* colour-blind-safe accents shared with the charts and graphs */
:root { --mg-pos: #0072B2; --mg-neg: #D55E00; }
.mg-pos { color: var(--mg-pos); font-weight: 600; }
.mg-neg { color: var(--mg-neg); font-weight: 600; }
[data-testid="stMetricValue"] { font-variant-numeric: tabular-nums; }
</style>
"""

# Presentation mode: larger type everywhere (Streamlit sizes text in rem), for a projector.
_PRESENT_CSS = """
<style>
html { font-size: 22px; }
[data-testid="stMetricValue"] { font-size: 2.4rem; }
[data-testid="stMainBlockContainer"] { padding: 2rem 1.5rem 4rem 1.5rem; max-width: 100%; }
</style>
"""


def presenting() -> bool:
    """True in presentation mode (bigger text and charts, secondary controls hidden)."""
    return bool(st.session_state.get(PRESENT.key, False))


def detail_visible() -> bool:
    """Whether secondary controls and detail are shown (hidden in presentation mode)."""
    return not presenting()


def page_frame(path: str, params: Sequence[Param] = ()) -> None:
    """Set up the page at `path` (e.g. "pages/neuron.py"): config, state from the URL, navigation."""
    spec = next(p for p in PAGES if p.path == path)
    notices = sync_url([PRESENT, *params])
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
        st.toggle(
            "Presentation mode",
            key=PRESENT.key,
            help="For a projector: larger text and charts, fewer controls. "
            "Kept in the link, so a prepared URL opens in it.",
        )
    st.markdown(_CSS + (_PRESENT_CSS if presenting() else ""), unsafe_allow_html=True)
    for notice in notices:
        st.warning(notice, icon=":material/link_off:")
