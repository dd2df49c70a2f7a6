"""The Freshdesk simulator as ``csbridge demo --helpdesk freshdesk`` drives it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from csbridge.models import Ticket
from csbridge_freshdesk.simulator import FreshdeskSimulator

DEMO_KEY = "demo-freshdesk-key"


class FreshdeskDemo:
    """Seeds and serves a :class:`FreshdeskSimulator` for the demo (Enterprise plan,
    so two demo cycles never wait for a minute's credits)."""

    name = "freshdesk"

    def __init__(self) -> None:
        self.sim: FreshdeskSimulator | None = None

    def start(self, tickets: Sequence[Ticket], clock: Callable[[], datetime]) -> tuple[dict[str, Any], str]:
        """Serve the tickets on loopback; returns the source options and the API key."""
        self.sim = FreshdeskSimulator(clock=clock, plan="enterprise", api_key=DEMO_KEY)
        self.sim.seed(tickets)
        url = self.sim.start()
        return {"url": url, "custom_statuses": "Waiting on Third Party=on_hold", "backfill_days": 0}, DEMO_KEY

    def _sim(self) -> FreshdeskSimulator:
        if self.sim is None:
            raise RuntimeError("the Freshdesk demo simulator is not started")
        return self.sim

    def private_notes(self, ticket_id: str) -> list[str]:
        """The ticket's private notes as text, oldest first."""
        return [c["body_text"] for c in self._sim().conversations(ticket_id) if c["private"]]

    def tags(self, ticket_id: str) -> list[str]:
        """The ticket's tags."""
        return self._sim().tags(ticket_id)

    def requests(self) -> tuple[int, int]:
        """Requests served so far: (all, writes)."""
        return sum(self._sim().requests.values()), self._sim().writes

    def stop(self) -> None:
        """Stop serving."""
        if self.sim is not None:
            self.sim.stop()
