"""micrograd_core: a small, readable scalar autograd engine and neural-net library.

Plain Python, no Streamlit: every number the dashboard shows is computed here.
"""

from .engine import Value, backward_with_reuse_bug, topological_order
from .nn import MLP, Layer, Module, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron", "Value", "backward_with_reuse_bug", "topological_order"]
