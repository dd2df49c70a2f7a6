"""What the adapter knows of each ticket's comments and status history.

Filled from the ticket events export (many tickets a request) and, for tickets
whose history is not complete here, from one ticket's audits. Bounded: the least
recently used tickets are forgotten and read again when they change.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csbridge.models import Status, StatusChange
from csbridge_zendesk.mapping import EventChanges


@dataclass
class History:
    """One ticket's comments (raw API objects by id) and status changes.

    ``complete`` is True when every comment since the ticket's creation is here.
    """

    complete: bool
    comments: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    statuses: dict[datetime, Status] = field(default_factory=dict)

    def status_changes(self) -> tuple[StatusChange, ...]:
        return tuple(StatusChange(at, status) for at, status in sorted(self.statuses.items()))


class HistoryStore:
    """Histories of at most ``max_tickets`` tickets, least recently used dropped first."""

    def __init__(self, max_tickets: int = 20_000) -> None:
        self.max_tickets = max_tickets
        self._items: OrderedDict[str, History] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, ticket_id: str) -> History | None:
        """The history of ``ticket_id``, or ``None`` when it is not kept."""
        history = self._items.get(ticket_id)
        if history is not None:
            self._items.move_to_end(ticket_id)
        return history

    def add_event(self, changes: EventChanges) -> None:
        """Merge one ticket event; a ticket first seen at its creation is complete."""
        history = self.get(changes.ticket_id)
        if history is None:
            history = self._put(changes.ticket_id, History(complete=changes.created))
        for comment in changes.comments:
            history.comments[str(comment["id"])] = _slim(comment)
        if changes.status is not None:
            history.statuses[changes.at] = changes.status

    def replace(self, ticket_id: str, comments: Iterable[Mapping[str, Any]], statuses: Mapping[datetime, Status]) -> None:
        """Store a full history read from the ticket itself."""
        history = History(complete=True, comments={str(c["id"]): _slim(c) for c in comments}, statuses=dict(statuses))
        self._put(ticket_id, history)

    def drop(self, ticket_id: str) -> None:
        """Forget a ticket (deleted)."""
        self._items.pop(ticket_id, None)

    def _put(self, ticket_id: str, history: History) -> History:
        self._items[ticket_id] = history
        self._items.move_to_end(ticket_id)
        while len(self._items) > self.max_tickets:
            self._items.popitem(last=False)
        return history


_KEEP = ("id", "author_id", "public", "created_at", "plain_body", "html_body", "body")


def _slim(comment: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields csbridge reads; ``plain_body`` wins, so the others are dropped then."""
    slim = {k: comment[k] for k in _KEEP if k in comment}
    if isinstance(slim.get("plain_body"), str):
        slim.pop("html_body", None)
        slim.pop("body", None)
    return slim
