"""Drawing a Value's graph with Graphviz, as the lecture does: trace the graph, then draw one record per Value.

Only DOT text is built, so no `dot` program is needed (Streamlit draws it in the browser). The app's
own drawings (colours by the gradient's sign, a highlighted node, the part of a large graph that fits
a screen) build on `trace` in ui/graph_drawing.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .engine import Value, topological_order

if TYPE_CHECKING:
    import graphviz


def trace(root: Value) -> tuple[list[Value], list[tuple[Value, Value]]]:
    """Every Value the root was made from, children first, and the (child, parent) edges, one per use."""
    nodes = topological_order(root)
    edges = [(child, node) for node in nodes for child in node._prev]
    return nodes, edges


def draw_dot(root: Value, rankdir: str = "LR") -> graphviz.Digraph:
    """The graph of `root`: a record { label | data | grad } per Value, an oval per operation."""
    import graphviz  # here, not at the top: a student's browser runs the package without Graphviz

    dot = graphviz.Digraph(graph_attr={"rankdir": rankdir})
    nodes, edges = trace(root)
    names = {id(n): f"n{i}" for i, n in enumerate(nodes)}  # by place, so a rerun draws the same text
    for n in nodes:
        name = names[id(n)]
        dot.node(name, label=f"{{ {n.label} | data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(name + "_op", label=n._op)  # the operation that made n, as its own small node
            dot.edge(name + "_op", name)
    for child, parent in edges:
        dot.edge(names[id(child)], names[id(parent)] + "_op")
    return dot
