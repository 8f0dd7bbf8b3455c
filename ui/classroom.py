"""Class mode in the views: the server's store, who leads a class, each phone's identity, the join link and QR code.

A teacher's control of a class is a credential, the class's code and its token, that the teacher's
browser keeps in a cookie (`mg_teacher`, SameSite=Strict, for the class's life). Every tab of that
browser leads the class without a step: the stage on the projector, the presenter view in a second
window, a tab reloaded, or reopened after the server restarted. Another device takes the class over
with a private resume link the presenter view shows (the credential after a `#`, which a browser
never sends to a server, so it stays out of every log). The store keeps only the token's hash; a
student's link carries the join code, which lets them answer and nothing else.

Why a cookie and not Streamlit's session: a session ends with its tab (a reload is a new session),
and a server restart ends them all. Why not `st.login`: it needs an identity provider configured
for the deployment, which a teacher running the app on a laptop does not have. Streamlit cannot
send an HttpOnly cookie from a page, so the cookie is written by the page's script; the app shows
no untrusted HTML or script (see ui/text.py), which is what keeps it from other scripts.

A phone is known by a device id in its own cookie (`mg_device`): a phone that reloads, or comes
back after a server restart, is the same student and its answer is counted once.
"""

from __future__ import annotations

import io
import ipaddress
import json
import logging
import math
import os
import secrets
import socket
import threading
import time
from urllib.parse import urlencode, urlsplit

import numpy as np
import plotly.graph_objects as go
import segno
import streamlit as st

from lessons.classroom.poll import Tally
from lessons.tour import SCENES, Scene
from server.store import EXPIRY_SECONDS, ClassState, ClassStore, NoSuchClass, NotAllowed, StoreError, open_store

from .figures import styled
from .palette import GREEN, GREY
from .text import literal

TEACHER_COOKIE, DEVICE_COOKIE = "mg_teacher", "mg_device"
_CODE, _TOKEN = "class_code", "_class_token"  # the class this session leads
_CHECKED = "_class_cookie_checked"  # the teacher cookie this session has already found no class for
_DEVICE = "_device_id"
_WRITE = "_cookies_to_write"  # cookies this session must still write in the browser: name -> (value, seconds)
_SEEN_AT = "_class_teacher_seen_at"
SEEN_EVERY = 20.0  # seconds between the teacher's "still here" marks while a teacher's page is open
_LOG = logging.getLogger(__name__)

_store: ClassStore | None = None
_store_lock = threading.Lock()


def _redis_url() -> str | None:
    """A Redis URL from the environment or `.streamlit/secrets.toml` (`redis_url`), for several app servers."""
    if os.environ.get("MICROGRAD_REDIS_URL"):
        return os.environ["MICROGRAD_REDIS_URL"]
    try:
        return st.secrets.get("redis_url")
    except Exception:  # no secrets file: the embedded SQLite store
        return None


def class_store() -> ClassStore:
    """The server's one store of classes (SQLite in the data folder unless Redis is configured).

    A module's own object, not `st.cache_resource`: any client can ask Streamlit to clear its caches,
    and the store must not be built twice.
    """
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                _store = open_store(redis_url=_redis_url())
    return _store


# ---- cookies: written by the page's own script, read by the server when a tab connects --------------

def _secure() -> bool:
    return urlsplit(st.context.url or "").scheme == "https"


def write_cookies() -> None:
    """Write the cookies this session owes the browser: a script drawn once, in the sidebar (out of the page's way)."""
    pending: dict[str, tuple[str, int]] = st.session_state.pop(_WRITE, {})
    if not pending:
        return
    parts = []
    for name, (value, seconds) in pending.items():
        attributes = f"; Path=/; Max-Age={seconds}; SameSite=Strict" + ("; Secure" if _secure() else "")
        parts.append(f"document.cookie = {json.dumps(name + '=' + value + attributes)};")
    st.sidebar.html("<script>" + "".join(parts) + "</script>", unsafe_allow_javascript=True)


def _owe_cookie(name: str, value: str, seconds: int) -> None:
    st.session_state.setdefault(_WRITE, {})[name] = (value, seconds)


def parse_credential(raw: str | None) -> tuple[str, str] | None:
    """(code, token) from a teacher cookie or resume key "CODE.TOKEN", or None when it cannot be one."""
    if not isinstance(raw, str) or raw.count(".") != 1:
        return None
    code, token = raw.split(".")
    return (code, token) if code and token and len(raw) <= 128 else None


