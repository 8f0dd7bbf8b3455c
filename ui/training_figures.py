"""Plotly figures of the MLP training page: loss curves, accuracy, predictions against targets, decision boundary.

Figures only draw numbers they are given (computed by `micrograd_core`). Positive is blue and
negative vermillion (Okabe-Ito); the two classes also differ in marker shape. They are redrawn
several times a second while training, so each is built from one dict (about five times faster
than `ui.figures.styled` and `update_*` calls) with the same look as `styled`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from micrograd_core.graph import NEGATIVE_COLOR, POSITIVE_COLOR

from .figures import COLORWAY, GREEN, GREY, ORANGE, PURPLE, SKY, chart_height, sign_color
from .frame import presenting

KEPT_COLORS = [GREEN, PURPLE, ORANGE, SKY, GREY, NEGATIVE_COLOR]
SCORE_SCALE = [[0.0, NEGATIVE_COLOR], [0.5, "#FFFFFF"], [1.0, POSITIVE_COLOR]]
_GRID = dict(gridcolor="rgba(127,127,127,0.25)", zerolinecolor="rgba(127,127,127,0.6)")


def base_layout(height: int, **layout) -> dict:
    """The layout of `ui.figures.styled(fig, height=height)`, as a dict, with `layout` merged in."""
    base = dict(
        height=chart_height(height),
        colorway=COLORWAY,
        font=dict(size=20 if presenting() else 15),
        margin=dict(l=10, r=10, t=20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="closest",
    )
    for axis in ("xaxis", "yaxis"):
        layout[axis] = _GRID | layout.get(axis, {})
    return base | layout


def log_ticks(values: Sequence[float]) -> list[float]:
    """Tick values 1, 2, 5 times powers of ten around the positive values (labelled in full, not as digits).

    Over more than a few decades only the powers of ten are kept, so the labels never crowd.
    """
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    if not positive:
        return []
    low, high = min(positive) / 2.5, max(positive) * 2.5
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = [(m, m * 10.0**k) for k in decades for m in (1, 2, 5)]
    inside = [(m, t) for m, t in ticks if low <= t <= high]
    if len(inside) > 12:
        inside = [(m, t) for m, t in inside if m == 1]
    return [t for _, t in inside]


def loss_figure(
    steps: Sequence[int],
    losses: Sequence[float],
    label: str,
    kept: Sequence[tuple[str, Sequence[int], Sequence[float]]] = (),
) -> go.Figure:
    """The current run's loss per step (bold blue) over earlier runs' curves (faded), log scale."""
    data = [
        dict(type="scatter", x=list(xs), y=list(ys), name=name, mode="lines", opacity=0.55,
             line=dict(color=KEPT_COLORS[i % len(KEPT_COLORS)], width=2))
        for i, (name, xs, ys) in enumerate(kept)
    ]
    data.append(dict(type="scatter", x=list(steps), y=list(losses), name=label,
                     mode="lines+markers" if len(steps) <= 40 else "lines",  # a lone first step stays visible
                     line=dict(color=POSITIVE_COLOR, width=3), marker=dict(size=6)))
    empty = not steps and not kept
    ticks = log_ticks([v for trace in data for v in trace["y"]])
    yaxis = (dict(title="loss", showticklabels=False) if empty
             else dict(title="loss (log scale)", type="log", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks]))
    layout = base_layout(
        380 + 22 * len(kept),
        xaxis=dict(title="step", autorangeoptions=dict(include=[0, 10])),
        yaxis=yaxis,
        uirevision="loss",
        showlegend=True,
        # below the axes, where the labels of earlier runs have room to wrap
        legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0),
    )
    if empty:
        layout["annotations"] = [dict(text="Press Step or Train", showarrow=False, x=0.5, y=0.5,
                                      xref="paper", yref="paper", font=dict(color=GREY))]
    return go.Figure(dict(data=data, layout=layout))


def accuracy_figure(steps: Sequence[int], accuracies: Sequence[float]) -> go.Figure:
    """Accuracy of each step's batch, in percent."""
    data = [dict(type="scatter", x=list(steps), y=[100 * a for a in accuracies], mode="lines", name="accuracy",
                 line=dict(color=GREEN, width=2))]
    layout = base_layout(230, xaxis=dict(title="step", autorangeoptions=dict(include=[0, 10])),
                         yaxis=dict(title="accuracy (%)", range=[0, 105]), uirevision="accuracy")
    return go.Figure(dict(data=data, layout=layout))


def targets_figure(predictions: Sequence[float], targets: Sequence[float]) -> go.Figure:
    """Each sample's prediction (bar, value under it) against its target (hollow diamond)."""
    ticks = list(range(len(predictions)))
    data = [
        dict(type="bar", x=ticks, y=list(predictions), name="output", width=0.55,
             marker=dict(color=[sign_color(p) for p in predictions])),
        dict(type="scatter", x=ticks, y=list(targets), name="target", mode="markers",
             marker=dict(symbol="diamond-open", size=22, color="#222222", line=dict(width=3))),
    ]
    top = max([1.0, *(abs(p) for p in predictions)])
    layout = base_layout(
        380,
        xaxis=dict(tickvals=ticks, ticktext=[f"sample {i + 1}<br>{p:.3f}" for i, p in zip(ticks, predictions)]),
        yaxis=dict(title="output", range=[-1.2 * top, 1.2 * top], zeroline=True),
        uirevision="targets",
        showlegend=False,
    )
    return go.Figure(dict(data=data, layout=layout))


def boundary_figure(
    xs: np.ndarray, ys: np.ndarray, z: np.ndarray, X: Sequence[Sequence[float]], y: Sequence[float]
) -> go.Figure:
    """The model's score over the plane (heatmap), its 0 level (the decision boundary) and the data points."""
    data = [dict(type="heatmap", x=xs, y=ys, z=z, zmin=-1, zmax=1, colorscale=SCORE_SCALE, opacity=0.6,
                 colorbar=dict(title=dict(text="score"), thickness=12), hoverinfo="skip")]
    if np.nanmin(z) < 0 < np.nanmax(z):
        data.append(dict(type="contour", x=xs, y=ys, z=z, contours=dict(start=0, end=0, size=1, coloring="none"),
                         line=dict(color="#222222", width=2), showscale=False, hoverinfo="skip", name="boundary"))
    points = np.asarray(X, dtype=float)
    labels = np.asarray(y, dtype=float)
    for cls, color, symbol, name in ((1.0, POSITIVE_COLOR, "circle", "class +1"),
                                     (-1.0, NEGATIVE_COLOR, "diamond", "class −1")):
        mine = points[labels == cls]
        data.append(dict(type="scatter", x=mine[:, 0], y=mine[:, 1], mode="markers", name=name,
                         marker=dict(color=color, symbol=symbol, size=8, line=dict(color="white", width=1))))
    layout = base_layout(
        380,
        xaxis=dict(range=[xs[0], xs[-1]], title="x1", showgrid=False, zeroline=False, constrain="domain"),
        yaxis=dict(range=[ys[0], ys[-1]], title="x2", showgrid=False, zeroline=False, scaleanchor="x",
                   constrain="domain"),
        uirevision="boundary",
        showlegend=False,
    )
    return go.Figure(dict(data=data, layout=layout))
