"""Class mode in the views: the store, the teacher's control of a class, the join link and its QR code.

The teacher's control token lives only in the teacher's session (`st.session_state`), never in a
link: a student who edits their URL or replays a request has the join code at most, which lets
them answer and nothing else. The store is one per server process (`st.cache_resource`); the
class's state is in it, not in this module.
"""

from __future__ import annotations

import io
import logging
import math
import os
from urllib.parse import urlencode, urlsplit

import numpy as np
import plotly.graph_objects as go
import segno
import streamlit as st

from lessons.classroom.poll import Tally
from lessons.classroom.store import ClassState, ClassStore, StoreError, open_store
from lessons.tour import SCENES, Scene

from .figures import styled
from .palette import GREEN, GREY
from .text import literal

CLASS_PAGE = "pages/classroom.py"
_CODE, _TOKEN = "class_code", "_class_token"
_LOG = logging.getLogger(__name__)


def _redis_url() -> str | None:
    """A Redis URL from the environment or `.streamlit/secrets.toml` (`redis_url`), for several app servers."""
    if os.environ.get("MICROGRAD_REDIS_URL"):
        return os.environ["MICROGRAD_REDIS_URL"]
    try:
        return st.secrets.get("redis_url")
    except Exception:  # no secrets file: the embedded SQLite store
        return None


@st.cache_resource(show_spinner=False)
def class_store() -> ClassStore:
    """The server's store of classes (SQLite in the data folder unless Redis is configured)."""
    return open_store(redis_url=_redis_url())


def teaching() -> tuple[str, str] | None:
    """(code, token) of the class this session leads, if any."""
    code, token = st.session_state.get(_CODE), st.session_state.get(_TOKEN)
    return (code, token) if code and token else None


def start_class(scene: Scene | None) -> None:
    """Open a class led by this session, on `scene` (the tour's current one) if given."""
    code, token = class_store().create()
    st.session_state[_CODE], st.session_state[_TOKEN] = code, token
    if scene is not None:
        show_scene(scene)


def end_class() -> None:
    lead = teaching()
    if lead is not None:
        try:
            class_store().end(*lead)
        except StoreError:
            pass  # already gone (expired): ending it is done either way
    st.session_state.pop(_CODE, None)
    st.session_state.pop(_TOKEN, None)


def show_scene(scene: Scene) -> None:
    """Tell the class the teacher is on `scene` (its question, if it asks one, opens for answers)."""
    lead = teaching()
    if lead is None:
        return
    try:
        class_store().set_scene(*lead, scene.number, scene.question.id if scene.question else "")
    except StoreError as err:  # the class expired or ended elsewhere: this session leads nothing now
        _LOG.info("class %s: %s", lead[0], err)
        st.session_state.pop(_CODE, None)
        st.session_state.pop(_TOKEN, None)


def join_url(code: str) -> str:
    """The link a student opens: this server's Class page with the code (no token)."""
    here = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{here.scheme}://{here.netloc}/classroom?{urlencode({'join': code})}"


@st.cache_data(show_spinner=False, max_entries=64)
def qr_png(text: str) -> bytes:
    """A QR code of `text` as PNG, drawn offline, with large modules to scan from the back of a room."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=12, border=2, dark="#111111", light="#FFFFFF")
    return buffer.getvalue()


def current_state() -> ClassState | None:
    lead = teaching()
    return None if lead is None else class_store().state(lead[0])


def answers_chart(t: Tally, height: int = 320) -> go.Figure:
    """The class's answers: bars per choice, or a histogram of numbers with the true value marked."""
    fig = go.Figure()
    if t.question.kind == "choice":
        counts = t.choice_counts()
        colors = [GREEN if c == t.truth else GREY for c in counts]
        fig.add_trace(go.Bar(x=list(counts), y=list(counts.values()), marker_color=colors,
                             text=list(counts.values()), textposition="outside", cliponaxis=False))
        fig.update_yaxes(title="students", rangemode="tozero", dtick=max(1, math.ceil(max(counts.values()) / 5)))
    else:
        values, _ = t.clipped()
        lo, hi = t.number_range()
        bins = dict(start=lo, end=hi, size=(hi - lo) / 20)
        right = [v for v, raw in zip(values, t.values) if t.question.correct(raw)]
        wrong = [v for v, raw in zip(values, t.values) if not t.question.correct(raw)]
        fig.add_trace(go.Histogram(x=right, xbins=bins, marker_color=GREEN, name="right"))
        fig.add_trace(go.Histogram(x=wrong, xbins=bins, marker_color=GREY, name="not quite"))
        fig.add_vline(x=float(t.truth), line=dict(color=GREEN, width=3, dash="dot"))
        fig.add_annotation(x=float(t.truth), y=1.02, yref="paper", text=f"answer {float(t.truth):.4g}",
                           showarrow=False, yanchor="bottom", font=dict(color=GREEN))
        fig.update_xaxes(title="answer", range=[lo, hi])
        tallest = int(np.histogram(values, bins=20, range=(lo, hi))[0].max()) if values else 1
        fig.update_yaxes(title="students", rangemode="tozero", dtick=max(1, math.ceil(tallest / 5)))
        fig.update_layout(barmode="stack")
    fig.update_layout(showlegend=False, bargap=0.1)
    return styled(fig, height=height).update_layout(margin=dict(t=40))  # room for the answer's label


def verdict_line(t: Tally) -> str:
    """One line of Markdown: the true answer and the share of the class within tolerance."""
    truth = f"{t.truth:.4g}" if isinstance(t.truth, float) else literal(t.truth)
    within = "" if t.question.kind == "choice" else f" (within ±{t.question.tolerance:g})"
    far = t.clipped()[1] if t.question.kind == "number" else 0
    return (f"The answer: **{truth}**. {t.right} of {t.count} right{within}: "
            f"**{t.share_right:.0%}** of the class." + (f" ({far} far off, drawn at the edges.)" if far else ""))


def scene_of(state: ClassState) -> Scene | None:
    return SCENES[state.scene - 1] if 1 <= state.scene <= len(SCENES) else None
