"""The Zendesk simulator as ``csbridge demo`` and the benchmarks drive it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from csbridge.models import Ticket
from csbridge_zendesk.simulator import ZendeskSimulator

TOKEN = "demo-token"
EMAIL = "csbridge@acme.example"


class ZendeskDemo:
    """Serves a seeded :class:`ZendeskSimulator`; see :class:`csbridge.demo.DemoHelpdesk`."""

    name = "zendesk"

    def __init__(self) -> None:
        self.sim: ZendeskSimulator | None = None

    def start(self, tickets: Sequence[Ticket], clock: Callable[[], datetime]) -> tuple[dict[str, Any], str]:
        self.sim = ZendeskSimulator(clock=clock, token=TOKEN, email=EMAIL)
        self.sim.seed(tickets)
        url = self.sim.start()
        return {"url": url, "email": EMAIL}, TOKEN

    def _sim(self) -> ZendeskSimulator:
        assert self.sim is not None, "start() first"
        return self.sim

    def private_notes(self, ticket_id: str) -> list[str]:
        return [c.get("plain_body") or c.get("body") or "" for c in self._sim().comments(ticket_id) if not c["public"]]

    def tags(self, ticket_id: str) -> list[str]:
        return self._sim().tags(ticket_id)

    def requests(self) -> tuple[int, int]:
        sim = self._sim()
        return sum(sim.requests.values()), sim.writes

    def stop(self) -> None:
        if self.sim is not None:
            self.sim.stop()
