"""Showing a Value graph on a page: the lecture-style drawing, legible on the stage, and downloads.

On the stage (presentation mode) a graph is drawn only as large as its place shows legibly: when the
whole graph would be shrunk below a legible size, the drawing keeps the nodes nearest the one the
page is about (its current node, else the output), says what it left out, and offers the whole
graph in a dialog. The page never scrolls to a node: what matters is drawn where it is seen.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pandas as pd
import streamlit as st

from micrograd_core.engine import Value

from .chart_text import numbers_behind
from .graph_drawing import GraphDrawing, draw_graph
from .graph_size import natural_size
from .mode import GRAPH_FONT, GRAPH_FONT_PRESENTING, presenting
from .state import Choice

LAYOUTS = {"TB": "top to bottom", "LR": "left to right (as in the lecture; wide)"}
# the least a stage graph is shrunk, by the estimate (which errs large): its text, 18.7 px at full size, then
# stays above 60% of the body text's 19.25 px
LEGIBLE = 0.63
FEWEST = 3  # values a cropped drawing keeps at least
MOST_ON_STAGE = 30  # values a cropped drawing keeps at most: more are never legible on a 1280x720 screen


def layout_setting(key: str) -> Choice:
    """The choice between the top-to-bottom drawing and the lecture's left-to-right one."""
    return Choice(key, "Graph layout", "TB", options=tuple(LAYOUTS), labels=LAYOUTS, kind="radio")


def graph_font() -> int:
    return GRAPH_FONT_PRESENTING if presenting() else GRAPH_FONT


WIDE_BY = 2.1  # the estimate of a drawing's width is at most this many times the width Graphviz gives it


def _fits(drawing: GraphDrawing, place: tuple[float, float]) -> bool:
    """Whether the drawing shows legibly in `place`, taking the estimate's errors against it both ways.

    Streamlit shrinks a graph to the width of its place and lets it be as tall as it then is: the text
    is as small as the widest the drawing may be makes it, and the drawing as tall as the narrowest does.
    """
    size = natural_size(drawing.dot.source, graph_font())
    smallest = size.scale_in(place[0])
    largest = min(1.0, place[0] * WIDE_BY / size.width)
    return smallest >= LEGIBLE and size.height * largest <= place[1]


def legible_drawing(root: Value, place: tuple[float, float], **options: Any) -> GraphDrawing:
    """The drawing of as many of the nodes nearest the focus (or the output) as fit `place` legibly.

    `place` is (width, height) in CSS pixels on the smallest projector the stage is made for. More
    nodes do not always make a drawing larger (a wide one is shrunk, and so less tall), so counts are
    tried from the fewest up, until the drawings have grown too deep to come back.
    """
    most = options.pop("max_nodes", 80)
    if "focus" not in options or options["focus"] is None:
        marked = list(options.get("highlight") or ())
        options["focus"] = marked[0] if marked else None
    drawing = draw_graph(root, fontsize=graph_font(), max_nodes=most, **options)
    if _fits(drawing, place):
        return drawing
    best, misses = draw_graph(root, fontsize=graph_font(), max_nodes=FEWEST, **options), 0
    for count in range(FEWEST + 1, min(most, drawing.shown, MOST_ON_STAGE) + 1):
        candidate = draw_graph(root, fontsize=graph_font(), max_nodes=count, **options)
        if _fits(candidate, place):
            best, misses = candidate, 0
        elif natural_size(candidate.dot.source, graph_font()).height * LEGIBLE > place[1]:
            misses += 1
            if misses == 3:  # too deep to be drawn legibly, however wide: more nodes only go deeper
                break
    return best


def fitting(root: Value, places: dict[str, tuple[float, float]], **options: Any) -> tuple[str, GraphDrawing]:
    """On the stage, the layout ("TB" or "LR") and drawing that show the most of the graph legibly.

    `places` gives each layout its place: top to bottom in a column beside the page's panels, left to
    right across the page. The whole graph in the layout asked for (`rankdir`), else the whole graph in
    the other, else the nodes nearest the focus top to bottom.
    """
    asked = options.pop("rankdir", "TB")
    for rankdir in dict.fromkeys((asked, "TB", "LR")):
        whole = draw_graph(root, fontsize=graph_font(), rankdir=rankdir, **options)
        if whole.omitted == 0 and _fits(whole, places[rankdir]):
            return rankdir, whole
    return "TB", legible_drawing(root, places["TB"], rankdir="TB", **options)


@st.dialog("The whole graph", width="large")
def _whole(root: Value, options: dict[str, Any]) -> None:
    drawing = draw_graph(root, fontsize=graph_font(), **options)
    st.graphviz_chart(drawing.dot, width="stretch")
    st.caption(f"All {drawing.total} values; on the stage, the page draws the part around the current node at a "
               "size the room can read.")


def show_graph(root: Value, *, place: tuple[float, float] | None = None, key: str = "graph",
               **options: Any) -> GraphDrawing:
    """Draw the graph of `root` with `graph_drawing.draw_graph(**options)`, and say what a cap left out.

    `place`: on the stage, the (width, height) in CSS pixels it has on a 1280x720 projector; the drawing
    then keeps to it legibly (see `legible_drawing`), with a button for the whole graph. Rendered in
    the browser: no `dot` program is needed.
    """
    if presenting() and place is not None:
        drawing = legible_drawing(root, place, **options)
    else:
        drawing = draw_graph(root, fontsize=graph_font(), **options)
    name = root.label or "the output"
    alt = f"Computation graph of {name}: {drawing.shown} of {drawing.total} values drawn"
    st.graphviz_chart(drawing.dot, alt=alt)
    told = "data and grad" if drawing.rows and "grad" in drawing.rows[0] else "data"
    numbers_behind(key, f"{alt}. Each value drawn: its {told}, and the operation and inputs that made it"
                   + (" (the highlighted one marked)." if drawing.highlighted else "."),
                   lambda: pd.DataFrame(drawing.rows))
    if drawing.note:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.caption(drawing.note)
            if presenting() and place is not None:
                whole = {k: v for k, v in options.items() if k not in ("max_nodes", "focus")}
                if st.button("Whole graph", key=f"{key}_whole", icon=":material/zoom_out_map:"):
                    _whole(root, {**whole, "max_nodes": max(drawing.total, 1)})
    if presenting() and options.get("rankdir") == "LR" and drawing.shown > 6 and place is None:
        st.caption("Left to right, a graph this size is drawn smaller than the text around it: top to bottom "
                   "reads better on a projector.")
    return drawing


def svg_of(dot_source: str) -> bytes | None:
    """SVG bytes from the graphviz `dot` program, or None when it is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    done = subprocess.run([dot, "-Tsvg"], input=dot_source.encode(), capture_output=True, timeout=30, check=False)
    return done.stdout if done.returncode == 0 else None

