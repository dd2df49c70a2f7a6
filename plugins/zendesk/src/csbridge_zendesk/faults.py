"""Faults the simulator injects on demand, per endpoint."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Fault:
    """What to do to the next ``times`` requests of one endpoint.

    ``status``: answer with it (and ``Retry-After`` when ``retry_after`` is set);
    ``delay``: seconds to stall before answering (real time, to trip client timeouts);
    ``drop``: close the connection without an answer; ``malformed``: answer 200 with
    a body that is not JSON.
    """

    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    drop: bool = False
    malformed: bool = False
    times: int = 1


class FaultPlan:
    """Faults by endpoint key (``"GET /api/v2/incremental/tickets/cursor.json"``), in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plan: dict[str, list[Fault]] = {}

    def add(
        self,
        endpoint: str,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        drop: bool = False,
        malformed: bool = False,
        times: int = 1,
    ) -> None:
        """Inject a fault into the next ``times`` requests to ``endpoint``."""
        with self._lock:
            self._plan.setdefault(endpoint, []).append(Fault(status, retry_after, delay, drop, malformed, times))

    def take(self, endpoint: str) -> Fault | None:
        """The fault for this request, if any (used by the simulator)."""
        with self._lock:
            queue = self._plan.get(endpoint)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def clear(self) -> None:
        """Remove every planned fault."""
        with self._lock:
            self._plan.clear()
