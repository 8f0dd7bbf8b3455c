"""The loss landscape as a Vega-Lite chart: the loss over the (w, b) plane, the optimisers' paths, the gradient.

Like the MLP page's plane, a click on the landscape selects a cell (parameter "cell", its row i and
column j): the page starts descent there. The loss spans four decades, so it is coloured on a log
scale, in viridis (ordered by lightness, readable with colour-blindness). Each path has a colour, a dash
and a point shape of its own, so paths are told apart without colour too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from lessons.landscape import B_RANGE, W_RANGE, Path, Step

from .palette import GREEN, HIGHLIGHT, INK, NEGATIVE, POSITIVE
from .training_figures import layered_spec

SIZE = 440  # the plot's height in CSS pixels (its width is the column's)
STYLES = {"gradient descent": (POSITIVE, [1, 0], "circle"), "momentum": (NEGATIVE, [8, 4], "square"),
          "Adam": (GREEN, [2, 3], "triangle-up")}
ARROW = 0.16  # the gradient arrow's length, as a share of the plot's side
HEAD = 0.05  # the length of each side of its head


def landscape_chart(ws: Sequence[float], bs: Sequence[float], losses: Sequence[Sequence[float]],
                    paths: Sequence[Path], start: tuple[float, float], floor: tuple[float, float],
                    hand: tuple[float, float] | None = None, size: int = SIZE) -> dict:
    """The landscape with `paths` drawn on it from `start`, the gradient there as an arrow, the valley's `floor`
    marked ×, and the point set by hand (`hand`) as a diamond; `size` pixels high."""
    dw, db = (ws[1] - ws[0]) / 2, (bs[1] - bs[0]) / 2
    cells = pd.DataFrame([{"i": i, "j": j, "w": w, "b": b, "loss": max(value, 1e-12)}
                          for i, (b, row) in enumerate(zip(bs, losses)) for j, (w, value) in enumerate(zip(ws, row))])
    x = {"type": "quantitative", "title": "w", "scale": {"domain": list(W_RANGE), "nice": False, "zero": False}}
    y = {"type": "quantitative", "title": "b", "scale": {"domain": list(B_RANGE), "nice": False, "zero": False}}
    steps = pd.DataFrame([{"optimiser": p.name, "k": k, "w": s.w, "b": s.b} for p in paths
                          for k, s in enumerate(p.steps) if _inside(s.w, s.b)])
    if steps.empty:
        steps = pd.DataFrame({"optimiser": [], "k": [], "w": [], "b": []})
    # the legend names the optimisers drawn (the same from step to step: they change with the setting alone)
    names = [p.name for p in paths] or list(STYLES)
    by_name = {"field": "optimiser", "type": "nominal", "scale": {"domain": names}}
    layers = [
        {"data": {"name": "cells"}, "mark": {"type": "rect", "cursor": "crosshair"},
         "params": [{"name": "cell", "select": {"type": "point", "fields": ["i", "j"]}}],
         "transform": [{"calculate": f"datum.w - {dw}", "as": "w0"}, {"calculate": f"datum.w + {dw}", "as": "w1"},
                       {"calculate": f"datum.b - {db}", "as": "b0"}, {"calculate": f"datum.b + {db}", "as": "b1"}],
         "encoding": {"x": {**x, "field": "w0"}, "x2": {"field": "w1"}, "y": {**y, "field": "b0"},
                      "y2": {"field": "b1"},
                      "color": {"field": "loss", "type": "quantitative", "title": "loss",
                                "scale": {"type": "log", "scheme": "viridis", "reverse": True}}}},
        {"data": {"name": "steps"}, "mark": {"type": "line", "strokeWidth": 2.5, "clip": True},
         "encoding": {"x": {**x, "field": "w"}, "y": {**y, "field": "b"}, "order": {"field": "k"},
                      "color": {**by_name, "scale": {"domain": names, "range": [STYLES[n][0] for n in names]},
                                "legend": {"orient": "right", "title": "path"}},
                      "strokeDash": {**by_name, "scale": {"domain": names, "range": [STYLES[n][1] for n in names]},
                                     "legend": None}}},
        {"data": {"name": "steps"}, "mark": {"type": "point", "filled": True, "size": 36, "stroke": "white",
                                            "strokeWidth": 0.5, "opacity": 1, "clip": True},
         "encoding": {"x": {**x, "field": "w"}, "y": {**y, "field": "b"},
                      "color": {**by_name, "scale": {"domain": names, "range": [STYLES[n][0] for n in names]},
                                "legend": None},
                      "shape": {**by_name, "scale": {"domain": names, "range": [STYLES[n][2] for n in names]},
                                "legend": None}}},
        {"data": {"name": "arrow"}, "mark": {"type": "rule", "strokeWidth": 3, "color": HIGHLIGHT, "clip": True},
         "encoding": {"x": {**x, "field": "w"}, "y": {**y, "field": "b"}, "x2": {"field": "w2"},
                      "y2": {"field": "b2"}}},
        {"data": {"name": "carried"}, "mark": {"type": "rule", "strokeWidth": 2.5, "clip": True},
         "encoding": {"x": {**x, "field": "w"}, "y": {**y, "field": "b"}, "x2": {"field": "w2"},
                      "y2": {"field": "b2"},
                      "color": {**by_name, "scale": {"domain": names, "range": [STYLES[n][0] for n in names]},
                                "legend": None},
                      # dashed as its path, so it is not taken for the gradient's arrow without colour either
                      "strokeDash": {**by_name, "scale": {"domain": names, "range": [STYLES[n][1] for n in names]},
                                     "legend": None}}},
        {"data": {"name": "marks"}, "mark": {"type": "point", "filled": False, "size": 260, "strokeWidth": 3,
                                            "color": INK, "opacity": 1},
         "encoding": {"x": {**x, "field": "w"}, "y": {**y, "field": "b"},
                      "shape": {"field": "what", "type": "nominal", "legend": None,
                                "scale": {"domain": ["start", "lowest", "yours"],
                                          "range": ["circle", "cross", "diamond"]}}}},
    ]
    marks = [{"what": "start", "w": start[0], "b": start[1]}, {"what": "lowest", "w": floor[0], "b": floor[1]}]
    if hand is not None:
        marks.append({"what": "yours", "w": hand[0], "b": hand[1]})
    datasets = {"cells": cells, "steps": steps, "marks": pd.DataFrame(marks),
                "arrow": _arrow(paths[0] if paths else None), "carried": _carried(paths)}
    spec = layered_spec(SIZE, layers, datasets, "The loss over the plane of w and b, darker where lower, with "
                        "each optimiser's path from the start (circle), the gradient there as an arrow uphill, "
                        "momentum's and Adam's state as an arrow in their colour (the way it carries them next), "
                        "the lowest point (cross) and the point set by hand (diamond).",
                        usermeta={"embedOptions": {"renderer": "canvas"}})
    spec["height"] = size
    # the paths' colours and shapes are the optimisers', the marks' shapes and the cells' colours scales of their own
    spec["resolve"] = {"scale": {"color": "independent", "shape": "independent", "strokeDash": "independent"}}
    return spec


def _inside(w: float, b: float) -> bool:
    return W_RANGE[0] <= w <= W_RANGE[1] and B_RANGE[0] <= b <= B_RANGE[1]


COLUMNS = ["w", "b", "w2", "b2"]


def _current(path: Path | None) -> Step | None:
    """The path's current point: its last inside the plane."""
    inside = [s for s in path.steps if _inside(s.w, s.b)] if path is not None else []
    return inside[-1] if inside else None


