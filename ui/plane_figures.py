"""The plane of a 2-D data set as a Vega-Lite chart: the model's score (or its class) over the plane, the decision
boundary, and the data points, for the MLP page and the More than two classes page.

Each class has a colour (Okabe–Ito) and a shape, so the classes read without colour too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .mode import presenting
from .palette import GREEN, INK, NEGATIVE, POSITIVE, blend
from .training_figures import SCORE_RANGE, layered_spec

BOUNDARY_COLOR = INK


def class_name(label: float, many: bool) -> str:
    """How a class is named on a chart and in its table: +1 and −1, or class 0, 1, 2 with more than two."""
    return f"class {int(label)}" if many else ("+1" if label > 0 else "−1")


# each class a colour and a shape, so the classes read without colour too
CLASSES = {"+1": (POSITIVE, "circle"), "−1": (NEGATIVE, "diamond")}
MANY_CLASSES = {"class 0": (POSITIVE, "circle"), "class 1": (NEGATIVE, "diamond"), "class 2": (GREEN, "square")}


def boundary_chart(
    xs: np.ndarray,
    ys: np.ndarray,
    z: np.ndarray,
    boundary: Sequence[tuple[float, float, float, float]],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    held_out: tuple[Sequence[Sequence[float]], Sequence[float]] = ((), ()),
    picked: int | None = None,
) -> dict:
    """The model's score over the plane, its 0 level (the decision boundary, as segments) and the data points.

    `z` holds the score of each cell (rows along ys, columns along xs), or a score per class (a third axis):
    then each cell is tinted with the class of its largest score, where the tints meet is the boundary, and
    the points are of three classes. Held-out points are drawn hollow. Point `picked` (an index into X, then
    the held-out points) gets a ring. A click selects a cell of the plane (parameter "cell", its row i and
    column j) or a point (parameter "pick", or "pick_test" for a held-out one, its index k): the page decides
    what a click does.
    """
    many = np.ndim(z) == 3
    named = MANY_CLASSES if many else CLASSES
    dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    rows, cols = np.indices(np.shape(z)[:2])  # the cells' row (along ys) and column (along xs)
    cells = pd.DataFrame({"i": rows.ravel().astype(np.int16), "j": cols.ravel().astype(np.int16)})
    if many:
        cells["region"] = [class_name(c, True) for c in np.argmax(z, axis=2).ravel()]
    else:
        cells["score"] = np.asarray(z, dtype=np.float64).ravel()
    # cell edges from the grid's start and spacing, which depend on the data set only, not on the training;
    # cells overlap a little, or hairline seams show between them
    edges = [{"calculate": f"{xs[0]} + datum.j * {2 * dx} - {1.2 * dx}", "as": "x"},
             {"calculate": f"{xs[0]} + datum.j * {2 * dx} + {1.2 * dx}", "as": "x2"},
             {"calculate": f"{ys[0]} + datum.i * {2 * dy} - {1.2 * dy}", "as": "y"},
             {"calculate": f"{ys[0]} + datum.i * {2 * dy} + {1.2 * dy}", "as": "y2"}]
    train, tested = _points(X, y, 0, many), _points(*held_out, len(X), many)
    everything = pd.concat([train, tested])
    ring = everything.iloc[[picked]] if picked is not None and 0 <= picked < len(everything) else everything.iloc[:0]
    # the axes span the grid, which depends on the data set only, not on the training
    ex = {"scale": {"domain": [float(xs[0] - dx), float(xs[-1] + dx)], "nice": False, "zero": False}}
    ey = {"scale": {"domain": [float(ys[0] - dy), float(ys[-1] + dy)], "nice": False, "zero": False}}
    x = {"type": "quantitative", "title": "x1", **ex}
    y_axis = {"type": "quantitative", "title": "x2", **ey}
    # three classes: colour and shape of one field with one legend, which Vega-Lite draws as coloured shapes
    # on the stage beside the plot, which the stage's first screen leaves no room to shorten
    legend = {"orient": "right" if presenting() else "bottom", "title": None} if many else None
    classes = {"field": "class", "type": "nominal", "legend": legend,
               "scale": {"domain": list(named), "range": [c for c, _ in named.values()]}}
    shapes = {"field": "class", "type": "nominal", "legend": legend,
              "scale": {"domain": list(named), "range": [s for _, s in named.values()]}}
    if many:  # the tint on the fill channel, of a field of its own: the legend is the points' alone
        tint = {"fill": {"field": "region", "type": "nominal", "legend": None,
                         "scale": {"domain": list(named), "range": [blend(c, 0.3) for c, _ in named.values()]}}}
    else:
        tint = {"color": {"field": "score", "type": "quantitative", "title": "score",
                          "scale": {"domain": [-1, 0, 1], "range": SCORE_RANGE, "clamp": True, "interpolate": "rgb"}}}
    at = {"x": {**x, "field": "x1"}, "y": {**y_axis, "field": "x2"}}
    layers = [
        {"data": {"name": "cells"}, "transform": edges, "mark": {"type": "rect", "cursor": "crosshair"},
         "params": [{"name": "cell", "select": {"type": "point", "fields": ["i", "j"]}}],
         "encoding": {"x": {**x, "field": "x"}, "x2": {"field": "x2"}, "y": {**y_axis, "field": "y"},
                      "y2": {"field": "y2"}, **tint}},
        {"data": {"name": "boundary"}, "mark": {"type": "rule", "color": BOUNDARY_COLOR, "strokeWidth": 2.5},
         "encoding": {"x": {**x, "field": "x"}, "y": {**y_axis, "field": "y"},
                      "x2": {"field": "x2"}, "y2": {"field": "y2"}}},
        {"data": {"name": "ring"}, "mark": {"type": "point", "filled": False, "size": 420, "strokeWidth": 3,
                                           "color": INK, "shape": "circle"},
         "encoding": at},
        {"data": {"name": "points"}, "mark": {"type": "point", "filled": True, "size": 70, "stroke": "white",
                                             "strokeWidth": 1, "opacity": 1, "cursor": "pointer"},
         "params": [{"name": "pick", "select": {"type": "point", "fields": ["k"]}}],
         "encoding": {**at, "color": classes, "shape": shapes}},
        {"data": {"name": "held_out"}, "mark": {"type": "point", "filled": False, "size": 80, "strokeWidth": 2.5,
                                               "opacity": 1, "cursor": "pointer"},
         "params": [{"name": "pick_test", "select": {"type": "point", "fields": ["k"]}}],
         "encoding": {**at, "color": classes, "shape": shapes}},
    ]
    segments = pd.DataFrame(np.asarray(boundary, dtype=np.float64).reshape(-1, 4), columns=["x", "y", "x2", "y2"])
    # one canvas rather than 1,600 SVG paths re-laid out at every redraw (Streamlit picks a canvas itself
    # only above 2,000 rows)
    canvas = {"embedOptions": {"renderer": "canvas"}}
    datasets = {"cells": cells, "boundary": segments, "points": train, "held_out": tested, "ring": ring}
    if many:
        text = ("The plane tinted with the class of the network's largest score, and the data points of three "
                "classes: circles class 0, diamonds class 1, squares class 2, hollow held out.")
    else:
        text = ("The model's score over the plane, blue above 0 and vermillion below, its 0 line (the decision "
                "boundary), and the data points: circles +1, diamonds −1, hollow held out.")
    # the tints' fill scale kept apart from the points' colours, or Vega-Lite merges their legends into none
    extra = {"resolve": {"scale": {"fill": "independent"}}} if many else {}
    return layered_spec(380, layers, datasets, text, usermeta=canvas, **extra)


def _points(X: Sequence[Sequence[float]], y: Sequence[float], first: int, many: bool) -> pd.DataFrame:
    a = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    return pd.DataFrame({"x1": a[:, 0], "x2": a[:, 1], "class": [class_name(t, many) for t in y],
                         "k": np.arange(first, first + len(a), dtype=np.int64)})
