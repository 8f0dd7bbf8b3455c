"""The Neuron page's chart: tanh, its slope 1 - tanh², the operating point and its tangent."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from .figures import sized, styled
from .palette import GREEN, GREY, NEGATIVE, POSITIVE

TANGENT_HALF_WIDTH = 1.2  # the tangent is drawn from n - 1.2 to n + 1.2


def tanh_chart(n: float, o: float, *, hide_slope: bool = False, height: float | None = None) -> go.Figure:
    """tanh over n, the point (n, o), the tangent with slope 1 - o², and the slope curve.

    `hide_slope` leaves the slope's value out of the legend (the quiz asks for it).
    """
    finite = math.isfinite(n)
    lo, hi = (min(-4.0, n - 1.0), max(4.0, n + 1.0)) if finite else (-4.0, 4.0)
    ns = np.linspace(lo, hi, 241)
    ts = np.tanh(ns)
    slope = 1 - o * o
    half = TANGENT_HALF_WIDTH
    tangent_name = "tangent" if hide_slope else f"tangent, slope {slope:.4f}"
    traces = [
        go.Scatter(x=ns, y=ts, name="o = tanh(n)", line=dict(color=GREY, width=3)),
        go.Scatter(x=ns, y=1 - ts**2, name="1 − tanh²(n)", line=dict(color=GREEN, dash="dot")),
        go.Scatter(x=[n - half, n + half], y=[o - slope * half, o + slope * half], name=tangent_name,
                   mode="lines", line=dict(color=POSITIVE, width=3)),
        go.Scatter(x=[n], y=[o], name="(n, o)", mode="markers", hovertemplate="n = %{x:.4f}<br>o = %{y:.4f}",
                   marker=dict(size=14, color=NEGATIVE if o < 0 else POSITIVE,
                               line=dict(width=2, color="white"))),
    ]
    asymptote = dict(type="line", xref="paper", x0=0, x1=1, line=dict(color=GREY, dash="dash", width=1))
    layout = dict(
        shapes=[asymptote | dict(y0=1, y1=1), asymptote | dict(y0=-1, y1=-1)],
        xaxis=dict(title="n = x1·w1 + x2·w2 + b", range=[lo, hi]),
        yaxis=dict(title="o", range=[-1.25, 1.25]),
    )
    if not finite:
        layout["annotations"] = [dict(text="n is not finite", showarrow=False)]
    return sized(styled(go.Figure(data=traces, layout=layout), height=360), height)
