"""The MLP diagram as Graphviz: inputs, neurons and output left to right, each edge a weight.

The sign of a weight shows in two ways, so it reads without colour too: blue and solid for
positive, vermillion and dashed for negative; its size sets the edge's width.
"""

from __future__ import annotations

import graphviz
import pandas as pd

from lessons.mlp.diagram import Diagram

from .mode import presenting
from .palette import HIGHLIGHT, NEGATIVE, NEUTRAL, POSITIVE


def network_dot(d: Diagram, chosen: tuple[int, int] | None = None) -> graphviz.Digraph:
    """The diagram; neurons are numbered in their layer, and the `chosen` (layer, neuron), 1-based, is filled."""
    dot = graphviz.Digraph(graph_attr={"rankdir": "LR", "bgcolor": "transparent", "nodesep": "0.12", "ordering": "out",
                                       "ranksep": "1.1", "fontname": "Helvetica"},
                           node_attr={"shape": "circle", "fixedsize": "true", "width": "0.42", "label": "",
                                      "fontname": "Helvetica", "fontsize": "16" if presenting() else "12",
                                      "color": NEUTRAL, "style": "filled", "fillcolor": "white"})
    last = len(d.sizes) - 1
    for li, (size, shown) in enumerate(zip(d.sizes, d.shown)):
        title = "inputs" if li == 0 else ("output" if li == last else f"hidden {li}")
        if li:
            title += f"\\n{d.activations[li - 1]}, {d.parameters[li - 1]} params"
        with dot.subgraph(name=f"cluster_{li}") as layer:
            layer.attr(label=title, color="transparent", fontsize="16" if presenting() else "12")
            for i in range(shown):
                label = f"x{i + 1}" if li == 0 else str(i + 1)
                # the chosen one filled and ringed twice: not by its colour alone
                chosen_here = chosen == (li, i + 1)
                fill = {"fillcolor": HIGHLIGHT, "shape": "doublecircle", "penwidth": "2"} if chosen_here else {}
                layer.node(f"u{li}_{i}", label, **({"shape": "box" if li == 0 else "circle"} | fill))
            if size > shown:
                layer.node(f"more{li}", f"+{size - shown}", shape="plaintext", fillcolor="transparent")
    top = max((abs(e.weight) for e in d.edges), default=1.0) or 1.0
    for e in d.edges:
        width = 0.4 + 3.6 * abs(e.weight) / top
        color = POSITIVE if e.weight >= 0 else NEGATIVE
        dot.edge(f"u{e.layer - 1}_{e.source}", f"u{e.layer}_{e.target}", color=color, penwidth=f"{width:.2f}",
                 style="solid" if e.weight >= 0 else "dashed", arrowhead="none")
    return dot


def edges_table(d: Diagram) -> pd.DataFrame:
    """The diagram's weights as rows: which unit each joins to which neuron, and its value."""
    def unit(layer: int, i: int) -> str:
        return f"x{i + 1}" if layer == 0 else f"L{layer}.N{i + 1}"
    return pd.DataFrame([{"from": unit(e.layer - 1, e.source), "to": unit(e.layer, e.target), "weight": e.weight,
                          "sign": "positive" if e.weight >= 0 else "negative"} for e in d.edges])