def _arrow(path: Path | None) -> pd.DataFrame:
    """The gradient at the path's current point, as an arrow uphill."""
    point = _current(path)
    if point is None:
        return pd.DataFrame(columns=COLUMNS)
    return pd.DataFrame(_arrow_segments(point.w, point.b, point.grad_w, point.grad_b), columns=COLUMNS)


def _carried(paths: Sequence[Path]) -> pd.DataFrame:
    """Momentum's and Adam's state at each path's current point, as an arrow the way it carries the next step:
    against the velocity, or against m / √v per parameter (Adam's step before its bias corrections, which scale
    both parameters alike). Plain descent keeps no state: its step is the gradient's arrow, reversed."""
    rows = []
    for path in paths:
        point = _current(path)
        if point is None or len(point.state) != 2 or not point.state[0]:
            continue
        w, b = point.state
        if "velocity" in w:
            dx, dy = -w["velocity"], -b["velocity"]
        else:
            dx, dy = (-s["m"] / (math.sqrt(s["v"]) + 1e-8) for s in (w, b))
        rows += [(*segment, path.name) for segment in _arrow_segments(point.w, point.b, dx, dy)]
    return pd.DataFrame(rows, columns=[*COLUMNS, "optimiser"])


def _arrow_segments(w: float, b: float, dx: float, dy: float) -> list[tuple[float, float, float, float]]:
    """An arrow from (w, b) in the direction (dx, dy): three segments, the shaft and the two sides of its head,
    each a fixed share of the plot's side whatever the chart's shape; none for a direction of 0 or not finite."""
    if not all(math.isfinite(v) for v in (dx, dy)):
        return []
    span_w, span_b = W_RANGE[1] - W_RANGE[0], B_RANGE[1] - B_RANGE[0]
    sx, sy = dx / span_w, dy / span_b  # the direction in shares of the plot's side
    size = math.hypot(sx, sy)
    if size == 0:
        return []
    ux, uy = sx / size, sy / size
    tip = (w + ux * ARROW * span_w, b + uy * ARROW * span_b)
    segments = [(w, b, *tip)]
    for turn in (math.radians(150), math.radians(-150)):  # the head: back from the tip, 30° either side
        hx = ux * math.cos(turn) - uy * math.sin(turn)
        hy = ux * math.sin(turn) + uy * math.cos(turn)
        segments.append((*tip, tip[0] + hx * HEAD * span_w, tip[1] + hy * HEAD * span_b))
    return segments
