"""Showing a Value graph on a page: the lecture-style drawing at a readable size, kept in view, and downloads."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from contextlib import nullcontext
from typing import Any

import streamlit as st

from micrograd_core.engine import Value
from micrograd_core.graph import GraphDrawing, draw_graph

from .frame import GRAPH_FONT, GRAPH_FONT_PRESENTING, presenting
from .state import Choice

LAYOUTS = {"TB": "top to bottom", "LR": "left to right (as in the lecture; wide)"}

# Scrolls the highlighted node of a graph into view when it is off screen, once the browser has drawn it.
# The drawing's node names are fixed per position, so the script waits for *this* step's node.
_FOLLOW = """<script>
(function () {{
  let tries = 0, last = null;
  function follow() {{
    const node = [...document.querySelectorAll('[data-testid="stGraphVizChart"] g.node.highlight')]
      .find(g => g.querySelector('title')?.textContent === {name!r});
    const box = node ? node.getBoundingClientRect() : null;
    const settled = box && last && box.top === last.top && box.height === last.height;
    if (!settled) {{ last = box; if (++tries < 60) setTimeout(follow, 100); return; }}
    if (box.top < 60 || box.bottom > window.innerHeight) node.scrollIntoView({{block: "nearest", behavior: "smooth"}});
  }}
  follow();
}})();
</script>"""


def layout_setting(key: str) -> Choice:
    """The choice between the top-to-bottom drawing and the lecture's left-to-right one."""
    return Choice(key, "Graph layout", "TB", options=tuple(LAYOUTS), labels=LAYOUTS, kind="radio")


def graph_font() -> int:
    return GRAPH_FONT_PRESENTING if presenting() else GRAPH_FONT


def show_graph(root: Value, *, follow: str | None = None, fit: str | None = None, **options: Any) -> GraphDrawing:
    """Draw the graph of `root` with `micrograd_core.graph.draw_graph(**options)`, and say what a cap left out.

    With `follow`, a key naming the current state (a step, say), the highlighted node is scrolled
    into view when the page changes it. With `fit`, a name for the page's main graph, a graph taller
    than the screen is drawn smaller to fit it in presentation mode. Rendered in the browser: no `dot`
    program is needed.
    """
    drawing = draw_graph(root, fontsize=graph_font(), **options)
    name = root.label or "the output"
    alt = f"Computation graph of {name}: {drawing.shown} of {drawing.total} values drawn"
    with st.container(key=f"fit_{fit}") if fit else nullcontext():
        st.graphviz_chart(drawing.dot, alt=alt)
    if drawing.note:
        st.caption(drawing.note)
    if presenting() and options.get("rankdir") == "LR" and drawing.shown > 6:
        st.caption("Left to right, a graph this size is drawn smaller than the text around it: top to bottom "
                   "reads better on a projector.")
    if follow is not None and drawing.highlighted:
        # the comment changes with `follow` (hashed: it may hold typed text), so the script runs at each new step
        token = hashlib.sha256(follow.encode()).hexdigest()[:16]
        st.html(_FOLLOW.format(name=drawing.highlighted[0]) + f"<!-- {token} -->", unsafe_allow_javascript=True)
    return drawing


def svg_of(dot_source: str) -> bytes | None:
    """SVG bytes from the graphviz `dot` program, or None when it is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    done = subprocess.run([dot, "-Tsvg"], input=dot_source.encode(), capture_output=True, timeout=30, check=False)
    return done.stdout if done.returncode == 0 else None
