"""Vega-Lite charts of the MLP training page: loss curves, accuracy, predictions against targets, decision boundary.

They are redrawn four times a second while training. Streamlit gives a changed Plotly figure a new
element, which the browser mounts afresh and keeps hidden until drawn: on a busy machine the live
charts blinked out half the time. A Vega-Lite chart whose spec stays the same is updated in place,
so each spec here holds no numbers from the run: they all travel in its named `datasets`.

Charts only draw numbers they are given (computed by `micrograd_core`). Positive is blue and negative
vermillion (Okabe-Ito); the two classes also differ in marker shape.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from micrograd_core.graph import NEGATIVE_COLOR, POSITIVE_COLOR

from .figures import GREEN, GREY, ORANGE, PURPLE, SKY, chart_height
from .frame import presenting

KEPT_COLORS = [GREEN, PURPLE, ORANGE, SKY, GREY, NEGATIVE_COLOR]
# The score colours blended 60% over white, drawn opaque, so the black boundary line reads on either theme.
SCORE_RANGE = ["#E69E66", "#FFFFFF", "#66AAD1"]
BOUNDARY_COLOR = "#222222"
CLASSES = {"+1": (POSITIVE_COLOR, "circle"), "−1": (NEGATIVE_COLOR, "diamond")}
EMPTY_TEXT = "Press Step or Train"
STEP_AXIS = {"tickMinStep": 1, "format": "d"}  # whole steps


def _spec(height: int, layers: list[dict], datasets: dict[str, list[dict]], **extra) -> dict:
    """A layered Vega-Lite chart in the app's style; `datasets` holds every number it draws."""
    size = 20 if presenting() else 15
    return {
        "height": chart_height(height),
        "layer": layers,
        "datasets": datasets,
        "config": {
            "axis": {"labelFontSize": size - 2, "titleFontSize": size, "gridOpacity": 0.5},
            "legend": {"labelFontSize": size - 2, "titleFontSize": size, "labelLimit": 0},
            "view": {"stroke": None},
        },
        **extra,
    }


def loss_chart(
    steps: Sequence[int],
    losses: Sequence[float],
    label: str,
    kept: Sequence[tuple[str, Sequence[int], Sequence[float]]] = (),
) -> dict:
    """The current run's loss per step (bold blue, dots while short) over earlier runs' curves (faded), log scale."""
    names = [name for name, _, _ in kept] + [label]
    colors = [KEPT_COLORS[i % len(KEPT_COLORS)] for i in range(len(kept))] + [POSITIVE_COLOR]
    x = {"field": "step", "type": "quantitative", "title": "step", "scale": {"domainMin": 0}, "axis": STEP_AXIS}
    y = {"field": "loss", "type": "quantitative", "title": "loss (log scale)", "scale": {"type": "log"}}
    color = {"field": "run", "type": "nominal", "title": None, "sort": names,
             "scale": {"domain": names, "range": colors}, "legend": {"orient": "bottom", "direction": "vertical"}}
    positive = [{"filter": "datum.loss > 0"}]  # a log axis has no place for 0
    current = [{"step": s, "loss": v, "run": label} for s, v in zip(steps, losses)]
    datasets = {
        "kept": [{"step": s, "loss": v, "run": name} for name, xs, ys in kept for s, v in zip(xs, ys)],
        "current": current,
        "dots": current if len(current) <= 40 else [],  # a lone first step stays visible
        "empty": [] if current or kept else [{"text": EMPTY_TEXT}],
    }
    layers = [
        {"data": {"name": "kept"}, "transform": positive, "mark": {"type": "line", "strokeWidth": 2, "opacity": 0.55},
         "encoding": {"x": x, "y": y, "color": color, "detail": {"field": "run"}}},
        {"data": {"name": "current"}, "transform": positive, "mark": {"type": "line", "strokeWidth": 3},
         "encoding": {"x": x, "y": y, "color": color}},
        {"data": {"name": "dots"}, "transform": positive, "mark": {"type": "point", "filled": True, "size": 40},
         "encoding": {"x": x, "y": y, "color": color}},
        {"data": {"name": "empty"}, "mark": {"type": "text", "color": GREY, "fontSize": 18},
         "encoding": {"text": {"field": "text"}}},
    ]
    return _spec(380, layers, datasets)


def accuracy_chart(steps: Sequence[int], accuracies: Sequence[float]) -> dict:
    """Accuracy of each step's batch, in percent."""
    data = {"accuracy": [{"step": s, "accuracy": 100 * a} for s, a in zip(steps, accuracies)]}
    layer = {"data": {"name": "accuracy"}, "mark": {"type": "line", "color": GREEN, "strokeWidth": 2},
             "encoding": {"x": {"field": "step", "type": "quantitative", "title": "step", "scale": {"domainMin": 0},
                                "axis": STEP_AXIS},
                          "y": {"field": "accuracy", "type": "quantitative", "title": "accuracy (%)",
                                "scale": {"domain": [0, 100]}}}}
    return _spec(230, [layer], data)