# ---- the teacher -----------------------------------------------------------------------------------

def teaching() -> tuple[str, str] | None:
    """(code, token) of the class this session leads: its own, or one its browser's cookie names."""
    code, token = st.session_state.get(_CODE), st.session_state.get(_TOKEN)
    if code and token:
        return code, token
    raw = st.context.cookies.get(TEACHER_COOKIE)
    credential = parse_credential(raw)
    if credential is None or st.session_state.get(_CHECKED) == raw:
        return None
    try:
        class_store().teacher(*credential)
    except (NoSuchClass, NotAllowed):
        st.session_state[_CHECKED] = raw  # not again on every rerun of this tab
        return None
    st.session_state[_CODE], st.session_state[_TOKEN] = credential
    st.session_state[_SEEN_AT] = time.monotonic()
    return credential


def client_key() -> str:
    """Who is asking, as well as a server can tell: the address the connection came from ("" when local).

    Behind a proxy on the same network (Community Cloud, a load balancer) the connection comes from the
    proxy: then the address the proxy added last to X-Forwarded-For. A client's own X-Forwarded-For is
    never believed: it could name any address.
    """
    peer = st.context.ip_address if isinstance(st.context.ip_address, str) else None
    header = st.context.headers.get("X-Forwarded-For")
    forwarded = [part.strip() for part in header.split(",") if part.strip()] if isinstance(header, str) else []
    try:
        behind_proxy = peer is None or ipaddress.ip_address(peer).is_private
    except ValueError:
        behind_proxy = False
    if forwarded and behind_proxy:
        return forwarded[-1][:64]
    return peer or ""


def passcode() -> str | None:
    """The passcode a teacher must give to start a class, when the deployment sets one."""
    if os.environ.get("MICROGRAD_TEACHER_PASSCODE"):
        return os.environ["MICROGRAD_TEACHER_PASSCODE"]
    try:
        value = st.secrets.get("teacher_passcode")
    except Exception:
        return None
    return str(value) if value else None


def start_class(scene: Scene | None) -> None:
    """Open a class led by this browser, on `scene` (the tour's current one) if given. Raises StoreError."""
    code, token = class_store().create(owner=client_key())
    lead(code, token)
    if scene is not None:
        show_scene(scene)


def lead(code: str, token: str) -> None:
    """This session (and, through its cookie, its browser) leads the class `code` from now on."""
    st.session_state[_CODE], st.session_state[_TOKEN] = code, token
    st.session_state.pop(_CHECKED, None)
    _owe_cookie(TEACHER_COOKIE, f"{code}.{token}", EXPIRY_SECONDS)


def still_here() -> None:
    """Mark the teacher as present (every SEEN_EVERY seconds at most): a class whose teacher is gone is
    released early when the server needs the room."""
    credential = teaching()
    if credential is None or time.monotonic() - st.session_state.get(_SEEN_AT, 0.0) < SEEN_EVERY:
        return
    st.session_state[_SEEN_AT] = time.monotonic()
    try:
        class_store().teacher(*credential)
    except StoreError as err:
        _LOG.info("class %s: %s", credential[0], err)


def forget_class() -> None:
    """This browser leads no class any more (ended, or gone from the store)."""
    st.session_state.pop(_CODE, None)
    st.session_state.pop(_TOKEN, None)
    _owe_cookie(TEACHER_COOKIE, "", 0)


def end_class() -> None:
    credential = teaching()
    if credential is not None:
        try:
            class_store().end(*credential)
        except StoreError:
            pass  # already gone (expired): ending it is done either way
    forget_class()


def gone_message(code: str) -> str:
    """Why the class this browser led is not open any more, in the store's own words (never a guess)."""
    why = class_store().ended(code)
    if why == "ended":
        return f"Class {code} was ended (from this or another tab or device)."
    if why == "expired":
        return f"Class {code} expired: its teacher had not been seen for hours."
    if why == "released":
        return (f"Class {code} was closed to make room for another: its teacher had not been seen for a while and "
                "the server was full.")
    return (f"Class {code} is not in the class store any more, and the store does not know why: it may have lost its "
            "data (its server restarted without keeping it). Start a new class; the students join it with its new "
            "code.")


