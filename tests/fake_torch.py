"""A stand-in for the few torch calls the Neuron page makes, so its PyTorch path is tested without PyTorch.

Tensors here wrap a micrograd `Value`; `tanh_scale` != 1 makes a deliberately wrong tanh, to check that the page
compares the two results instead of trusting them.
"""

import importlib.machinery
import types

from micrograd_core.engine import Value


class FakeTensor:
    def __init__(self, value: Value):
        self.value = value

    def __mul__(self, other):
        return FakeTensor(self.value * other.value)

    def __add__(self, other):
        return FakeTensor(self.value + other.value)

    def backward(self):
        self.value.backward()

    @property
    def grad(self):
        return FakeTensor(Value(self.value.grad))

    def item(self):
        return self.value.data


def fake_torch(tanh_scale: float = 1.0) -> types.ModuleType:
    torch = types.ModuleType("torch")
    torch.__spec__ = importlib.machinery.ModuleSpec("torch", None)  # so importlib.util.find_spec finds it
    torch.float64 = "float64"

    def tensor(data, dtype=None, requires_grad=False):
        assert dtype == "float64" and requires_grad and len(data) == 1
        return FakeTensor(Value(float(data[0])))

    torch.tensor = tensor
    torch.tanh = lambda t: FakeTensor((t.value * tanh_scale).tanh())
    return torch
