"""Shared view code for the pages: the app frame, settings kept in the session and the URL, figures, graphs.

Pages import from here; numbers come from `lessons/` and `micrograd_core`, never from this package.
"""

from .frame import page_frame, shielded
from .mode import presenting
from .registry import LESSONS, PAGES
from .state import Choice, Counter, NamedNumbers, Number, Setting, Slider, Text, Toggle, init_state

__all__ = ["LESSONS", "PAGES", "Choice", "Counter", "NamedNumbers", "Number", "Setting", "Slider", "Text",
           "Toggle", "init_state", "page_frame", "presenting", "shielded"]
