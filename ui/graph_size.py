"""How large Graphviz draws one of the app's graphs, estimated from its DOT text without running Graphviz.

Streamlit draws a graph at its natural size, shrunk to the width of its place: a graph too wide for
its column comes out with text too small to read from the back of a classroom. The stage uses this
estimate to draw as much of a graph as fits its place at a legible size (the rest is left out, with
a note and a way to see the whole). The estimate follows Graphviz's own rules for the shapes the app
draws (records of one line of text per field, ovals for operations, ranks separated by `ranksep`)
and errs on the large side; a test holds it against the layout of the Graphviz the browser runs (its
WebAssembly build, from the npm registry) where Node.js is installed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

PT = 4 / 3  # CSS pixels per Graphviz point, drawn at natural size
CHAR = 0.6  # a character's width in Helvetica, in font sizes (digits are 0.556; a few capitals are wider)
LINE = 1.2  # a line of text's height, in font sizes

_NODE = re.compile(r'^\t(\w+) \[label=("(?:[^"\\]|\\.)*"|[^ \]]+)([^\]]*)\]$', re.M)
_EDGE = re.compile(r"^\t(\w+) -> (\w+)(?!.*constraint=false)", re.M)  # an edge that places its nodes
_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^ \]]+)')


@dataclass(frozen=True)
class Size:
    """A drawing's natural size in CSS pixels."""

    width: float
    height: float

    def scale_in(self, width: float, height: float | None = None) -> float:
        """How much the drawing is shrunk to fit a place `width` wide (and at most `height` tall)."""
        scale = min(1.0, width / self.width)
        if height is not None:
            scale = min(scale, height / self.height)
        return scale


def _attrs(text: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in _ATTR.findall(text)}


def _graph_attr(source: str, name: str, default: float) -> float:
    match = re.search(rf"^\tgraph \[[^\]]*\b{name}=([\d.]+)", source, re.M)
    return float(match.group(1)) if match else default


def _fields(label: str) -> list[str]:
    inner = label.strip().removeprefix("{").removesuffix("}")
    return [f.strip() for f in re.split(r"(?<!\\)\|", inner)]


def _node_box(label: str, attrs: dict[str, str], fontsize: float, rankdir: str) -> tuple[float, float]:
    """(width, height) in points of one node as Graphviz sizes it."""
    size = float(attrs.get("fontsize", fontsize))
    shape = attrs.get("shape", "record")
    if shape == "record":
        fields = _fields(label)
        widths = [len(f) * CHAR * size + 16 for f in fields]
        line = LINE * size + 6.5
        if rankdir in ("TB", "BT"):  # "{ a | b | c }" stacks its fields in a top-to-bottom graph
            return max(widths), line * len(fields)
        return sum(widths), line
    lines = label.replace("\\l", "\\n").split("\\n")
    text_w, text_h = max(len(s) for s in lines) * CHAR * size, len(lines) * LINE * size
    if shape == "ellipse":
        return (max(float(attrs.get("width", 0.75)) * 72, text_w * 1.42 + 12),
                max(float(attrs.get("height", 0.5)) * 72, text_h * 1.42 + 8))
    return text_w + 24, text_h + 14  # a note or a plain box


def natural_size(source: str, fontsize: float) -> Size:
    """The natural size in CSS pixels of a graph drawn by Graphviz's dot from `source`.

    Ranks are found as dot finds them for these graphs: each node one rank before the nodes it feeds
    (a leaf sits right above the operation that uses it). A rank is as tall as its tallest node and as wide as its
    nodes side by side; the drawing is the ranks and the gaps between them, widened by two fifths for the
    room edges take between nodes.
    """
    rankdir = re.search(r"rankdir=(\w+)", source)
    direction = rankdir.group(1) if rankdir else "TB"
    boxes = {name: _node_box(label.strip('"'), _attrs(rest), fontsize, direction)
             for name, label, rest in _NODE.findall(source)}
    if not boxes:
        return Size(16.0, 16.0)
    out_of: dict[str, list[str]] = defaultdict(list)
    for tail, head in _EDGE.findall(source):
        if tail in boxes and head in boxes:
            out_of[tail].append(head)
    below: dict[str, int] = {}  # the longest path from a node to the end of the graph

    def length_below(name: str, seen: frozenset = frozenset()) -> int:
        if name not in below:
            below[name] = 1 + max((length_below(h, seen | {name}) for h in out_of[name] if h not in seen), default=-1)
        return below[name]

    for name in boxes:
        length_below(name)
    deepest = max(below.values())
    rank = {name: deepest - b for name, b in below.items()}  # each node right above the first node that uses it
    across: dict[int, float] = defaultdict(float)  # along a rank
    along: dict[int, float] = defaultdict(float)  # the rank's depth
    count: dict[int, int] = defaultdict(int)
    sideways = direction in ("TB", "BT")
    for name, (w, h) in boxes.items():
        r = rank[name]
        across[r] += w if sideways else h
        along[r] = max(along[r], h if sideways else w)
        count[r] += 1
    nodesep, ranksep = _graph_attr(source, "nodesep", 0.25) * 72, _graph_attr(source, "ranksep", 0.5) * 72
    # left to right, dot stacks a rank's records with more room between them than this counts: doubled
    breadth = (1.4 if sideways else 2.0) * max(across[r] + nodesep * (count[r] - 1) for r in across) + 8
    depth = sum(along.values()) + ranksep * (len(along) - 1) + 8
    width, height = (breadth, depth) if sideways else (depth, breadth)
    # the browser's Graphviz measures text on its own: against it, these make the estimate the larger
    grow_w, grow_h = (1.1, 1.12) if sideways else (1.04, 1.25)
    return Size(width * PT * grow_w, height * PT * grow_h)
