"""The class's answers to a question, for the projector and the presenter: a chart, the verdict, the givens."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lessons.classroom.poll import Tally

from .chart_text import numbers_behind
from .figures import styled
from .palette import GREEN, GREY
from .text import literal

# a wrong answer's bar: white hatching laid over its grey (a pattern replacing the fill leaves it white)
WRONG = {"fillmode": "overlay", "fgcolor": "#FFFFFF", "solidity": 0.25}


def answers_chart(t: Tally, height: int = 320) -> go.Figure:
    """The class's answers: bars per choice, or a histogram of numbers with the true value marked."""
    fig = go.Figure()
    if t.question.kind == "choice":
        counts = t.choice_counts()
        colors = [GREEN if c == t.truth else GREY for c in counts]
        # the right choice is told by a tick beside its count, the others by a hatch, as well as by colour
        fig.add_trace(go.Bar(x=list(counts), y=list(counts.values()),
                             marker=dict(color=colors, pattern=dict(**WRONG, shape=["" if c == t.truth else "/"
                                                                                    for c in counts])),
                             text=[f"{n} ✓" if c == t.truth else str(n) for c, n in counts.items()],
                             textposition="outside", cliponaxis=False))
        fig.update_yaxes(title="students", rangemode="tozero", dtick=max(1, math.ceil(max(counts.values()) / 5)))
        fig.update_xaxes(type="category")  # choices such as "1e-1" and "1e-6" are names, not places on a number line
    else:
        values, _ = t.clipped()
        lo, hi = t.number_range()
        bins = dict(start=lo, end=hi, size=(hi - lo) / 20)
        right, wrong = _right_and_wrong(t)
        fig.add_trace(go.Histogram(x=right, xbins=bins, marker_color=GREEN, name="right"))
        # "not quite" hatched as well as grey: right and wrong differ without colour
        fig.add_trace(go.Histogram(x=wrong, xbins=bins, name="not quite",
                                   marker=dict(color=GREY, pattern=dict(**WRONG, shape="/"))))
        fig.add_vline(x=float(t.truth), line=dict(color=GREEN, width=3, dash="dot"))
        fig.add_annotation(x=float(t.truth), y=1.02, yref="paper", text=f"answer {float(t.truth):.4g}",
                           showarrow=False, yanchor="bottom", font=dict(color=GREEN))
        fig.update_xaxes(title="answer", range=[lo, hi])
        tallest = int(np.histogram(values, bins=20, range=(lo, hi))[0].max()) if values else 1
        fig.update_yaxes(title="students", rangemode="tozero", dtick=max(1, math.ceil(tallest / 5)))
        fig.update_layout(barmode="stack")
    fig.update_layout(showlegend=False, bargap=0.1)
    return styled(fig, height=height).update_layout(margin=dict(t=40))  # room for the answer's label


def _right_and_wrong(t: Tally) -> tuple[list[float], list[float]]:
    """A number question's answers where the histogram draws them (far ones at its edges), right ones first."""
    values, _ = t.clipped()
    right = [v for v, raw in zip(values, t.values) if t.question.correct(raw)]
    wrong = [v for v, raw in zip(values, t.values) if not t.question.correct(raw)]
    return right, wrong


def answers_table(t: Tally) -> pd.DataFrame:
    """The chart's numbers: students per choice, or per bar of the histogram, right and not quite apart."""
    if t.question.kind == "choice":
        return pd.DataFrame([{"answer": c, "students": n, "the answer": "yes" if c == t.truth else ""}
                             for c, n in t.choice_counts().items()])
    lo, hi = t.number_range()
    right, wrong = _right_and_wrong(t)
    edges = np.linspace(lo, hi, 21)
    return pd.DataFrame({"from": edges[:-1], "to": edges[1:], "right": np.histogram(right, bins=edges)[0],
                         "not quite": np.histogram(wrong, bins=edges)[0]})


def answers_view(t: Tally, key: str, height: int, *, static: bool = False) -> None:
    """The class's answers as a chart, with its numbers a click away."""
    st.plotly_chart(answers_chart(t, height=height), key=key, alt="Chart of the class's answers, the right one marked",
                    config={"displayModeBar": False} | ({"staticPlot": True} if static else {}))
    numbers_behind(key, f"The class's {t.count} answers: " + verdict_line(t), lambda: answers_table(t),
                   formats={"from": ".4g", "to": ".4g"})


def verdict_line(t: Tally) -> str:
    """One line of Markdown: the true answer and the share of the class within tolerance."""
    truth = f"{t.truth:.4g}" if isinstance(t.truth, float) else literal(t.truth)
    within = "" if t.question.kind == "choice" else f" (within ±{t.question.tolerance:g})"
    far = t.clipped()[1] if t.question.kind == "number" else 0
    return (f"The answer: **{truth}**. {t.right} of {t.count} right{within}: "
            f"**{t.share_right:.0%}** of the class." + (f" ({far} far off, drawn at the edges.)" if far else ""))


def givens_line(values: dict[str, float]) -> str:
    """The numbers a question needs, as Markdown: "Given: a = 2, b = −3" ("" when there are none)."""
    if not values:
        return ""
    return "Given: " + ", ".join(f"{literal(k)} = {format(v, '.6g').replace('-', '−')}" for k, v in values.items())
