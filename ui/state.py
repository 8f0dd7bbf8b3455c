"""Per-user state: each page setting declared once, kept in `st.session_state` and mirrored in the URL.

A page declares its settings as `Setting`s (a slider, a choice, a toggle, a number, a text, or a
`Counter` that no widget shows): the key, label, default, limits and URL form are written once,
and the widget, the URL state and the validation all come from that declaration.

On a page's first run in a session a setting comes from the URL if the URL has a valid value,
else from the session's last value on that page, else from its default; a malformed or
out-of-range URL value is replaced by the default and reported on the page, never raised and never
silent. After that the URL follows the settings, so a teacher can bookmark or share the exact view.

Streamlit's own `bind="query-params"` is not used: it reads a toggle only as true/false (the
app's links since the first lesson write 1/0, and they must keep working), drops a bad value
without a word, and cannot carry state that no widget shows, such as a step counter.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from .text import code, literal

MAX_TEXT = 500  # longest text setting accepted from a URL
_TRUE, _FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no")


@dataclass(frozen=True)
class Setting:
    """One setting of a page: its session-state key (also its name in the URL), label and default."""

    key: str
    label: str
    default: Any
    help: str | None = field(default=None, kw_only=True)
    stands_for: str | None = field(default=None, kw_only=True)  # the lesson's setting (a field's name), if any
    # names it had in older links: read when the link lacks `key`, then replaced by `key` in the address bar
    aliases: tuple[str, ...] = field(default=(), kw_only=True)

    def raw(self) -> str | None:
        """This setting's text in the page's link, under its name or an older one."""
        for name in (self.key, *self.aliases):
            if name in st.query_params:
                return st.query_params.get(name)
        return None

    @property
    def value(self) -> Any:
        """The setting now; in a fragment's rerun that was not sent the page's widgets, the page's last value."""
        if self.key in st.session_state:
            return st.session_state[self.key]
        return st.session_state.get(_kept(self.key), self.default)

    def parse(self, raw: str) -> Any:
        """The URL text as a value of this setting; ValueError with a reason when it is not one."""
        raise NotImplementedError

    def to_url(self, value: Any) -> str:
        return str(value)

    def widget(self, where: Any = None, **kwargs: Any) -> Any:
        """Draw the widget (in `where`, a container, or in place) and return its value."""
        raise NotImplementedError

    def _options(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        return {"help": self.help, **kwargs}  # a page may pass its own help, or any widget option


def _number(raw: str, kind: type, lo: float | None, hi: float | None) -> float | int:
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ValueError("not a number" if kind is float else "not a whole number") from None
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"outside {lo:g} to {hi:g}")
    return value


def _float_url(value: float) -> str:
    return repr(float(value)).removesuffix(".0")  # every digit: x = 2/3 reads back as exactly 2/3


@dataclass(frozen=True)
class Slider(Setting):
    """A number on a slider from `lo` to `hi`; whole numbers when the default is an int."""

    lo: float = 0.0
    hi: float = 1.0
    step: float | None = None
    format: str | None = None

    def parse(self, raw: str) -> float | int:
        return _number(raw, type(self.default), self.lo, self.hi)

    def to_url(self, value: float | int) -> str:
        return _float_url(value) if isinstance(value, float) else str(value)

    def widget(self, where: Any = None, **kwargs: Any) -> float | int:
        return (where or st).slider(self.label, self.lo, self.hi, step=self.step, format=self.format, key=self.key,
                                    **self._options(kwargs))


@dataclass(frozen=True)
class Number(Slider):
    """A number typed in a box, from `lo` to `hi`."""

    def widget(self, where: Any = None, **kwargs: Any) -> float | int:
        return (where or st).number_input(self.label, self.lo, self.hi, step=self.step, format=self.format,
                                          key=self.key, **self._options(kwargs))


@dataclass(frozen=True)
class Counter(Setting):
    """A whole number that buttons change and no widget shows directly, such as a step count."""

    lo: int = 0
    hi: int = 1000

    def parse(self, raw: str) -> int:
        return _number(raw, int, self.lo, self.hi)


@dataclass(frozen=True)
class Toggle(Setting):
    """On or off; written 1 or 0 in the URL."""

    def parse(self, raw: str) -> bool:
        if raw.strip().lower() in _TRUE:
            return True
        if raw.strip().lower() in _FALSE:
            return False
        raise ValueError("expected 1 or 0")

    def to_url(self, value: bool) -> str:
        return "1" if value else "0"

    def widget(self, where: Any = None, **kwargs: Any) -> bool:
        return (where or st).toggle(self.label, key=self.key, **self._options(kwargs))


_CHOICE_WIDGETS: dict[str, Callable] = {
    "select": lambda w, *a, **k: w.selectbox(*a, **k),
    "radio": lambda w, *a, **k: w.radio(*a, horizontal=True, **k),
    "select_slider": lambda w, *a, **k: w.select_slider(*a, **k),
    "segmented": lambda w, *a, **k: w.segmented_control(*a, required=True, **k),
}


