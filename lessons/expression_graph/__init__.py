"""The expression-graph lesson (the lecture's Value chapters): Values joined into a graph, and backpropagation.

walkthrough: the starting expressions, node names, backward() replayed node by node with the chain rule
value_class: the Value class built up one attribute at a time, with the graph each stage allows
topo_sort: the depth-first search that orders the graph for backward(), step by step
bugs: the node-reuse bug (= instead of +=) and tanh built from exp
"""

from . import questions, topo_sort, value_class
from .bugs import backward_with_reuse_bug, doubled, output_and_grads, reuse_demo, tanh_both_ways, two_branches
from .walkthrough import (
    PRESETS,
    Backprop,
    Link,
    Nudge,
    Preset,
    backward_order,
    chain_rule,
    engine_source,
    node_names,
    optimisation_step,
    replay,
)

__all__ = ["PRESETS", "Backprop", "Link", "Nudge", "Preset", "backward_order", "backward_with_reuse_bug", "chain_rule",
           "doubled", "engine_source", "node_names", "optimisation_step", "output_and_grads", "replay", "reuse_demo",
           "questions", "tanh_both_ways", "topo_sort", "two_branches", "value_class"]
