"""Training a page does by a button, outside the MLP page's scheduler: one click's steps at a time on the server.

The More than two classes page takes up to 20 steps on a click, about 3 s of a core. Python runs one thread at
a time, so sessions pressing it together would share the interpreter with every other page, and a script
pressing it from many sessions would keep it busy. Here clicks wait for their turn, `WAIT` seconds at most;
past that the page says the server is busy and takes no step. Addresses take turns: each address's clicks
wait in the order they came, and the slot goes to the address served least lately, so a script's many
sessions (one address) hold a student from elsewhere back by one click at most, while the students of a
class behind one router queue among themselves. The line is a module's own object, made once when the
server imports it (not st.cache_resource, which any client can clear).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager

WAIT = 10.0  # seconds a click waits for its turn: three others' 20 steps

REMEMBERED = 1000  # addresses whose last turn is remembered: beyond them, the longest unserved are forgotten

_waiting: dict[str, deque[object]] = {}  # each address's clicks waiting, oldest first
_served: OrderedDict[str, int] = OrderedDict()  # when each address's last click got the slot (a count of turns)
_running: list[object | None] = [None]  # the click that holds the slot
_turns = [0]
_changed = threading.Condition()


def _hand_on() -> None:
    """Give a free slot to the oldest click of the address served least lately (never, first; then the one that
    began waiting first)."""
    if _running[0] is None and _waiting:
        who = min(_waiting, key=lambda address: _served.get(address, -1))  # min keeps the first of equals
        clicks = _waiting[who]
        _running[0] = clicks.popleft()
        if not clicks:
            del _waiting[who]
        _turns[0] += 1
        _served[who] = _turns[0]
        _served.move_to_end(who)
        while len(_served) > REMEMBERED:
            _served.popitem(last=False)
        _changed.notify_all()


@contextmanager
def turn(who: str = "", wait: float | None = None) -> Iterator[bool]:
    """Hold the server's one slot while the block runs; True if this click's turn came within `wait` seconds."""
    me = object()
    with _changed:
        _waiting.setdefault(who, deque()).append(me)
        _hand_on()
        got = _changed.wait_for(lambda: _running[0] is me, timeout=WAIT if wait is None else wait)
        if not got and me in _waiting.get(who, ()):
            _waiting[who].remove(me)
            if not _waiting[who]:
                del _waiting[who]
    try:
        yield got
    finally:
        if got:
            with _changed:
                _running[0] = None
                _hand_on()
