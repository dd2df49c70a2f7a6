"""An in-memory helpdesk adapter and a simple standard, for testing the core's cycle."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from csbridge.adapter import Page, RequestStats, WriteResult
from csbridge.config import StandardsBook
from csbridge.marker import find_markers
from csbridge.models import (
    Deadline,
    Finding,
    FindingStatus,
    Message,
    Note,
    Person,
    Priority,
    Reminder,
    Role,
    Status,
    Ticket,
)
from csbridge.standards import Check

AGENT = Person("a1", Role.AGENT, "Anna Nowak", "anna@acme.example")
CUSTOMER = Person("c1", Role.CUSTOMER, "Jan Kowalski", "jan@example.com")


class Crash(BaseException):
    """Stands for a kill: not an Exception, so nothing in csbridge catches it."""


@dataclass
class FakeHelpdesk:
    """Tickets with versions; each change bumps the ticket into the change feed."""

    tickets: dict[str, Ticket] = field(default_factory=dict)
    feed: list[str] = field(default_factory=list)
    notes: dict[str, list[Note]] = field(default_factory=dict)
    reminders: list[Reminder] = field(default_factory=list)
    crash_after_writes: int | None = None
    crash_before_write: bool = True
    writes: int = 0

    def put(self, ticket: Ticket) -> None:
        self.tickets[ticket.id] = ticket
        self.feed.append(ticket.id)

    def add_message(self, ticket_id: str, author: Person, at: datetime, body: str, public: bool = True) -> None:
        ticket = self.tickets[ticket_id]
        msg = Message(f"m{len(ticket.messages) + 1}", author, public, at, body)
        self.put(replace(ticket, messages=(*ticket.messages, msg)))

    def _write(self, apply: Callable[[], None]) -> None:
        """Apply one write; crash before or after the write number ``crash_after_writes``."""
        due = self.crash_after_writes is not None and self.writes >= self.crash_after_writes
        if due and self.crash_before_write:
            raise Crash()
        apply()
        self.writes += 1
        if due:
            raise Crash()


class FakeAdapter:
    """The Adapter protocol over a :class:`FakeHelpdesk`; pages of ``page_size``."""

    def __init__(self, desk: FakeHelpdesk, page_size: int = 2) -> None:
        self.desk = desk
        self.page_size = page_size
        self.stats = RequestStats()

    def fetch_changes(self, cursor: str | None) -> Iterator[Page]:
        start = int(cursor or 0)
        feed = self.desk.feed
        while start < len(feed):
            end = min(start + self.page_size, len(feed))
            ids = dict.fromkeys(feed[start:end])
            yield Page([self._with_notes(self.desk.tickets[i]) for i in ids], str(end), backlog=len(feed) - end)
            start = end

    def _with_notes(self, ticket: Ticket) -> Ticket:
        mine = [Message(n.marker, Person("bot", Role.AGENT), False, ticket.created_at, n.text, True)
                for n in self.desk.notes.get(ticket.id, [])]
        return replace(ticket, messages=ticket.messages + tuple(mine))

    def post_notes(self, notes: Sequence[Note]) -> list[WriteResult]:
        results = []
        for note in notes:
            self.desk._write(lambda note=note: self.desk.notes.setdefault(note.ticket_id, []).append(note))  # type: ignore[misc]
            results.append(WriteResult(note.marker, True))
        return results

    def deliver_reminders(self, reminders: Sequence[Reminder]) -> list[WriteResult]:
        results = []
        for reminder in reminders:
            self.desk._write(lambda reminder=reminder: self.desk.reminders.append(reminder))  # type: ignore[misc]
            results.append(WriteResult(reminder.marker, True))
        return results

    def written_markers(self, ticket_id: str) -> set[str]:
        found = {m for n in self.desk.notes.get(ticket_id, []) for m in find_markers(n.text)}
        return found | {m for r in self.desk.reminders if r.ticket_id == ticket_id for m in find_markers(r.text)}

    def close(self) -> None:
        pass


class Unanswered:
    """A test standard: a public customer message without a later agent reply must be
    answered within ``target`` (24/7); breached after, a running Deadline before."""

    name = "unanswered"

    def __init__(self, target: timedelta = timedelta(hours=4), warn: float = 0.75) -> None:
        self.target = target
        self.warn = warn

    def configure(self, book: StandardsBook) -> Check:
        def check(ticket: Ticket, now: datetime) -> Iterable[Finding | Deadline]:
            waiting = None
            for m in ticket.messages:
                if m.from_csbridge or not m.public:
                    continue
                if m.author.role is Role.CUSTOMER and waiting is None:
                    waiting = m
                elif m.author.role is Role.AGENT:
                    waiting = None
            if waiting is None:
                return
            due = waiting.created_at + self.target
            agent = ticket.assignee.id if ticket.assignee else None
            if now >= due:
                yield Finding(ticket.source, ticket.id, "test.unanswered", FindingStatus.BREACHED,
                              f"Customer waiting since {waiting.created_at:%H:%M} <b>", agent, waiting.id, due,
                              quote=waiting.body[:40])
            else:
                yield Deadline(ticket.source, ticket.id, "test.unanswered", waiting.created_at + self.target * self.warn,
                               due, agent, waiting.id)
        return check


def ticket(ticket_id: str, at: datetime, body: str = "Hello, my order is late", source: str = "fake") -> Ticket:
    return Ticket(ticket_id, source, f"Ticket {ticket_id}", Status.OPEN, Priority.NORMAL, at,
                  (Message("m1", CUSTOMER, True, at, body),), assignee=AGENT, requester=CUSTOMER)
