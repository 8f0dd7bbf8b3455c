"""Training a page does by a button, outside the MLP page's scheduler: one session at a time on the server.

The More than two classes page takes up to 20 steps on a click, about 3 s of a core. Python runs one thread at
a time, so sessions pressing it together would share the interpreter with every other page, and a script
pressing it from many sessions would keep it busy. Here clicks take turns in the order they came, each
waiting `WAIT` seconds at most; past that the page says the server is busy and takes no step. One address
has one click waiting or running at a time (a script's many sessions come from one), so a student from
elsewhere waits for one of its clicks at most, not all of them. The line is a module's own object, made
once when the server imports it (not st.cache_resource, which any client can clear).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

WAIT = 10.0  # seconds a click waits for its turn: three others' 20 steps

_line: list[str] = []  # the addresses with a click waiting or running, in the order they came; the first runs
_changed = threading.Condition()


@contextmanager
def turn(who: str = "", wait: float | None = None) -> Iterator[bool]:
    """Hold the server's one slot while the block runs, clicks taking turns in the order they came; True if it
    came within `wait` seconds, else False (at once when the address `who` has a click waiting or running)."""
    with _changed:
        if who in _line:
            got = False
        else:
            _line.append(who)
            got = _changed.wait_for(lambda: _line[0] == who, timeout=WAIT if wait is None else wait)
            if not got:
                _line.remove(who)
                _changed.notify_all()
    try:
        yield got
    finally:
        if got:
            with _changed:
                _line.remove(who)
                _changed.notify_all()
