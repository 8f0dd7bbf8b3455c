"""Parts of a page redrawn on a timer (`st.fragment(run_every=...)`), safe across a change of page.

A timer's request that leaves the browser while the server is switching the page (Page Down to a
scene on another page) still names the page it left. Were Streamlit to run it, the browser would
clear its screen for that page, and the part's elements would then land in a page that has none of
their containers, which stops the browser's app on a blank screen (a projector showing white
mid-class). So such a request must find no part to run: each page's timed parts have names of their
own (the page is in the name), and a switch of page forgets the old page's parts first. A run that
gets through anyway draws nothing and takes the session back to the page it is on, with its link.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

_RUN = "_page_run"  # (script hash, path, link) of the page this session last drew from the top
F = TypeVar("F", bound=Callable[..., None])
_LOG = logging.getLogger(__name__)


def drawing_page(path: str) -> None:
    """The frame, at the top of every page's run: this is the page the session is on, with this link."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        st.session_state[_RUN] = (ctx.page_script_hash, path, st.query_params.to_dict())


def _page_hash() -> str:
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""


def left_behind() -> bool:
    """Whether this run is a timer's from a page the session has since left."""
    run = st.session_state.get(_RUN)
    return run is not None and _page_hash() != run[0]


def switch_page(path: str, query_params: Mapping[str, str] | None = None) -> None:
    """`st.switch_page`, first forgetting this page's parts: a timer's request still on its way finds none."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        ctx.fragment_storage.clear()
    st.switch_page(path, query_params=query_params)


def ticking(run_every: float | timedelta | None) -> Callable[[F], F]:
    """`st.fragment(run_every=...)` for a part of a page, named for its page; a run left behind by a
    change of page draws nothing and goes back to the page the session is on."""
    def decorate(draw: F) -> F:
        per_page: dict[str, Callable[..., None]] = {}

        def guarded(*args, **kwargs) -> None:
            if left_behind():
                _, path, link = st.session_state[_RUN]
                _LOG.info("a timer's run from a page this session left: back to %s", path)
                switch_page(path, link)
            draw(*args, **kwargs)

        @functools.wraps(draw)
        def call(*args, **kwargs) -> None:
            page = _page_hash()
            if page not in per_page:
                @functools.wraps(draw)
                def named(*args, **kwargs) -> None:
                    guarded(*args, **kwargs)
                named.__qualname__ = f"{draw.__qualname__}[{page}]"  # the fragment's id comes from this name
                per_page[page] = st.fragment(named, run_every=run_every)
            per_page[page](*args, **kwargs)
        return call  # type: ignore[return-value]
    return decorate
