"""A small test standard: a customer message must get an agent reply within 8 hours."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from csbridge.config import StandardsBook
from csbridge.models import Deadline, Finding, FindingStatus, Role, Ticket
from csbridge.standards import Check

TARGET = timedelta(hours=8)
WARN = timedelta(hours=6)
RULE = "response_time.next_reply"


class Unanswered:
    """Breached when the oldest customer message after the last agent reply waited
    longer than TARGET; a running deadline otherwise."""

    name = "response_time"

    def configure(self, book: StandardsBook) -> Check | None:
        return self.check

    def check(self, ticket: Ticket, now: datetime) -> Iterable[Finding | Deadline]:
        waiting = None
        for message in ticket.messages:
            if not message.public:
                continue
            if message.author.role is Role.AGENT:
                waiting = None
            elif message.author.role is Role.CUSTOMER and waiting is None:
                waiting = message
        if waiting is None:
            return
        agent = ticket.assignee.id if ticket.assignee else None
        due = waiting.created_at + TARGET
        if now >= due:
            yield Finding(ticket.source, ticket.id, RULE, FindingStatus.BREACHED, "no reply within 8h",
                          agent_id=agent, message_id=waiting.id, due_at=due)
        else:
            yield Deadline(ticket.source, ticket.id, RULE, waiting.created_at + WARN, due, agent, waiting.id,
                           "a customer waits for an answer")
