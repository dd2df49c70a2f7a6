"""Building blocks for local API simulators and their tests: fault plans, serving on
loopback, a fake clock.

:class:`FaultPlan` holds the faults a simulator injects on demand, matched by
endpoint key (``"GET /api/v2/tickets"``; ``"*"`` matches any) and taken in the order
added: an HTTP status (with an optional ``Retry-After``), a slow answer, a dropped
connection or a malformed JSON body. :class:`LocalServer` is the life-cycle both
simulators share: serve a request handler on 127.0.0.1 at a free port in a thread,
stop, use as a context manager. :class:`FakeClock` is time that moves only when a
test moves it or someone sleeps on it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar, Self

ANY = "*"


@dataclass
class Fault:
    """What to do to the next ``times`` requests of ``endpoint``.

    ``status``: answer with it (and ``Retry-After`` when ``retry_after`` is set);
    ``delay``: seconds to stall before answering (real time, to trip client timeouts);
    ``drop``: close the connection without an answer; ``malformed``: answer with a
    body that is not JSON.
    """

    endpoint: str
    status: int | None = None
    retry_after: float | None = None
    delay: float = 0.0
    drop: bool = False
    malformed: bool = False
    times: int = 1


class FaultPlan:
    """Faults on demand, taken in the order added; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        endpoint: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        delay: float = 0.0,
        drop: bool = False,
        malformed: bool = False,
        times: int = 1,
    ) -> None:
        """Inject a fault into the next ``times`` requests to ``endpoint`` (a simulator's
        endpoint key, ``"*"`` for any); see :class:`Fault`. Raises ``ValueError`` when
        ``times`` is below 1."""
        if times < 1:
            raise ValueError(f"times must be 1 or more, not {times}")
        with self._lock:
            self._faults.append(Fault(endpoint, status, retry_after, delay, drop, malformed, times))

    def take(self, endpoint: str) -> Fault | None:
        """The first pending fault for ``endpoint`` (or ``"*"``), counted down; None when
        there is none. Called by the simulator once per request."""
        with self._lock:
            for fault in self._faults:
                if fault.endpoint in (endpoint, ANY):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        """How many requests the pending faults will still hit."""
        with self._lock:
            return sum(f.times for f in self._faults)


class LocalServer:
    """Base of a simulator served over HTTP on 127.0.0.1 at a free port, in a daemon thread.

    A subclass sets ``handler`` (its request handler class, which reaches the simulator
    as ``self.sim``) and ``thread_name``. :meth:`start` returns the base URL, also kept
    in ``base_url``; :meth:`stop` is idempotent; ``with`` starts and stops.
    """

    handler: ClassVar[type[BaseHTTPRequestHandler]]
    thread_name: ClassVar[str] = "simulator"
    base_url: str = ""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        """Serve on 127.0.0.1 at a free port; returns the base URL."""
        handler = type("Handler", (self.handler,), {"sim": self})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        # a short poll interval: stop() returns within 50 ms
        threading.Thread(target=server.serve_forever, args=(0.05,), name=self.thread_name, daemon=True).start()
        return self.base_url

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(eq=False)
class FakeClock:
    """Time that moves only when told: call it for ``now``; :meth:`sleep` advances it
    and records the seconds in ``slept``; :meth:`advance` moves it without recording.
    Tests may also set ``now`` directly."""

    now: datetime
    slept: list[float] = field(default_factory=list)

    def __call__(self) -> datetime:
        """The current fake time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record a sleep of ``seconds`` and move time on by it (returns at once)."""
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)

    def advance(self, delta: timedelta | None = None, /, **parts: float) -> datetime:
        """Move time on by ``delta`` or by ``timedelta(**parts)`` (e.g. ``hours=1``);
        returns the new time."""
        self.now += (delta or timedelta()) + timedelta(**parts)
        return self.now


__all__ = ["ANY", "FakeClock", "Fault", "FaultPlan", "LocalServer"]
