"""A typed formula: read with the safe parser, its error shown under the box, the last good one kept."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import streamlit as st

from lessons.formulas import FUNCTIONS, Expression, ExpressionError, parse

from .state import NamedNumbers, Slider, Text
from .text import code, literal

HELP = f"Numbers, names, + - * / ** ( ) and {', '.join(FUNCTIONS)}. Write 3\\*x, not 3x."


def formula_input(
    setting: Text, last_good_key: str, *, variables: Collection[str] | None = None, what: str = "the page"
) -> Expression:
    """The formula typed in the `setting`'s box if it can be read (and uses only `variables`, when given).

    Otherwise the reason is shown under the box and the last formula that could be read is used,
    so the rest of the page keeps working. `what` names what the last good formula is shown in.
    """
    setting.widget(help=HELP)
    try:
        expression = parse(setting.value)
        extra = sorted(set(expression.variables) - set(variables)) if variables is not None else []
        if extra:
            allowed = ", ".join(sorted(variables))
            raise ExpressionError(f"use only {allowed} as a variable (found {', '.join(extra)})")
        st.session_state[last_good_key] = expression.text
        return expression
    except ExpressionError as err:
        last = st.session_state[last_good_key]
        st.error(f"{literal(err)} — {what} shows the last good formula, {code(last)}.",
                 icon=":material/error:")
        return parse(last)


def shortest(x: float) -> str:
    """The shortest text that reads back as exactly this float (2/3 as 0.6666666666666666)."""
    return repr(float(x)).removesuffix(".0")


def _apply_exact(source: str, target: str, error_key: str, lo: float, hi: float) -> None:
    if source not in st.session_state:  # a change that arrives after the box left the page (a scene moved on)
        return
    text = st.session_state[source]
    try:
        expression = parse(text)
        if expression.variables:
            found = expression.variables[0]
            raise ExpressionError(f"write a number or a formula of numbers such as 2/3 (found {found})")
        value = expression.evaluate({})
        if not lo <= value <= hi:  # also refuses inf and nan
            raise ExpressionError(f"{shortest(value)} is outside {lo:g} to {hi:g}")
    except ExpressionError as err:
        st.session_state[error_key] = str(err)
        return
    st.session_state[error_key] = None
    st.session_state[target] = value


def exact_input(label: str, slider: Slider) -> None:
    """A box beside a slider for an exact value: a number or a formula of numbers (2/3, 1e-3, -0.5*3).

    It shows the slider's value to the last digit; what is typed goes to the slider.
    A value that cannot be read, or is out of range, is explained under the box and changes nothing.
    """
    target, lo, hi = slider.key, slider.lo, slider.hi
    source, error_key = f"{target}_exact", f"{target}_exact_error"
    error = st.session_state.get(error_key)
    if not error:
        st.session_state[source] = shortest(st.session_state[target])
    st.text_input(label, key=source, on_change=_apply_exact, args=(source, target, error_key, lo, hi),
                  help="A number, or a formula of numbers such as 2/3 or 1e-3, for a value the slider's steps miss.")
    if error:
        st.error(f"{literal(error)} — the slider keeps {shortest(st.session_state[target])}.", icon=":material/error:")


def _store_leaf(setting: NamedNumbers, name: str, key: str, default: float) -> None:
    if key not in st.session_state:  # a change that arrives after the box left the page (a scene moved on)
        return
    values = {k: v for k, v in setting.value.items() if k != name}
    typed = st.session_state[key]
    st.session_state[setting.key] = values if typed == default else {**values, name: typed}


def leaf_inputs(setting: NamedNumbers, defaults: Mapping[str, float], prefix: str) -> dict[str, float]:
    """A box for each input of a formula, in up to four columns; the values that differ from `defaults`
    are kept in `setting` (and so in the link). `prefix` keeps the boxes of different formulas apart."""
    values = {}
    cols = st.columns(min(max(len(defaults), 1), 4))
    for i, (name, default) in enumerate(defaults.items()):
        key = f"{prefix}_{name}"
        st.session_state[key] = setting.value.get(name, default)
        values[name] = cols[i % len(cols)].number_input(literal(name), key=key, step=0.5, format="%.4g",
                                                        on_change=_store_leaf, args=(setting, name, key, default))
    return values
