"""The address phones open to join a class, and its QR code: the deployment's public address, or this one.

A page opened as localhost would send every phone to its own localhost, so the join link then uses
this machine's address on the local network, and the teacher is told.
"""

from __future__ import annotations

import io
import ipaddress
import os
import socket
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st


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
