"""Draw a `Value` expression as a Graphviz graph, in the style of the micrograd lecture.

Each Value is a record `{ label | data 2.0000 | grad -6.0000 }`; each operation is a
small oval between its inputs and its result, as in `draw_dot` from Karpathy's lecture
notebook. Only DOT text is built here, so no `dot` binary is needed (Streamlit renders
the source in the browser).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import graphviz

from micrograd_core.engine import Value
from micrograd_core.graph import trace

from .palette import NEGATIVE, NEUTRAL, POSITIVE

_HIGHLIGHT_FILL = "#FBE3B3"  # a light tint of HIGHLIGHT, so dark text stays readable
_TEXT_COLOR = "#222222"
_FONT = "Helvetica"
# White-filled nodes with dark text on a transparent background read on light and dark themes.
_GRAPH_ATTR = {"bgcolor": "transparent", "fontname": _FONT, "nodesep": "0.25", "ranksep": "0.15"}
_NODE_ATTR = {
    "shape": "record",
    "fontname": _FONT,
    "fontcolor": _TEXT_COLOR,
    "style": "filled",
    "fillcolor": "white",
    "color": NEUTRAL,
    "penwidth": "1.5",
}
_OP_ATTR = {"shape": "ellipse", "penwidth": "1", "width": "0.3", "height": "0.34", "margin": "0.03"}
_EDGE_ATTR = {"color": NEUTRAL, "arrowsize": "0.7"}
_RECORD_SPECIAL = str.maketrans({c: "\\" + c for c in '\\{}|<>"'} | {"\n": " ", "\r": " "})


@dataclass
class GraphDrawing:
    """A drawn graph, with how many of its Value nodes it shows."""

    dot: graphviz.Digraph
    shown: int
    total: int
    center: str = "the output"  # what the shown nodes are nearest
    highlighted: tuple[str, ...] = ()  # the DOT names of the highlighted nodes that are drawn
    rows: list[dict[str, str]] = field(default_factory=list)  # each drawn value as its text alternative reads it

    @property
    def omitted(self) -> int:
        """Value nodes left out of the drawing."""
        return self.total - self.shown

    @property
    def note(self) -> str:
        """A sentence saying what was left out, or "" when everything is drawn."""
        if not self.omitted:
            return ""
        nearest = "node nearest" if self.shown == 1 else f"{self.shown} nodes nearest"
        verb = "is" if self.omitted == 1 else "are"
        return f"Showing the {nearest} {self.center}; {self.omitted} of {self.total} nodes {verb} left out."


def format_number(x: float) -> str:
    """4 decimals; a compact general format for very large or small numbers; inf and nan as words."""
    if not math.isfinite(x):
        return str(x)  # 'inf', '-inf', 'nan'
    if x != 0 and not 1e-4 <= abs(x) < 1e6:
        return f"{x:.4g}"
    return f"{x + 0.0:.4f}"  # + 0.0 turns -0.0 into 0.0


def _escape(text: str) -> str:
    """Make text literal inside a record label (it may come from a user-typed name)."""
    return text.translate(_RECORD_SPECIAL)


def _sign_color(x: float) -> str:
    if x > 0:
        return POSITIVE
    if x < 0:
        return NEGATIVE
    return NEUTRAL  # zero or nan


def _nearest(nodes: list[Value], center: Value, max_nodes: int) -> set[int]:
    """ids of the `max_nodes` nodes fewest steps from `center`, through inputs and (for a node inside the
    graph) the nodes using it; ties go to the later in topological order."""
    if len(nodes) <= max_nodes:
        return {id(v) for v in nodes}
    position = {id(v): i for i, v in enumerate(nodes)}
    users: dict[int, list[Value]] = {}
    for v in nodes:
        for c in v._prev:
            users.setdefault(id(c), []).append(v)
    chosen: set[int] = {id(center)}
    level = [center]
    while level and len(chosen) < max_nodes:  # breadth-first, one distance at a time
        near = [c for v in level for c in (*v._prev, *users.get(id(v), ()))]
        nxt = {id(c): c for c in near if id(c) not in chosen}
        ranked = sorted(nxt.values(), key=lambda v: -position[id(v)])[: max_nodes - len(chosen)]
        chosen.update(id(v) for v in ranked)
        level = ranked
    return chosen


def draw_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    highlight: Collection[Value] = (),
    show_grad: bool | Collection[Value] | None = True,
    max_nodes: int = 80,
    names: Mapping[Value, str] | None = None,
    fontsize: int = 14,
    focus: Value | None = None,
) -> GraphDrawing:
    """Draw the graph ending at `root`: up to `max_nodes` records nearest the output (or `focus`), plus op nodes.

    `show_grad`: every grad, none ("grad ?", for a quiz), those of the given nodes, or None for no
    grad field at all (a Value before the lecture gives it one). `names` overrides labels.
    Highlighted nodes get the SVG class "highlight", so a page can find them in the drawing.
    """
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f'rankdir must be "LR" or "TB" (or "RL", "BT"), got {rankdir!r}')
    # Membership by identity: two Values with equal data are still different nodes.
    highlighted = {id(v) for v in highlight}
    grads_shown = None if show_grad is None or isinstance(show_grad, bool) else {id(v) for v in show_grad}
    labels = {id(v): s for v, s in (names or {}).items()}

    nodes, _ = trace(root)
    if focus is not None and all(v is not focus for v in nodes):
        raise ValueError("focus must be a node of the graph")
    shown = _nearest(nodes, root if focus is None else focus, max_nodes)
    dot = graphviz.Digraph(
        graph_attr=_GRAPH_ATTR | {"rankdir": rankdir},
        node_attr=_NODE_ATTR | {"fontsize": str(fontsize)},
        edge_attr=_EDGE_ATTR,
    )
    # Ids are topological positions, never id(): the same expression gives the same DOT on every rerun.
    ids = {id(v): f"n{i}" for i, v in enumerate(nodes) if id(v) in shown}
    rows: list[dict[str, str]] = []
    cut_ops = []  # op nodes with an input that is left out
    cut_uses = [ids[id(c)] for v in nodes if id(v) not in ids for c in v._prev if id(c) in ids]  # feed hidden nodes
    for v in (v for v in nodes if id(v) in ids):
        name = ids[id(v)]
        visible = bool(show_grad) if grads_shown is None else id(v) in grads_shown
        grad_text = [] if show_grad is None else [f"grad {format_number(v.grad)}" if visible else "grad ?"]
        label = labels.get(id(v), v.label)
        fields = ([_escape(label)] if label else []) + [f"data {format_number(v.data)}", *grad_text]
        attrs = {"color": _sign_color(v.grad) if visible else NEUTRAL}
        if id(v) in highlighted:
            attrs |= {"fillcolor": _HIGHLIGHT_FILL, "penwidth": "3", "class": "highlight"}
        dot.node(name, "{ " + " | ".join(fields) + " }", **attrs)
        inputs = ", ".join(labels.get(id(c)) or c.label or ids.get(id(c), "a value left out") for c in v._prev)
        rows.append({"value": label or name, "made by": f"{v._op} of {inputs}" if v._prev else "(an input)",
                     "data": format_number(v.data)} | ({} if show_grad is None else {"grad": grad_text[0][5:]})
                    | ({"highlighted": "yes" if id(v) in highlighted else ""} if highlighted else {}))
        if not v._prev:
            continue
        op = name + "_op"
        # larger than the values' text: a lone * or + is a small glyph
        dot.node(op, graphviz.escape(v._op), fontsize=str(round(1.4 * fontsize)), **_OP_ATTR)
        dot.edge(op, name)
        for child in v._prev:  # one edge per use, so a + a shows two arrows
            if id(child) in ids:
                dot.edge(ids[id(child)], op)
            elif not cut_ops or cut_ops[-1] != op:
                cut_ops.append(op)

    center = "the output" if focus is None else (labels.get(id(focus)) or focus.label or "the chosen node")
    marked = tuple(ids[id(v)] for v in nodes if id(v) in highlighted and id(v) in ids)
    drawing = GraphDrawing(dot=dot, shown=len(shown), total=len(nodes), center=center, highlighted=marked, rows=rows)
    if drawing.omitted:
        # One note where the missing nodes would join, so the cut is visible, not silent.
        # a short note in the drawing (the page says the whole sentence under it)
        dot.node("omitted", f"{drawing.omitted} of {drawing.total}\\nleft out", shape="note")
        # constraint=false: the note sits beside the graph, never adding a rank of its own to it
        for op in cut_ops:
            dot.edge("omitted", op, style="dashed", constraint="false")
        for name in dict.fromkeys(cut_uses):
            dot.edge(name, "omitted", style="dashed", constraint="false")
    return drawing
