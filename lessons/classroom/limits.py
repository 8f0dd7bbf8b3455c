"""A per-session rate limit, so a script in one browser tab cannot flood a class with answers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


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
        self._tokens = min(float(self.burst), self._tokens + (now - self._last) / self.every)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def wait(self) -> float:
        """Seconds until the next action is allowed."""
        return max(0.0, (1.0 - self._tokens) * self.every)
