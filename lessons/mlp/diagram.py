"""The MLP as a diagram: inputs, neurons and output in layers, each edge a weight with its sign and size.

Plain data for a page to draw: which neurons are shown (a wide layer shows its first few and says
how many are left out), every edge between shown neurons with its weight, and each layer's
parameter count, as `MLP.parameters()` has them.
"""

from __future__ import annotations

from dataclasses import dataclass

from micrograd_core.nn import MLP

MAX_SHOWN = 8  # neurons drawn per layer; a wider layer is drawn with its first ones and a count of the rest


@dataclass(frozen=True)
class Edge:
    """The weight from unit `source` of layer `layer` - 1 to neuron `target` of layer `layer` (0: inputs)."""

    layer: int
    source: int
    target: int
    weight: float


@dataclass(frozen=True)
class Diagram:
    sizes: tuple[int, ...]  # units per layer: the inputs, each hidden layer, the output
    shown: tuple[int, ...]  # units drawn per layer
    edges: tuple[Edge, ...]
    parameters: tuple[int, ...]  # weights and biases of each layer of neurons (none for the inputs)
    activations: tuple[str, ...]  # of each layer of neurons


def diagram(model: MLP, max_shown: int = MAX_SHOWN) -> Diagram:
    sizes = (model.nin, *(len(layer.neurons) for layer in model.layers))
    shown = tuple(min(n, max_shown) for n in sizes)
    edges = tuple(
        Edge(li, i, j, neuron.w[i].data)
        for li, layer in enumerate(model.layers, 1)
        for j, neuron in enumerate(layer.neurons[: shown[li]])
        for i in range(shown[li - 1])
    )
    parameters = tuple(len(layer.parameters()) for layer in model.layers)
    activations = tuple(layer.neurons[0].activation for layer in model.layers)
    return Diagram(sizes, shown, edges, parameters, activations)
