"""Neurons, layers and multi-layer perceptrons built from `Value`, as in the lecture.

See micrograd/nn.py in github.com/karpathy/micrograd. Activations are
selectable and initialisation takes a seed or a `random.Random`, so that a
class demo repeats exactly.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from .engine import Number, Value

# A neuron's activation by name: tanh as in the lecture, relu and a linear output as in micrograd's demo.
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "tanh": Value.tanh,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "linear": lambda v: v,
}


def _rng(seed: int | random.Random | None) -> random.Random:
    return seed if isinstance(seed, random.Random) else random.Random(seed)


class Module:
    """Something with parameters: they can be listed and their gradients reset."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """w . x + b, then an activation."""

    def __init__(self, nin: int, activation: str = "tanh", seed: int | random.Random | None = None) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        rng = _rng(seed)
        self.w = [Value(rng.uniform(-1, 1), label=f"w{i + 1}") for i in range(nin)]
        self.b = Value(rng.uniform(-1, 1), label="b")
        self.activation = activation

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return ACTIVATIONS[self.activation](act)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{self.activation.capitalize()}Neuron({len(self.w)})"


class Layer(Module):
    """`nout` neurons, each seeing the same `nin` inputs."""

    def __init__(self, nin: int, nout: int, activation: str = "tanh", seed: int | random.Random | None = None) -> None:
        rng = _rng(seed)
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: layers of sizes `nouts` after `nin` inputs.

    Hidden layers use `activation` (tanh, as in the lecture); the last layer uses
    `output_activation`, which defaults to the same, as in the lecture's MLP.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        output_activation: str | None = None,
        seed: int | random.Random | None = None,
    ) -> None:
        rng = _rng(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.nin = nin
        self.nouts = list(nouts)
        self.activation = activation
        self.output_activation = activation if output_activation is None else output_activation
        self.layers = [
            Layer(sizes[i], sizes[i + 1], self.output_activation if i == last else activation, rng)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Value | Number]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
            if isinstance(x, Value):
                x = [x]
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
