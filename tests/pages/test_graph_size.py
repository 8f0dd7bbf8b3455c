"""The stage's estimate of a graph's size against the Graphviz the browser runs (its WebAssembly build).

The stage keeps a graph legible by choosing how much of it to draw from `ui.graph_size.natural_size`;
the estimate must never come out smaller than the drawing (or text would be shrunk below the legible
size), nor wider than `graph_view.WIDE_BY` times it (or a graph would be taller than its place).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from lessons.expression_graph import PRESETS, node_names, replay
from lessons.formulas import parse
from lessons.neuron import LECTURE_VALUES, build_neuron
from micrograd_core.engine import topological_order
from tests.conftest import ROOT
from ui.graph_drawing import draw_graph
from ui.graph_size import natural_size
from ui.graph_view import WIDE_BY
from ui.mode import GRAPH_FONT_PRESENTING

GRAPHVIZ = ROOT / "tests" / "graphviz"


def browser_sizes(sources: list[str]) -> list[tuple[float, float]]:
    node = shutil.which("node")
    if node is None or not (GRAPHVIZ / "node_modules" / "@hpcc-js").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("Node.js and tests/graphviz's package are installed by scripts/test.sh under CI")
        pytest.skip("the browser's Graphviz is not installed here (scripts/test.sh installs it with npm)")
    done = subprocess.run([node, "size.mjs"], input=json.dumps(sources).encode(), cwd=GRAPHVIZ,
                          capture_output=True, timeout=120, check=True)
    return [tuple(size) for size in json.loads(done.stdout)]


def drawings() -> list[str]:
    """The app's drawings on the stage: the presets and the neuron, whole and cropped, as the pages draw them."""
    roots = []
    for preset in PRESETS.values():
        root, _ = preset.build(preset.values)
        roots.append(root)
    for from_exp in (False, True):
        roots.append(build_neuron(LECTURE_VALUES, from_exp)[0])
    for formula in ("a*b + c", "a*a*a*a", "(a+b)*(a-b)/c", "exp(a)*b + relu(c) - log(b)", "tanh(x1*w1 + x2*w2 + b)"):
        expression = parse(formula)
        roots.append(expression.build(dict.fromkeys(expression.variables, 1.5))[0])
    sources = []
    for root in roots:
        order = topological_order(root)
        filled, _ = replay(root, len(order) // 2)
        names = node_names(root)
        labelled = {n: names[id(n)] for n in order if n._prev and not n.label}
        for most in (3, 5, 7, 9, 12, 40):
            for rankdir in ("TB", "LR"):
                for grads in (True, [n for n in order if id(n) in filled], None):
                    sources.append(draw_graph(root, rankdir=rankdir, max_nodes=most, show_grad=grads, names=labelled,
                                              highlight=[order[-1]], fontsize=GRAPH_FONT_PRESENTING).dot.source)
    return sources


def test_the_estimate_is_never_smaller_than_the_browsers_drawing_nor_too_much_wider():
    sources = drawings()
    for source, (width, height) in zip(sources, browser_sizes(sources), strict=True):
        estimate = natural_size(source, GRAPH_FONT_PRESENTING)
        assert estimate.height >= height * 0.999, source[:300]
        assert estimate.width >= width * 0.999, source[:300]
        if "rankdir=TB" in source:
            assert estimate.width <= WIDE_BY * width, source[:300]
