"""The three-class page's chart: the network's class over the plane, and the data points.

Each class has a colour (Okabe–Ito) and a shape, so the classes are told apart without colour too; the
plane is tinted with the class the network gives each cell (its largest score), the points drawn
solid, and the sample followed ringed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .palette import GREEN, INK, NEGATIVE, POSITIVE, blend
from .training_figures import layered_spec

COLORS = [POSITIVE, NEGATIVE, GREEN]
SHAPES = ["circle", "diamond", "square"]
NAMES = ["class 0", "class 1", "class 2"]


def classes_chart(xs: np.ndarray, ys: np.ndarray, classes: np.ndarray, X: Sequence[Sequence[float]],
                  y: Sequence[int], ringed: int | None = None) -> dict:
    """`classes` (rows along ys, columns along xs) tints the plane; the points X, labelled y, on top."""
    dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    rows, cols = np.indices(classes.shape)
    cells = pd.DataFrame({"x": xs[cols.ravel()], "y": ys[rows.ravel()],
                          "class": [NAMES[c] for c in np.asarray(classes).ravel()]})
    points = pd.DataFrame({"x1": [p[0] for p in X], "x2": [p[1] for p in X], "class": [NAMES[c] for c in y]})
    ring = points.iloc[[ringed]] if ringed is not None and 0 <= ringed < len(points) else points.iloc[:0]
    x = {"type": "quantitative", "title": "x1", "scale": {"domain": [float(xs[0] - dx), float(xs[-1] + dx)],
                                                          "nice": False, "zero": False}}
    y_axis = {"type": "quantitative", "title": "x2", "scale": {"domain": [float(ys[0] - dy), float(ys[-1] + dy)],
                                                               "nice": False, "zero": False}}
    # the plane's tint on the fill channel, the points' colour on the colour channel: two scales, one legend
    tints = {"field": "class", "type": "nominal", "legend": None,
             "scale": {"domain": NAMES, "range": [blend(c, 0.3) for c in COLORS]}}
    # colour and shape of one field with the same legend: Vega-Lite draws one legend of coloured shapes
    legend = {"orient": "bottom", "title": None}
    solid = {"field": "class", "type": "nominal", "legend": legend, "scale": {"domain": NAMES, "range": COLORS}}
    shapes = {"field": "class", "type": "nominal", "legend": legend, "scale": {"domain": NAMES, "range": SHAPES}}
    layers = [
        {"data": {"name": "cells"}, "mark": {"type": "rect"},
         "transform": [{"calculate": f"datum.x - {1.05 * dx}", "as": "x0"},
                       {"calculate": f"datum.x + {1.05 * dx}", "as": "x1e"},
                       {"calculate": f"datum.y - {1.05 * dy}", "as": "y0"},
                       {"calculate": f"datum.y + {1.05 * dy}", "as": "y1e"}],
         "encoding": {"x": {**x, "field": "x0"}, "x2": {"field": "x1e"}, "y": {**y_axis, "field": "y0"},
                      "y2": {"field": "y1e"}, "fill": tints}},
        {"data": {"name": "ring"}, "mark": {"type": "point", "filled": False, "size": 420, "strokeWidth": 3,
                                           "color": INK, "shape": "circle"},
         "encoding": {"x": {**x, "field": "x1"}, "y": {**y_axis, "field": "x2"}}},
        {"data": {"name": "points"}, "mark": {"type": "point", "filled": True, "size": 60, "stroke": "white",
                                             "strokeWidth": 1, "opacity": 1},
         "encoding": {"x": {**x, "field": "x1"}, "y": {**y_axis, "field": "x2"}, "color": solid, "shape": shapes}},
    ]
    spec = layered_spec(400, layers, {"cells": cells, "points": points, "ring": ring},
                        "Three classes of points on a spiral (circles, diamonds, squares), over the plane tinted "
                        "with the class the network gives each place.",
                        usermeta={"embedOptions": {"renderer": "canvas"}})
    return spec
