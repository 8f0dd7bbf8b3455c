"""Plotly figure builders shared by the pages, in one style and one colour convention.

Colours are Okabe-Ito (colour-blind safe): blue for positive, vermillion for negative, never
red against green. Charts are drawn by Streamlit's bundled Plotly: nothing is loaded from the web.
Every builder takes inf and nan in its data: such points are left out as gaps, never drawn
as a number and never an error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .mode import BODY_PX, presenting
from .palette import GREEN, GREY, NEGATIVE, POSITIVE, PURPLE, SERIES


def chart_height(base: int = 380) -> int:
    """Charts grow a little in presentation mode, no more than fits a 1280x720 projector beside the controls."""
    return int(base * 1.15) if presenting() else base


def font_size() -> int:
    return BODY_PX if presenting() else 15


def styled(fig: go.Figure, *, height: int = 380, title: str | None = None) -> go.Figure:
    """Apply the app's look: readable fonts, transparent background (light and dark themes), the colourway."""
    size = font_size()
    fig.update_layout(
        height=chart_height(height),
        title=title,
        colorway=SERIES,
        font=dict(size=size),
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=size)),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        hovermode="closest",
    )
    grid = "rgba(127,127,127,0.25)"
    fig.update_xaxes(gridcolor=grid, zerolinecolor="rgba(127,127,127,0.6)", tickfont=dict(size=size),
                     title_font=dict(size=size))
    fig.update_yaxes(gridcolor=grid, zerolinecolor="rgba(127,127,127,0.6)", tickfont=dict(size=size),
                     title_font=dict(size=size))
    fig.update_annotations(font_size=size)
    return fig


def sized(fig: go.Figure, height: float | None) -> go.Figure:
    """The figure at exactly `height` pixels (the stage's room for it), or as styled when None."""
    return fig if height is None else fig.update_layout(height=max(220, int(height)))


def finite_or_none(values: Sequence[float]) -> list[float | None]:
    """The values with inf and nan replaced by None, which Plotly draws as a gap."""
    return [float(v) if math.isfinite(v) else None for v in values]


def robust_range(values: Sequence[float | None], keep: Sequence[float] = ()) -> list[float] | None:
    """A y-range for a curve, ignoring a few huge values near a pole (1/x near 0) that would flatten the rest.

    The range spans the curve when it is tame; when its extremes are far outside the bulk of it
    (the 2nd to 98th percentiles), it spans that bulk widened, plus the points in `keep`.
    """
    finite = np.array([v for v in values if v is not None], dtype=np.float64)
    if finite.size == 0:
        return None
    lo, hi = float(finite.min()), float(finite.max())
    q_lo, q_hi = (float(q) for q in np.percentile(finite, [2, 98]))
    if hi - lo > 4 * (q_hi - q_lo) and q_hi > q_lo:
        spread = q_hi - q_lo
        lo, hi = max(lo, q_lo - spread), min(hi, q_hi + spread)
    kept = [k for k in keep if math.isfinite(k)]
    lo, hi = min([lo, *kept]), max([hi, *kept])
    pad = 0.08 * (hi - lo) or 1.0
    return [lo - pad, hi + pad]


def _line(lo: float, hi: float, x: float, y: float, slope: float) -> list[float | None]:
    return finite_or_none([y + slope * (lo - x), y + slope * (hi - x)])