def targets_chart(predictions: Sequence[float], targets: Sequence[float]) -> dict:
    """Each sample's prediction (bar, its value under the sample's name) against its target (hollow diamond)."""
    rows = [{"sample": f"sample {i}|{p:.3f}", "output": p, "target": t, "sign": "+" if p >= 0 else "−"}
            for i, (p, t) in enumerate(zip(predictions, targets), 1)]
    x = {"field": "sample", "type": "nominal", "title": None, "sort": None,
         "axis": {"labelAngle": 0, "labelExpr": "split(datum.label, '|')"}}
    # at least ±1.2, more when an output goes beyond: the spec keeps no number from the run
    y = {"field": "output", "type": "quantitative", "title": "output", "scale": {"domain": {"unionWith": [-1.2, 1.2]}}}
    layers = [
        {"mark": {"type": "bar", "width": {"band": 0.55}},
         "encoding": {"x": x, "y": y, "color": {"field": "sign", "type": "nominal", "legend": None,
                                                "scale": {"domain": ["+", "−"],
                                                          "range": [POSITIVE_COLOR, NEGATIVE_COLOR]}}}},
        {"mark": {"type": "point", "shape": "diamond", "filled": False, "size": 500, "strokeWidth": 3, "color": GREY},
         "encoding": {"x": x, "y": {**y, "field": "target"}}},
    ]
    for layer in layers:
        layer["data"] = {"name": "samples"}
    return _spec(380, layers, {"samples": rows})


def boundary_chart(
    xs: np.ndarray,
    ys: np.ndarray,
    z: np.ndarray,
    boundary: Sequence[tuple[float, float, float, float]],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
) -> dict:
    """The model's score over the plane, its 0 level (the decision boundary, as segments) and the data points."""
    dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    wx, wy = 1.2 * dx, 1.2 * dy  # cells overlap a little, or hairline seams show between them
    cells = [{"x": float(xs[j] - wx), "x2": float(xs[j] + wx), "y": float(ys[i] - wy), "y2": float(ys[i] + wy),
              "score": float(z[i, j])} for i in range(len(ys)) for j in range(len(xs))]
    points = [{"x1": float(a), "x2": float(b), "class": "+1" if t > 0 else "−1"} for (a, b), t in zip(X, y)]
    # the axes span the grid, which depends on the data set only, not on the training
    ex = {"scale": {"domain": [float(xs[0] - dx), float(xs[-1] + dx)], "nice": False, "zero": False}}
    ey = {"scale": {"domain": [float(ys[0] - dy), float(ys[-1] + dy)], "nice": False, "zero": False}}
    x = {"type": "quantitative", "title": "x1", **ex}
    y_axis = {"type": "quantitative", "title": "x2", **ey}
    layers = [
        {"data": {"name": "cells"}, "mark": {"type": "rect"},
         "encoding": {"x": {**x, "field": "x"}, "x2": {"field": "x2"}, "y": {**y_axis, "field": "y"},
                      "y2": {"field": "y2"},
                      "color": {"field": "score", "type": "quantitative", "title": "score",
                                "scale": {"domain": [-1, 0, 1], "range": SCORE_RANGE, "clamp": True,
                                          "interpolate": "rgb"}}}},
        {"data": {"name": "boundary"}, "mark": {"type": "rule", "color": BOUNDARY_COLOR, "strokeWidth": 2.5},
         "encoding": {"x": {**x, "field": "x"}, "y": {**y_axis, "field": "y"},
                      "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
        {"data": {"name": "points"}, "mark": {"type": "point", "filled": True, "size": 70, "stroke": "white",
                                             "strokeWidth": 1, "opacity": 1},
         "encoding": {"x": {**x, "field": "x1"}, "y": {**y_axis, "field": "x2"},
                      "color": {"field": "class", "type": "nominal", "legend": None,
                                "scale": {"domain": list(CLASSES), "range": [c for c, _ in CLASSES.values()]}},
                      "shape": {"field": "class", "type": "nominal", "legend": None,
                                "scale": {"domain": list(CLASSES), "range": [s for _, s in CLASSES.values()]}}}},
    ]
    segments = [{"x": a, "y": b, "x2": c, "y2": d} for a, b, c, d in boundary]
    return _spec(380, layers, {"cells": cells, "boundary": segments, "points": points})