@dataclass(frozen=True)
class Choice(Setting):
    """One of `options` (any values). `tokens` writes an option in the URL (str by default); `labels` shows it."""

    options: tuple = ()
    tokens: Mapping[Any, str] | None = None
    labels: Mapping[Any, str] | None = None
    kind: str = "select"
    was: Mapping[str, Any] | None = None  # tokens older links wrote, and the options they stand for now

    def token(self, option: Any) -> str:
        return (self.tokens or {}).get(option, str(option))

    def parse(self, raw: str) -> Any:
        for option in self.options:
            if self.token(option) == raw.strip():
                return option
        if raw.strip() in (self.was or {}):
            return self.was[raw.strip()]
        shown = ", ".join(self.token(o) for o in self.options)
        raise ValueError(f"expected one of {shown}")

    def to_url(self, value: Any) -> str:
        return self.token(value)

    def show(self, option: Any) -> str:
        return (self.labels or {}).get(option, self.token(option))

    def widget(self, where: Any = None, *, options: tuple | None = None, **kwargs: Any) -> Any:
        """`options`: those of `self.options` the page offers now (all of them by default)."""
        return _CHOICE_WIDGETS[self.kind](where or st, self.label, options or self.options, format_func=self.show,
                                          key=self.key, **self._options(kwargs))


@dataclass(frozen=True)
class Text(Setting):
    """Free text, such as a formula, of at most `max_chars` characters."""

    max_chars: int = MAX_TEXT

    def parse(self, raw: str) -> str:
        if len(raw) > self.max_chars:
            raise ValueError(f"longer than {self.max_chars} characters")
        return raw.strip()

    def widget(self, where: Any = None, **kwargs: Any) -> str:
        return (where or st).text_input(self.label, key=self.key, max_chars=self.max_chars, **self._options(kwargs))


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,29}")


@dataclass(frozen=True)
class NamedNumbers(Setting):
    """Numbers by name, such as the leaf values of a typed formula: written a:3,b:-0.5 in the URL.

    Only the numbers that differ from a page's defaults are kept, so the default is {}.
    """

    limit: float = 1e6  # largest size of a number
    most: int = 30  # names at most

    def parse(self, raw: str) -> dict[str, float]:
        values: dict[str, float] = {}
        for item in filter(None, raw.split(",")):
            name, sep, number = item.partition(":")
            if not sep or not _NAME.fullmatch(name.strip()):
                raise ValueError("expected name:number pairs such as a:3,b:-0.5")
            values[name.strip()] = _number(number, float, -self.limit, self.limit)
        if len(values) > self.most:
            raise ValueError(f"more than {self.most} names")
        return values

    def to_url(self, value: Mapping[str, float]) -> str:
        return ",".join(f"{name}:{_float_url(x)}" for name, x in value.items())


def init_state(defaults: Mapping[str, Any]) -> None:
    """Give every missing key its default; mutable defaults are copied so no two sessions share one."""
    for key, value in defaults.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)


def _kept(key: str) -> str:
    # widget keys vanish when the user leaves a page; this non-widget copy survives
    return f"_kept_{key}"


def forget_pages(prefixes: Sequence[str]) -> None:
    """Forget everything the pages keep in this session (every key starting with one of `prefixes`).

    Used before opening a prepared view, such as a scene of the lecture tour: a setting the link
    leaves out then takes its default, not the value the user last gave it, and what no setting
    holds (a model in training, a replay's place) starts afresh. A forgotten value with a `close()`
    (a training run) is closed, so that nothing it started goes on without its page.
    """
    kept = tuple(_kept(p) for p in prefixes)
    for key in [k for k in st.session_state if k.startswith(tuple(prefixes)) or k.startswith(kept)]:
        value = st.session_state.pop(key, None)
        close = getattr(value, "close", None)
        if callable(close):
            close()


def sync_url(settings: Sequence[Setting]) -> list[str]:
    """Seed missing settings (URL, else last value, else default), then mirror all into the URL.

    Returns notices, as Markdown, about URL values that were ignored.
    """
    notices = []
    st.session_state["_url_keys"] = [s.key for s in settings]  # what this page keeps in its link
    for s in settings:
        if s.key not in st.session_state:
            value = st.session_state.get(_kept(s.key), s.default)
            raw = s.raw()
            if raw is not None:
                try:
                    value = s.parse(raw)
                except ValueError as err:
                    # the value is quoted inert and shortened: a link is not a way to put text on the page
                    name = next(n for n in (s.key, *s.aliases) if n in st.query_params)
                    notices.append(
                        f"The link's value {code(f'{name}={raw}', limit=40)} was ignored ({literal(err)}); "
                        f"using the default {code(s.to_url(s.default))} instead."
                    )
            st.session_state[s.key] = value
        value = st.session_state[s.key]
        st.session_state[_kept(s.key)] = value
        for old in s.aliases:  # the address bar says it by its name now
            if old in st.query_params:
                del st.query_params[old]
        text = s.to_url(value)
        if value == s.default or text is None:  # None: a value too long for a link (the page says so)
            if s.key in st.query_params:
                del st.query_params[s.key]
        elif st.query_params.get(s.key) != text:
            st.query_params[s.key] = text
    return notices
