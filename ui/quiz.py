"""A quiz question on a page: an answer box, a Check button, and the verdict for this question."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from lessons.quiz import Verdict, check


def _store(key: str, truth: float, question: Hashable) -> None:
    st.session_state[f"{key}_result"] = (question, check(st.session_state[f"{key}_answer"], truth))


def answer_box(key: str, truth: float, question: Hashable, where: Any = None) -> Verdict | None:
    """Draw the box and the button (in `where`, e.g. columns); return the verdict if this question was checked.

    `question` identifies what is asked (the node, the inputs): a verdict is shown only for the
    question it was given for, so changing the question or its numbers clears it.
    """
    box, button = where if where is not None else (st, st)
    box.number_input("Your answer", key=f"{key}_answer", format="%.4f", step=0.1)
    button.button("Check", key=f"{key}_check", on_click=_store, args=(key, truth, question), icon=":material/check:")
    stored: tuple[Hashable, Verdict] | None = st.session_state.get(f"{key}_result")
    return stored[1] if stored is not None and stored[0] == question else None


def show_verdict(verdict: Verdict, what: str, why: Callable[[], str] = lambda: "") -> None:
    """Right or not quite, with the true value of `what` (Markdown) and, when given, the reasoning."""
    reason = why()
    if verdict.right:
        st.success(f"Right: {what} = {verdict.truth:.4f}." + (f"\n\n{reason}" if reason else ""),
                   icon=":material/check_circle:")
    else:
        st.error(f"Not quite: you said {verdict.answer:.4f}, but {what} = {verdict.truth:.4f}."
                 + (f"\n\n{reason}" if reason else ""), icon=":material/cancel:")
