"""The topological sort inside backward(), one step at a time.

The lecture's build_topo is a depth-first search: a node is placed in the order only after every
node it is made from, so walking the order backwards visits each node after all the nodes that
use it, and each gradient is complete before it is passed on. `traced_build_topo` is that
function with a record of each step, for the page to replay.
"""

from __future__ import annotations

import functools
import textwrap
from dataclasses import dataclass

from micrograd_core.engine import Value

from ..source import source
from .value_stages.s7_numbers import Value as LectureValue


@dataclass(frozen=True)
class TopoStep:
    """One step of the search: a node entered (and marked visited), seen again (skipped), or placed."""

    kind: str  # "enter", "seen" or "place"
    node: Value
    placed: int  # how many nodes are in the order after this step


def traced_build_topo(root: Value) -> tuple[list[Value], list[TopoStep]]:
    """The lecture's build_topo, recording each step; returns the order and the steps."""
    topo, visited, steps = [], set(), []

    def build_topo(v):
        if v in visited:
            steps.append(TopoStep("seen", v, len(topo)))
            return
        visited.add(v)
        steps.append(TopoStep("enter", v, len(topo)))
        for child in v._prev:
            build_topo(child)
        topo.append(v)
        steps.append(TopoStep("place", v, len(topo)))

    build_topo(root)
    return topo, steps


def state_after(steps: list[TopoStep], k: int) -> tuple[set[int], dict[int, int]]:
    """After the first k steps: the ids of the visited nodes, and each placed node's position (1-based)."""
    visited: set[int] = set()
    placed: dict[int, int] = {}
    for step in steps[:k]:
        if step.kind == "enter":
            visited.add(id(step.node))
        elif step.kind == "place":
            placed[id(step.node)] = step.placed
    return visited, placed


@functools.cache
def build_topo_source() -> str:
    """The lines of the lecture's backward() that build the order (the Value class's last stage), as it
    writes them: the code the page steps through."""
    lines = source(LectureValue.backward).splitlines()
    first = next(i for i, line in enumerate(lines) if "topo, visited" in line)
    last = next(i for i, line in enumerate(lines) if line.strip() == "build_topo(self)")
    return textwrap.dedent("\n".join(lines[first:last + 1]))
