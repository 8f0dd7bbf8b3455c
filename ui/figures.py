"""Plotly figure builders shared by the pages, in one style and one colour convention.

Colours are Okabe-Ito (colour-blind safe): blue for positive, vermillion for negative, never
red against green. Charts are drawn by Streamlit's bundled Plotly: nothing is loaded from the web.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from micrograd_core.graph import NEGATIVE_COLOR, POSITIVE_COLOR

from .frame import presenting

SKY = "#56B4E9"
GREEN = "#009E73"
ORANGE = "#E69F00"
PURPLE = "#CC79A7"
GREY = "#7F7F7F"
COLORWAY = [POSITIVE_COLOR, NEGATIVE_COLOR, GREEN, PURPLE, ORANGE, SKY, GREY]


def chart_height(base: int = 380) -> int:
    """Charts grow in presentation mode."""
    return int(base * 1.35) if presenting() else base


def styled(fig: go.Figure, *, height: int = 380, title: str | None = None) -> go.Figure:
    """Apply the app's look: readable fonts, transparent background (light and dark themes), the colourway."""
    big = presenting()
    fig.update_layout(
        height=chart_height(height),
        title=title,
        colorway=COLORWAY,
        font=dict(size=20 if big else 15),
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="closest",
    )
    grid = "rgba(127,127,127,0.25)"
    fig.update_xaxes(gridcolor=grid, zerolinecolor="rgba(127,127,127,0.6)")
    fig.update_yaxes(gridcolor=grid, zerolinecolor="rgba(127,127,127,0.6)")
    return fig


def line_chart(
    x: Sequence[float],
    series: dict[str, Sequence[float]],
    *,
    x_title: str,
    y_title: str,
    height: int = 320,
    log_y: bool = False,
    markers: bool = False,
) -> go.Figure:
    """Several named lines over the same x."""
    fig = go.Figure()
    for name, ys in series.items():
        fig.add_trace(go.Scatter(x=list(x), y=list(ys), name=name, mode="lines+markers" if markers else "lines"))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title, type="log" if log_y else "linear")
    return styled(fig, height=height)


def _finite_or_none(values: Sequence[float]) -> list[float | None]:
    # Plotly leaves a gap at None; inf/nan would wreck the axis range
    return [v if v == v and abs(v) != float("inf") else None for v in values]


def function_with_secant(
    xs: Sequence[float],
    ys: Sequence[float],
    x: float,
    fx: float,
    h: float,
    fxh: float,
    slope: float,
) -> go.Figure:
    """f over a window, the secant through (x, f(x)) and (x+h, f(x+h)), and the tangent at x."""
    fig = go.Figure()
    ys = _finite_or_none(ys)
    fig.add_trace(go.Scatter(x=list(xs), y=ys, name="f(x)", mode="lines", line=dict(color=GREY, width=3)))
    lo, hi = xs[0], xs[-1]
    secant = (fxh - fx) / h
    fig.add_trace(
        go.Scatter(
            x=[lo, hi], y=[fx + secant * (lo - x), fx + secant * (hi - x)], name="secant through x and x+h",
            mode="lines", line=dict(color=NEGATIVE_COLOR, width=2, dash="dash"),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[lo, hi], y=[fx + slope * (lo - x), fx + slope * (hi - x)], name="tangent (autograd slope)",
            mode="lines", line=dict(color=POSITIVE_COLOR, width=2),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[x, x + h], y=[fx, fxh], name="f(x), f(x+h)", mode="markers",
            marker=dict(size=12, color=[POSITIVE_COLOR, NEGATIVE_COLOR]),
        )
    )
    finite = [v for v in ys if v is not None]
    if finite:
        top, bottom = max(finite), min(finite)
        pad = 0.1 * (top - bottom) or 1.0
        fig.update_yaxes(range=[bottom - pad, top + pad])
    fig.update_xaxes(title="x", range=[lo, hi])
    fig.update_yaxes(title="f(x)")
    return styled(fig, height=400)


def slope_error_plot(hs: Sequence[float], errors: Sequence[float], current_h: float) -> go.Figure:
    """|numerical - autograd slope| against h, log-log, with the chosen h marked."""
    fig = go.Figure()
    shown = [e if e > 0 else None for e in _finite_or_none(errors)]
    fig.add_trace(go.Scatter(x=list(hs), y=shown, mode="lines+markers", name="slope error", line=dict(color=PURPLE)))
    fig.add_vline(x=current_h, line=dict(color=POSITIVE_COLOR, dash="dot"), annotation_text="your h")
    fig.update_xaxes(title="step h", type="log", exponentformat="power")
    fig.update_yaxes(title="|numerical − autograd|", type="log", exponentformat="power")
    return styled(fig, height=300)


def descent_plot(weights: Sequence[float], errors: Sequence[float], best: float) -> go.Figure:
    """Weight and error over the steps of gradient descent on one weight."""
    steps = list(range(len(weights)))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=steps, y=_finite_or_none(weights), name="weight", mode="lines+markers",
                             line=dict(color=POSITIVE_COLOR)))
    fig.add_trace(go.Scatter(x=steps, y=_finite_or_none(errors), name="error", mode="lines+markers",
                             line=dict(color=NEGATIVE_COLOR), yaxis="y2"))
    fig.add_hline(y=best, line=dict(color=GREEN, dash="dot"), annotation_text="best weight")
    fig.update_layout(
        # a few steps of room from the start, and the error (never negative) measured from 0
        xaxis=dict(title="step", autorangeoptions=dict(include=[0, 10])),
        yaxis=dict(title="weight"),
        yaxis2=dict(title="error", overlaying="y", side="right", showgrid=False, zeroline=False, tickmode="auto",
                    range=[0, 1.1 * max([e for e in _finite_or_none(errors) if e is not None] or [1.0])]),
    )
    return styled(fig, height=340)