def function_with_secant(
    xs: Sequence[float], ys: Sequence[float], x: float, fx: float, h: float, fxh: float, slope: float,
    height: float | None = None,
) -> go.Figure:
    """f over a window, the secant through (x, f(x)) and (x+h, f(x+h)), and the tangent at x.

    Where f is undefined its curve has a gap; a secant or tangent that cannot be drawn is left out.
    """
    fig = go.Figure()
    curve = finite_or_none(ys)
    fig.add_trace(go.Scatter(x=list(xs), y=curve, name="f(x)", mode="lines", line=dict(color=GREY, width=3)))
    lo, hi = float(xs[0]), float(xs[-1])
    secant = (fxh - fx) / h if math.isfinite(fx) and math.isfinite(fxh) else math.nan
    fig.add_trace(go.Scatter(x=[lo, hi], y=_line(lo, hi, x, fx, secant), name="secant, x to x+h",
                             mode="lines", line=dict(color=NEGATIVE, width=2, dash="dash")))
    fig.add_trace(go.Scatter(x=[lo, hi], y=_line(lo, hi, x, fx, slope), name="tangent (autograd)",
                             mode="lines", line=dict(color=POSITIVE, width=3)))
    fig.add_trace(go.Scatter(x=[x, x + h], y=finite_or_none([fx, fxh]), name="f(x), f(x+h)", mode="markers",
                             marker=dict(size=13, color=[POSITIVE, NEGATIVE])))
    y_range = robust_range(curve, keep=[fx])
    if y_range is not None:
        fig.update_yaxes(range=y_range)
    fig.update_xaxes(title="x", range=[lo, hi])
    fig.update_yaxes(title="f(x)")
    if not math.isfinite(fx):
        fig.add_vline(x=x, line=dict(color=NEGATIVE, dash="dot"))
        fig.add_annotation(x=x, y=0.98, yref="paper", text=f" f is not defined at x = {x:g} ", showarrow=False,
                           yanchor="top", xanchor="left", bgcolor="rgba(255,255,255,0.85)")
    return sized(styled(fig, height=360), height)


def slope_error_plot(hs: Sequence[float], errors: Sequence[float], current_h: float,
                     height: float | None = None) -> go.Figure:
    """|numerical - autograd slope| against h, log-log, with the chosen h marked.

    An error of exactly 0 (or inf, or nan) has no place on a log axis: it is a gap.
    """
    fig = go.Figure()
    shown = [e if e is not None and e > 0 else None for e in finite_or_none(errors)]
    fig.add_trace(go.Scatter(x=list(hs), y=shown, mode="lines+markers", name="slope error", line=dict(color=PURPLE)))
    fig.add_vline(x=current_h, line=dict(color=POSITIVE, dash="dot"))
    # on a log axis an annotation's x is in log10 units, not data units
    fig.add_annotation(x=math.log10(current_h), y=1, yref="paper", text="your h", showarrow=False,
                       yanchor="bottom", xanchor="left", font=dict(color=POSITIVE))
    if not any(v is not None for v in shown):
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                           text="no error to draw: the slope is undefined here, or every nudge is exact")
    fig.update_xaxes(title="step h", type="log", exponentformat="power")
    fig.update_yaxes(title="|numerical − autograd|", type="log", exponentformat="power")
    return sized(styled(fig, height=300), height)


def descent_plot(weights: Sequence[float], errors: Sequence[float], best: float | None) -> go.Figure:
    """Gradient descent on one weight: the weight (with the best weight) above, its error (from 0) below."""
    steps = list(range(len(weights)))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    fig.add_trace(go.Scatter(x=steps, y=finite_or_none(weights), name="weight", mode="lines+markers",
                             line=dict(color=POSITIVE)), row=1, col=1)
    if best is not None:
        fig.add_trace(go.Scatter(x=[0, max(10, len(weights) - 1)], y=[best, best], name="best weight",
                                 mode="lines", line=dict(color=GREEN, dash="dash")), row=1, col=1)
    error_curve = finite_or_none(errors)
    fig.add_trace(go.Scatter(x=steps, y=error_curve, name="error", mode="lines+markers",
                             line=dict(color=NEGATIVE)), row=2, col=1)
    top = max([e for e in error_curve if e is not None] or [1.0]) or 1.0
    # a few steps of room from the start, and the error (never negative) measured from 0
    fig.update_xaxes(autorangeoptions=dict(include=[0, 10]))
    fig.update_xaxes(title="step", row=2, col=1)
    fig.update_yaxes(title="weight", row=1, col=1)
    fig.update_yaxes(title="error", range=[0, 1.1 * top], row=2, col=1)
    return styled(fig, height=380)
