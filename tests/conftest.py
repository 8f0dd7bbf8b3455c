"""Shared test helpers: opening a page of the app under Streamlit's AppTest."""

import atexit
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
# class mode's store: a folder of this test run's own, never the project's data folder, removed at the end
if "MICROGRAD_DATA_DIR" not in os.environ:
    os.environ["MICROGRAD_DATA_DIR"] = tempfile.mkdtemp(prefix="micrograd-test-data-")
    atexit.register(shutil.rmtree, os.environ["MICROGRAD_DATA_DIR"], ignore_errors=True)


def open_page(path: str, query: dict[str, str] | None = None) -> AppTest:
    """Open the page at `path` through the entry file, as a URL would, with an optional query string."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(path)
    at.run()
    return at



def styles(at: AppTest) -> str:
    """The CSS the page's frame sent (in st.html elements of style alone)."""
    return "\n".join(h.proto.body for h in at.get("html") if "<style>" in h.proto.body)


_MARKDOWN = MarkdownIt("gfm-like")


def shown(markdown: str) -> str:
    """What a reader sees of a Markdown string: its text, without markup (and without invisible word joiners)."""
    parts = []
    for block in _MARKDOWN.parse(markdown):
        if block.children:
            parts.append("".join(t.content for t in block.children if t.type in ("text", "code_inline", "softbreak")))
    return "\n".join(parts).replace("\u2060", "")


def free_port() -> int:
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if not 8600 <= port <= 8700:  # those are the app servers' ports on shared machines
            return port


def preset_box(at):
    """The MLP page's preset box (drawn with a key of its own for each preset it shows)."""
    return next(box for box in at.selectbox if (box.key or "").startswith("mlp_preset_"))


def import_torch_or_skip(reason: str):
    """PyTorch, or a skip where it is not installed; under CI on Python 3.11 (where requirements-dev.txt installs
    it) a missing PyTorch fails instead, so the comparisons cannot quietly stop running."""
    if os.environ.get("CI") == "true" and sys.version_info[:2] == (3, 11):
        import torch

        return torch
    return pytest.importorskip("torch", reason=reason)

