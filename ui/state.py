"""Per-user state: defaults in `st.session_state`, and settings mirrored in the URL's query string.

A page lists its main settings as `Param`s. On a page's first run in a session a setting
comes from the URL if the URL has a valid value, else from the session's last value on that
page, else from its default; a malformed or out-of-range URL value is replaced by the default
and reported, never raised. After that the URL follows the widgets, so a teacher can bookmark
or share the exact view.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from .text import code, literal

MAX_TEXT = 500  # longest text setting accepted from a URL


@dataclass(frozen=True)
class Param:
    """One setting of a page: its session-state / widget key, default and allowed values."""

    key: str
    default: float | int | bool | str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None

    def parse(self, raw: str) -> float | int | bool | str:
        """The URL text as a value of this setting; ValueError with a reason when it is not one."""
        raw = raw.strip()
        if isinstance(self.default, bool):
            if raw.lower() in ("1", "true", "on", "yes"):
                return True
            if raw.lower() in ("0", "false", "off", "no"):
                return False
            raise ValueError("expected 1 or 0")
        if isinstance(self.default, (int, float)):
            try:
                value = int(raw) if isinstance(self.default, int) else float(raw)
            except ValueError:
                raise ValueError("not a number") from None
            if not math.isfinite(value):
                raise ValueError("not a finite number")
            if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
                raise ValueError(f"outside {self.lo:g} to {self.hi:g}")
            return value
        if self.choices is not None and raw not in self.choices:
            raise ValueError(f"expected one of {', '.join(self.choices)}")
        if len(raw) > MAX_TEXT:
            raise ValueError(f"longer than {MAX_TEXT} characters")
        return raw

    def to_url(self, value: Any) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, float):
            return repr(value).removesuffix(".0")  # every digit: x = 2/3 reads back as exactly 2/3
        return str(value)


def init_state(defaults: Mapping[str, Any]) -> None:
    """Give every missing key its default; mutable defaults are copied so no two sessions share one."""
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)


def _kept(key: str) -> str:
    # widget keys vanish when the user leaves a page; this non-widget copy survives
    return f"_kept_{key}"


def sync_url(params: Sequence[Param]) -> list[str]:
    """Seed missing settings (URL, else last value, else default), then mirror all into the URL.

    Returns notices about URL values that were ignored.
    """
    notices = []
    for p in params:
        if p.key not in st.session_state:
            value = st.session_state.get(_kept(p.key), p.default)
            raw = st.query_params.get(p.key)
            if raw is not None:
                try:
                    value = p.parse(raw)
                except ValueError as err:
                    # the value is quoted inert and shortened: a link is not a way to put text on the page
                    notices.append(
                        f"The link's value {code(f'{p.key}={raw}', limit=40)} was ignored ({literal(err)}); "
                        f"using the default {code(p.to_url(p.default))} instead."
                    )
            st.session_state[p.key] = value
        value = st.session_state[p.key]
        st.session_state[_kept(p.key)] = value
        text = p.to_url(value)
        if value == p.default:
            if p.key in st.query_params:
                del st.query_params[p.key]
        elif st.query_params.get(p.key) != text:
            st.query_params[p.key] = text
    return notices
