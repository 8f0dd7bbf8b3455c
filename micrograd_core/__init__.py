"""micrograd_core: what the lecture builds, and nothing else.

A scalar autograd engine (`Value`), neurons, layers and MLPs built from it, the graph drawing of
`draw_dot`, and a gradient check by finite differences. Plain Python with no Streamlit; the
lessons of the dashboard (in `lessons/`) compute every number they show with it.
"""

from .engine import Value, topological_order
from .gradcheck import gradient_check, numerical_gradient
from .graph import draw_dot, trace
from .nn import MLP, Layer, Module, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron", "Value", "draw_dot", "gradient_check",
           "numerical_gradient", "topological_order", "trace"]
