"""The Neuron page's chart: tanh, its slope 1 - tanh², the operating point and its tangent."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from micrograd_core.graph import NEGATIVE_COLOR, POSITIVE_COLOR

from .figures import GREEN, GREY, styled


def tanh_chart(n: float, o: float) -> go.Figure:
    """tanh over n, the point (n, o), the tangent with slope 1 - o², and the slope curve."""
    lo, hi = min(-4.0, n - 1.0), max(4.0, n + 1.0)
    ns = np.linspace(lo, hi, 241)
    ts = np.tanh(ns)
    slope = 1 - o * o
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=ns, y=ts, name="o = tanh(n)", line=dict(color=GREY, width=3)))
    fig.add_trace(go.Scatter(x=ns, y=1 - ts**2, name="slope 1 − tanh²(n)", line=dict(color=GREEN, dash="dot")))
    half = 1.2
    fig.add_trace(
        go.Scatter(
            x=[n - half, n + half], y=[o - slope * half, o + slope * half], name=f"tangent, slope {slope:.4f}",
            mode="lines", line=dict(color=POSITIVE_COLOR, width=3),
        )
    )
    fig.add_trace(
        go.Scatter(x=[n], y=[o], name=f"n = {n:.4f}, o = {o:.4f}", mode="markers",
                   marker=dict(size=14, color=NEGATIVE_COLOR if o < 0 else POSITIVE_COLOR,
                               line=dict(width=2, color="white")))
    )
    fig.add_hline(y=1, line=dict(color=GREY, dash="dash", width=1))
    fig.add_hline(y=-1, line=dict(color=GREY, dash="dash", width=1))
    fig.update_xaxes(title="n = x1·w1 + x2·w2 + b", range=[lo, hi])
    fig.update_yaxes(title="o", range=[-1.25, 1.25])
    if not math.isfinite(n):
        fig.add_annotation(text="n is not finite", showarrow=False)
    return styled(fig, height=360)
