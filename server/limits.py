"""Token buckets: a per-session limit, so a script in one browser tab cannot flood a class with answers, and
the arithmetic the store's per-class join bucket shares (kept in the store, as every server process must
see the same bucket).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


def refill(tokens: float, last: float, now: float, burst: float, every: float) -> float:
    """The tokens of a bucket at `now` that held `tokens` at `last`: one more per `every` seconds, at most `burst`.

    A clock that went back (another machine's, a little behind) adds nothing rather than taking away.
    """
    return min(float(burst), tokens + max(0.0, now - last) / every)


def wait_for(tokens: float, every: float) -> float:
    """Seconds until a bucket holding `tokens` holds one."""
    return max(0.0, (1.0 - tokens) * every)


@dataclass
class RateLimit:
    """A token bucket: `burst` actions at once, then one every `every` seconds.

    A student changing their mind a few times is never stopped; a loop sending answers is.
    """

    burst: int = 5
    every: float = 2.0
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(init=False)
    _last: float = field(init=False)

    def __post_init__(self) -> None:
        self._tokens = float(self.burst)
        self._last = self.clock()

    def allow(self) -> bool:
        """Take one action if the bucket allows it now."""
        now = self.clock()
        self._tokens = refill(self._tokens, self._last, now, self.burst, self.every)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def wait(self) -> float:
        """Seconds until the next action is allowed."""
        return wait_for(refill(self._tokens, self._last, self.clock(), self.burst, self.every), self.every)


class KeyedLimits:
    """A RateLimit per key (a client's address), for a whole server: the least recently used keys are
    forgotten past `most`, so no number of clients can grow it without bound."""

    def __init__(self, burst: int, every: float, most: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.every, self.most, self.clock = burst, every, most, clock
        self._limits: OrderedDict[str, RateLimit] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Take one action for `key` if its bucket allows it now."""
        with self._lock:
            limit = self._limits.pop(key, None) or RateLimit(self.burst, self.every, self.clock)
            self._limits[key] = limit
            while len(self._limits) > self.most:
                self._limits.popitem(last=False)
            return limit.allow()

    def spent(self, key: str) -> bool:
        """Whether `key` has no action left now (without taking one): for counting only failures."""
        with self._lock:
            limit = self._limits.get(key)
            return limit is not None and limit.wait() > 0

    def wait(self, key: str) -> float:
        with self._lock:
            limit = self._limits.get(key)
            return limit.wait() if limit is not None else 0.0

    def __len__(self) -> int:
        return len(self._limits)
