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


@dataclass(frozen=True)
class NeuronView:
    """One neuron with its current numbers: activation(w1·in1 + w2·in2 + ... + b), and the last gradients."""

    layer: int  # 1 for the first hidden layer
    index: int  # 1-based, within its layer
    activation: str
    inputs: tuple[str, ...]  # x1, x2 for the first layer; h1, h2 (the previous layer's outputs) after it
    weights: tuple[float, ...]
    weight_grads: tuple[float, ...]
    bias: float
    bias_grad: float

    def formula(self) -> str:
        """The neuron as arithmetic with its numbers, e.g. tanh(0.52·x1 + (−0.31)·x2 + 0.07)."""
        terms = " + ".join(f"{_signed(w)}·{name}" for w, name in zip(self.weights, self.inputs))
        inner = f"{terms} + {_signed(self.bias)}"
        return inner if self.activation == "linear" else f"{self.activation}({inner})"


def _signed(v: float) -> str:
    return f"({v:.3g})" if v < 0 else f"{v:.3g}"


def neuron_view(model: MLP, layer: int, index: int) -> NeuronView:
    """Neuron `index` of layer `layer` (both 1-based) as a NeuronView."""
    if not 1 <= layer <= len(model.layers) or not 1 <= index <= len(model.layers[layer - 1].neurons):
        raise IndexError(f"no neuron {index} in layer {layer}")
    neuron = model.layers[layer - 1].neurons[index - 1]
    names = tuple(f"x{i}" if layer == 1 else f"h{i}" for i in range(1, len(neuron.w) + 1))
    return NeuronView(layer, index, neuron.activation, names, tuple(w.data for w in neuron.w),
                      tuple(w.grad for w in neuron.w), neuron.b.data, neuron.b.grad)
