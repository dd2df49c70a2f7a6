"""The client-side credit budget that keeps a normal cycle clear of 429s.

Freshdesk counts credits per account and per window (a minute on current plans):
one per request, plus extra credits per ``include``. The answers' headers are the
truth: ``X-RateLimit-Total`` (the plan's credits per window),
``X-RateLimit-Remaining`` and ``X-RateLimit-Used-CurrentRequest``. The budget
spends at most ``share`` of the total (or the configured ``requests_per_minute``)
in a clock minute, never more than the server says remains, and gives the tickets
list, which has its own much smaller share on every plan (20 of 200, 100 of 400,
200 of 700), at most ``list_share`` of the total. A ``Retry-After`` blocks every
request until it has elapsed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

DEFAULT_SHARE = 0.8
"""Of the plan's credits; the rest stays for agents' apps and other integrations."""
LIST_SHARE = 0.1
"""Of the plan's credits for the tickets list: the smallest published ratio (Growth, 20 of 200)."""
UNKNOWN_TOTAL = 50
"""Credits assumed before the first answer: the trial accounts' limit, the lowest there is."""


def _int(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class Budget:
    """Credits this client may still spend, per clock minute.

    ``fits(cost)`` says whether a request may go now; ``spend`` charges it before it
    is sent and ``observe`` corrects the charge and the server's remaining credits
    from the answer's headers. Not thread-safe: one adapter reads sequentially.
    """

    def __init__(
        self,
        clock: Callable[[], datetime],
        per_minute: int | None = None,
        share: float = DEFAULT_SHARE,
        list_share: float = LIST_SHARE,
    ) -> None:
        self.clock = clock
        self.per_minute = per_minute
        self.share = share
        self.list_share = list_share
        self.total: int | None = None
        self.remaining: int | None = None
        self.used = 0
        self.list_used = 0
        self.blocked_until: datetime | None = None
        self._window = self._minute(clock())

    @staticmethod
    def _minute(now: datetime) -> datetime:
        return now.replace(second=0, microsecond=0)

    def _roll(self) -> None:
        window = self._minute(self.clock())
        if window != self._window:
            # A new window: our spending restarts; the server's remaining is unknown
            # until the next answer (that one request is the probe on hourly plans).
            self._window = window
            self.used = 0
            self.list_used = 0
            self.remaining = None

    @property
    def limit(self) -> int:
        """Credits this client spends per minute at most."""
        if self.per_minute is not None:
            return self.per_minute
        return max(1, int((self.total or UNKNOWN_TOTAL) * self.share))

    @property
    def list_limit(self) -> int:
        """Credits per minute for the tickets list."""
        return max(1, min(self.limit, int((self.total or UNKNOWN_TOTAL) * self.list_share)))

    def fits(self, cost: int, listing: bool = False) -> bool:
        """Whether a request of ``cost`` credits may be sent now without passing
        this minute's budget or the server's remaining credits."""
        self._roll()
        if self.retry_wait() > 0:
            return False
        if self.used + cost > self.limit:
            return False
        if listing and self.list_used + cost > self.list_limit:
            return False
        return self.remaining is None or self.remaining >= cost

    def wait_seconds(self, cost: int, listing: bool = False) -> float:
        """Seconds until a request of ``cost`` credits fits (0 when it fits now)."""
        if self.fits(cost, listing):
            return 0.0
        retry = self.retry_wait()
        if retry > 0:
            return retry
        now = self.clock()
        return max((self._window + timedelta(minutes=1) - now).total_seconds(), 0.001)

    def retry_wait(self) -> float:
        """Seconds left of the last ``Retry-After``."""
        if self.blocked_until is None:
            return 0.0
        return max((self.blocked_until - self.clock()).total_seconds(), 0.0)

    def spend(self, cost: int, listing: bool = False) -> None:
        """Charge ``cost`` credits for a request about to be sent."""
        self._roll()
        self.used += cost
        if listing:
            self.list_used += cost
        if self.remaining is not None:
            self.remaining -= cost

    def observe(self, headers: Mapping[str, str], charged: int, listing: bool = False) -> None:
        """Learn from an answer's rate-limit headers (``charged``: what ``spend`` took)."""
        total = _int(headers, "X-RateLimit-Total")
        remaining = _int(headers, "X-RateLimit-Remaining")
        used = _int(headers, "X-RateLimit-Used-CurrentRequest")
        if total is not None:
            self.total = total
        if used is not None and used != charged:
            self.used += used - charged
            if listing:
                self.list_used += used - charged
        if remaining is not None:
            self.remaining = remaining

    def block(self, seconds: float) -> None:
        """Obey a ``Retry-After`` of ``seconds``: nothing is sent before it elapses."""
        until = self.clock() + timedelta(seconds=seconds)
        if self.blocked_until is None or until > self.blocked_until:
            self.blocked_until = until
