"""Presentation mode, and the sizes each mode draws at: read by every view, so it imports no other view.

Presentation mode is the projector's stage: larger type, fewer controls, and (with the tour) each
scene's focus on the first screen.
"""

from __future__ import annotations

import streamlit as st

from .palette import TEXT
from .state import Toggle

PRESENT = Toggle("present", "Presentation mode", False,
                 help="For a projector: larger text and charts, fewer controls. "
                 "Kept in the link, so a prepared URL opens in it.")

STILL = Toggle("still", "Hide counts that change by themselves", False,
               help="The class's live counts (answers, students) update every second or two: this hides them on "
               "this device. The page still follows the class.")

BODY_PX = 22  # the body text in presentation mode (frame.py): chart text matches it there
# Graph text, in the drawing's own units (a Graphviz point is 4/3 of a CSS pixel when drawn at full size).
GRAPH_FONT = 12
GRAPH_FONT_PRESENTING = 14
OP_FONT_SCALE = 1.4  # an operation's glyph (+, *) is small: drawn larger than the values' text


def presenting() -> bool:
    """True in presentation mode (bigger text and charts, secondary controls hidden)."""
    return bool(st.session_state.get(PRESENT.key, False))


def still() -> bool:
    """True when this device hides the counts that update by themselves (WCAG 2.2.2)."""
    return bool(st.session_state.get(STILL.key, False))


def text_color() -> str:
    """The body text's colour in the theme the browser shows (light unless it says dark)."""
    return TEXT["dark"] if st.context.theme.type == "dark" else TEXT["light"]
