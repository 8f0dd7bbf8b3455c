"""Class mode in the views: the server's store, who leads a class, and each phone's identity.

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

import ipaddress
import json
import logging
import os
import secrets
import threading
import time
from urllib.parse import urlsplit

import streamlit as st

from lessons.tour import SCENES, Scene
from server.backends import open_store
from server.store import EXPIRY_SECONDS, ClassState, ClassStore, NoSuchClass, NotAllowed, StoreError

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


def scene_of(state: ClassState) -> Scene | None:
    return SCENES[state.scene - 1] if 1 <= state.scene <= len(SCENES) else None
