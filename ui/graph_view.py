"""Showing a Value graph on a page: the lecture-style drawing, what a cap left out, and downloads."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Collection, Mapping

import streamlit as st

from micrograd_core.engine import Value
from micrograd_core.graph import GraphDrawing, draw_graph

from .frame import GRAPH_FONT, GRAPH_FONT_PRESENTING, presenting


def show_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    highlight: Collection[Value] = (),
    show_grad: bool | Collection[Value] = True,
    max_nodes: int = 80,
    names: Mapping[Value, str] | None = None,
) -> GraphDrawing:
    """Draw the graph of `root` (rendered in the browser, no `dot` program needed) and say what a cap left out."""
    # In presentation mode larger type, and so a larger drawing, where the container has room for it
    drawing = draw_graph(
        root, rankdir=rankdir, highlight=highlight, show_grad=show_grad, max_nodes=max_nodes, names=names,
        fontsize=GRAPH_FONT_PRESENTING if presenting() else GRAPH_FONT,
    )
    name = root.label or "the output"
    st.graphviz_chart(drawing.dot, alt=f"Computation graph of {name}: {drawing.shown} of {drawing.total} values drawn")
    if drawing.note:
        st.info(drawing.note, icon=":material/visibility_off:")
    return drawing


def svg_of(dot_source: str) -> bytes | None:
    """SVG bytes from the graphviz `dot` program, or None when it is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    done = subprocess.run([dot, "-Tsvg"], input=dot_source.encode(), capture_output=True, timeout=30, check=False)
    return done.stdout if done.returncode == 0 else None
