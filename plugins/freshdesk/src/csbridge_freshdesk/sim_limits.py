"""The simulator's rate limits.

:class:`RateLimits` counts credits per account and window like Freshdesk: one a
request, two more per ``include`` on the tickets list (one on a single ticket),
per-endpoint shares (tickets list, ticket create, ticket update, contacts list)
inside the plan's total, 429 with ``Retry-After`` until the window ends. It also
counts ``early_requests``: requests that arrived before an announced
``Retry-After`` had elapsed (a well-behaved client keeps this at 0). Faults on
demand are :class:`csbridge.simkit.FaultPlan`.
"""

from __future__ import annotations

import math
import threading
from datetime import datetime, timedelta

PLANS: dict[str, tuple[int, int, dict[str, int]]] = {
    # plan: (credits per window, window seconds, shares per endpoint group)
    "trial": (50, 60, {}),
    "growth": (200, 60, {"list": 20, "create": 80, "update": 80, "contacts": 20}),
    "pro": (400, 60, {"list": 100, "create": 160, "update": 160, "contacts": 100}),
    "enterprise": (700, 60, {"list": 200, "create": 280, "update": 280, "contacts": 200}),
    "garden": (3000, 3600, {}),
    "estate": (5000, 3600, {}),
}
GROUPS = {
    "GET /api/v2/tickets": "list",
    "POST /api/v2/tickets": "create",
    "PUT /api/v2/tickets/{id}": "update",
    "GET /api/v2/contacts": "contacts",
}


def credits(endpoint: str, includes: int) -> int:
    """Credits a request costs: one, plus two per include on the tickets list and
    one per include on a single ticket."""
    if endpoint == "GET /api/v2/tickets":
        return 1 + 2 * includes
    if endpoint == "GET /api/v2/tickets/{id}":
        return 1 + includes
    return 1


class RateLimits:
    """Credits per fixed window of the simulator's clock."""

    def __init__(self, plan: str) -> None:
        if plan not in PLANS:
            raise ValueError(f"unknown plan {plan!r} (expected one of {', '.join(PLANS)})")
        self.total, self.window, self.shares = PLANS[plan]
        self.lock = threading.Lock()
        self.current = -1
        self.used = 0
        self.group_used: dict[str, int] = {}
        self.not_before: datetime | None = None
        self.early_requests = 0
        self.rate_limited = 0

    def _seconds_left(self, now: datetime) -> int:
        epoch = now.timestamp()
        return max(1, math.ceil((math.floor(epoch / self.window) + 1) * self.window - epoch))

    def charge(self, endpoint: str, cost: int, now: datetime) -> tuple[int | None, dict[str, str]]:
        """Charge a request; returns ``(retry_after, headers)``, ``retry_after`` None when
        it may be served."""
        with self.lock:
            window = math.floor(now.timestamp() / self.window)
            if window != self.current:
                self.current, self.used, self.group_used = window, 0, {}
            if self.not_before is not None and now < self.not_before:
                self.early_requests += 1
            group = GROUPS.get(endpoint)
            share = self.shares.get(group or "", self.total)
            over = self.used + cost > self.total or self.group_used.get(group or "", 0) + cost > share
            headers = {"X-RateLimit-Total": str(self.total)}
            if over:
                self.rate_limited += 1
                retry = self._seconds_left(now)
                self.announce(retry, now)
                headers["X-RateLimit-Remaining"] = str(max(self.total - self.used, 0))
                headers["X-RateLimit-Used-CurrentRequest"] = "0"
                return retry, headers
            self.used += cost
            if group:
                self.group_used[group] = self.group_used.get(group, 0) + cost
            headers["X-RateLimit-Remaining"] = str(self.total - self.used)
            headers["X-RateLimit-Used-CurrentRequest"] = str(cost)
            return None, headers

    def announce(self, retry_after: float, now: datetime) -> None:
        """Remember a ``Retry-After`` sent, to count requests that do not wait for it."""
        until = now + timedelta(seconds=retry_after)
        if self.not_before is None or until > self.not_before:
            self.not_before = until
