"""One row of stepping buttons for a counter: to the start, back one, on one, to the end.

The backprop stepper, the Value class's stages and the topological sort's search all step this way;
each names its steps and may take the arrow keys (only one row on a page may).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from .state import Counter


@dataclass(frozen=True)
class StepLabels:
    start: str = "Start"
    back: str = "Previous"
    next: str = "Next"
    end: str = "End"


def _set(counter: Counter, value: int) -> None:
    st.session_state[counter.key] = max(counter.lo, min(counter.hi, value))


def step_buttons(counter: Counter, last: int, labels: StepLabels = StepLabels(), arrows: bool = False) -> int:
    """Draw the row (Next first in weight, as the button pressed most); returns the counter's step, at most `last`."""
    k = max(0, min(counter.value, last))
    left, right = ("ArrowLeft", "ArrowRight") if arrows else (None, None)
    with st.container(horizontal=True):
        st.button(labels.back, key=f"{counter.key}_back", on_click=_set, args=(counter, k - 1), disabled=k == 0,
                  icon=":material/chevron_left:", shortcut=left)
        st.button(labels.next, key=f"{counter.key}_next", on_click=_set, args=(counter, k + 1), disabled=k == last,
                  icon=":material/chevron_right:", shortcut=right, type="primary")
        st.button(labels.end, key=f"{counter.key}_end", on_click=_set, args=(counter, last), disabled=k == last,
                  icon=":material/last_page:")
        st.button(labels.start, key=f"{counter.key}_start", on_click=_set, args=(counter, 0), disabled=k == 0,
                  icon=":material/first_page:")
    return k
