"""Shared view code for the pages: the app frame, per-user state and URL state, Plotly figures, graph display.

Pages import from here; numbers come from `micrograd_core`, never from this package.
"""

from .frame import PAGES, detail_visible, page_frame, presenting, shielded
from .state import Param, init_state

__all__ = ["PAGES", "Param", "detail_visible", "init_state", "page_frame", "presenting", "shielded"]
