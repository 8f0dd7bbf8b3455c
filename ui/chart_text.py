"""A chart's text alternative: what it shows in a sentence, and the numbers it draws one click away.

Streamlit gives a chart no alt text, and a picture of a curve tells a screen reader, or a student who
wants the exact values, nothing. Beside each chart a "Numbers" button opens the sentence and a table of
the numbers the chart draws. The table is built only while it is open (a popover that reruns the page
when opened), so a live chart's redraw does not pay for it.

On the stage (presentation mode) the button is left out: the projector's picture keeps its room, and
the same page outside presentation mode has every table.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from lessons.mlp.runs import thin

from .mode import presenting

MOST_ROWS = 101  # a longer series is thinned to at most this many rows, its first and last kept


def numbers_behind(key: str, sentence: str, table: Callable[[], pd.DataFrame], *,
                   formats: dict[str, str] | None = None, most: int = MOST_ROWS) -> None:
    """A "Numbers" button: `sentence` (what the chart shows) and `table()` (what it draws) when opened.

    `key` names the chart (unique on its page). The button's own text stays the same whatever the chart
    shows: a popover that changes is a new one, and would close at a live chart's every redraw.
    `formats` maps a column to a format spec (floats default to ".6g"). A series longer than `most` rows is
    thinned; a table of points (each a row of its own, none to leave out) passes the size of its data set.
    """
    if presenting():
        return
    with st.popover("Numbers", icon=":material/table_view:", key=f"{key}_numbers", on_change="rerun",
                    help="What this chart shows, in a sentence and a table") as box:
        if not box.open:
            return
        st.markdown(sentence)
        whole = table()
        shown = whole.iloc[thin(len(whole), max(most, 2))]
        if len(shown) < len(whole):
            st.caption(f"{len(shown)} of its {len(whole)} rows, evenly spaced, the first and the last included.")
        specs = {c: ".6g" for c in shown.columns if pd.api.types.is_float_dtype(shown[c])} | (formats or {})
        styled = shown.style.format({c: f"{{:{spec}}}" for c, spec in specs.items() if c in shown}, na_rep="–")
        st.table(styled, hide_index=True)