def show_scene(scene: Scene) -> None:
    """Tell the class the teacher is on `scene` (its question, if it asks one, opens for answers)."""
    credential = teaching()
    if credential is None:
        return
    try:
        class_store().set_scene(*credential, scene.number, scene.question.id if scene.question else "")
    except (NoSuchClass, NotAllowed) as err:  # gone elsewhere: this browser leads nothing now
        _LOG.info("class %s: %s", credential[0], err)
        forget_class()


def current_state() -> ClassState | None:
    credential = teaching()
    return None if credential is None else class_store().state(credential[0])


def is_revealed(question_id: str) -> bool:
    """Whether the teacher's class has seen the answers to this question."""
    state = current_state()
    return state is not None and question_id in state.reveals


# ---- the phone -------------------------------------------------------------------------------------

DEVICE_DAYS = 30


def device_id() -> str:
    """This phone's id in every class: kept by its browser, so a reload or a server restart is the same student."""
    known = st.session_state.get(_DEVICE)
    if known:
        return known
    raw = st.context.cookies.get(DEVICE_COOKIE, "")
    if isinstance(raw, str) and 16 <= len(raw) <= 64 and raw.isalnum():
        st.session_state[_DEVICE] = raw
        return raw
    new = secrets.token_hex(16)
    st.session_state[_DEVICE] = new
    _owe_cookie(DEVICE_COOKIE, new, DEVICE_DAYS * 86400)
    return new


# ---- the join link ---------------------------------------------------------------------------------

def _public_url() -> str | None:
    """The address students use, when the deployment sets one (`public_url` in secrets, or the environment)."""
    if os.environ.get("MICROGRAD_PUBLIC_URL"):
        return os.environ["MICROGRAD_PUBLIC_URL"]
    try:
        return st.secrets.get("public_url")
    except Exception:
        return None


def _lan_address() -> str | None:
    """This machine's address on its local network (no packet is sent), or None without one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.254.254.254", 1))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if ipaddress.ip_address(address).is_loopback else address


def _local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def join_base() -> tuple[str, str | None]:
    """(the base address phones open, a warning for the teacher or None).

    A page opened as localhost would send every phone to its own localhost: the join link then uses
    this machine's address on the local network, and says so.
    """
    configured = _public_url()
    if configured:
        return configured.rstrip("/"), None
    here = urlsplit(st.context.url or "http://localhost:8501/")
    host, port = here.hostname or "localhost", here.port
    if not _local(host):
        return f"{here.scheme}://{here.netloc}", None
    lan = _lan_address()
    if lan is None:
        return (f"{here.scheme}://{here.netloc}", "This page is opened as localhost, and this computer has no address "
                "on a local network: phones cannot reach it. Serve the app where phones can open it (see the "
                "README), or set MICROGRAD_PUBLIC_URL.")
    netloc = lan + (f":{port}" if port else "")
    return (f"{here.scheme}://{netloc}", f"This page is opened as {host}, which a phone cannot reach: the join link "
            f"uses this computer's address on the local network, {lan}. Phones must be on the same network (and "
            "the app served on it, which `streamlit run` does by default).")


def join_url(code: str) -> str:
    """The link a student opens: the Class page with the code (no token)."""
    return f"{join_base()[0]}/classroom?{urlencode({'join': code})}"


def resume_url(code: str, token: str) -> str:
    """The teacher's private link to lead the class from another device: the credential after '#'."""
    return f"{join_base()[0]}/classroom#resume={code}.{token}"


def link(url: str) -> str:
    """A Markdown link to a URL the app built itself (only its own characters), shown as the URL."""
    shown = url.replace("[", "%5B").replace("]", "%5D").replace("(", "%28").replace(")", "%29")
    return f"[{shown}]({shown})"


@st.cache_data(show_spinner=False, max_entries=64)
def qr_png(text: str) -> bytes:
    """A QR code of `text` as PNG, drawn offline, with large modules to scan from the back of a room."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=12, border=2, dark="#111111", light="#FFFFFF")
    return buffer.getvalue()


# ---- the class's answers ---------------------------------------------------------------------------

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


def givens_line(values: dict[str, float]) -> str:
    """The numbers a question needs, as Markdown: "Given: a = 2, b = −3" ("" when there are none)."""
    if not values:
        return ""
    return "Given: " + ", ".join(f"{literal(k)} = {format(v, '.6g').replace('-', '−')}" for k, v in values.items())


def scene_of(state: ClassState) -> Scene | None:
    return SCENES[state.scene - 1] if 1 <= state.scene <= len(SCENES) else None
