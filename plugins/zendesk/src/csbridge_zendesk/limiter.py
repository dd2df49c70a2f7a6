"""Client-side request budget: a sliding one-minute window on an injected clock.

The limiter never sleeps itself; it tells the caller how long to wait so that
tests can drive it with a fake clock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

Monotonic = Callable[[], float]


class Budget:
    """At most ``per_minute`` requests in any 60 s window, and a pause when the
    server says the account has no requests left (``X-Rate-Limit-Remaining``)."""

    def __init__(self, per_minute: int, now: Monotonic, window: float = 60.0) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.window = window
        self._now = now
        self._sent: deque[float] = deque()
        self._blocked_until = 0.0

    def delay(self) -> float:
        """Seconds to wait before the next request may be sent (0: send now)."""
        now = self._now()
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        wait = max(0.0, self._blocked_until - now)
        if len(self._sent) >= self.per_minute:
            wait = max(wait, self._sent[0] + self.window - now)
        return wait

    def record(self) -> None:
        """Count a request sent now."""
        self._sent.append(self._now())

    def server_said(self, remaining: int | None, reset_after: float | None) -> None:
        """Honour the server's own count: with nothing left, hold every request
        until the window resets (``reset_after`` seconds, default a full window)."""
        if remaining is not None and remaining <= 0:
            self._blocked_until = max(self._blocked_until, self._now() + (reset_after or self.window))

    def block_for(self, seconds: float) -> None:
        """Hold every request for ``seconds`` (a 429's ``Retry-After``)."""
        self._blocked_until = max(self._blocked_until, self._now() + seconds)
