"""Shared fixtures: a fake clock, the simulator on loopback, adapters, tickets, a cycle."""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from csbridge_freshdesk.adapter import FreshdeskAdapter
from csbridge_freshdesk.simulator import FreshdeskSimulator

from csbridge.config import load_config
from csbridge.marker import marker_line
from csbridge.models import FindingStatus, Message, Note, Person, Priority, Role, Status, Ticket
from csbridge.plugins import load_plugins
from csbridge.secrets import Secret
from csbridge.simkit import FakeClock
from csbridge.standards import Engine

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
AGENTS = (
    Person("a1", Role.AGENT, "Anna Kowalska", "anna@acme.example"),
    Person("a2", Role.AGENT, "Jordi Puig", "jordi@acme.example"),
)
BOOK = """
[standards.response_time]
first_reply = { low = "8h", normal = "4h", high = "2h", urgent = "1h" }
next_reply = { low = "8h", normal = "4h", high = "2h", urgent = "1h" }
"""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def make_ticket(n: int, start: datetime, *, answered: bool, tags: tuple[str, ...] = ("vip",)) -> Ticket:
    """Ticket ``n``: a customer asked 3 days before ``start``; answered within an hour
    (meets a 4h target) or never (breaches it)."""
    customer = Person(f"c{n}", Role.CUSTOMER, f"Customer {n}", f"customer{n}@example.com")
    agent = AGENTS[n % 2]
    asked = start - timedelta(days=3, minutes=n)
    messages = [Message("m1", customer, True, asked, f"Hello, my order {n} <b>never</b> came & I'm upset.")]
    if answered:
        messages.append(Message("m2", agent, True, asked + timedelta(minutes=40), "Hello, it is on its way. Best regards"))
    return Ticket(str(1000 + n), "fd", f"Order {n}", Status.OPEN, Priority.NORMAL, asked, tuple(messages),
                  agent, customer, tags)


@pytest.fixture
def tickets() -> Callable[..., list[Ticket]]:
    """``tickets(count, start=START)``: even ones breach the first-reply target."""

    def build(count: int, start: datetime = START) -> list[Ticket]:
        return [make_ticket(n, start, answered=n % 2 == 1) for n in range(count)]

    return build


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[FreshdeskSimulator]:
    simulator = FreshdeskSimulator(clock=clock, plan="growth", api_key="test-key")
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def make_adapter(sim: FreshdeskSimulator, clock: FakeClock) -> Callable[..., FreshdeskAdapter]:
    made: list[FreshdeskAdapter] = []

    def build(**kwargs: Any) -> FreshdeskAdapter:
        options: dict[str, Any] = {"source": "fd", "base_url": sim.url, "secret": Secret(sim.api_key),
                                   "clock": clock, "sleep": clock.sleep, "timeout": 5.0}
        options.update(kwargs)
        adapter = FreshdeskAdapter(**options)
        made.append(adapter)
        return adapter

    yield build  # type: ignore[misc]
    for adapter in made:
        adapter.close()


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    path = tmp_path / "csbridge.toml"
    path.write_text(BOOK, encoding="utf-8")
    config = load_config(path)
    return Engine(config.book, load_plugins().standards.values())


@dataclass
class Daemon:
    """The daemon's part, reduced: read pages, judge, write one note per new shortfall."""

    adapter: FreshdeskAdapter
    engine: Engine
    clock: FakeClock
    cursor: str | None = None
    reported: set[str] = field(default_factory=set)
    seen: list[str] = field(default_factory=list)
    written: list[Note] = field(default_factory=list)
    backlog: int | None = None

    def cycle(self) -> bool:
        """One cycle; True when the adapter read everything."""
        done = False
        for page in self.adapter.fetch_changes(self.cursor):
            notes = []
            for ticket in page.tickets:
                self.seen.append(ticket.id)
                findings = [f for f in self.engine.evaluate(ticket, self.clock()).findings
                            if f.status == FindingStatus.BREACHED and f.key not in self.reported]
                if findings:
                    notes.append(note_for(ticket, findings))
            for note, result in zip(notes, self.adapter.post_notes(notes), strict=True):
                assert result.ok, result.error
                self.reported.update(f.key for f in note.findings)
                self.written.append(note)
            self.cursor, self.backlog, done = page.cursor, page.backlog, page.done
        return done


def note_for(ticket: Ticket, findings: list[Any]) -> Note:
    marker = uuid.uuid4().hex
    quote = ticket.messages[0].body
    text = "\n".join(f.detail for f in findings) + f"\n> {quote}\n{marker_line(marker)}"
    body = "".join(f"<p>{html.escape(f.detail)}</p>" for f in findings)
    body += f"<blockquote>{html.escape(quote)}</blockquote><p>{marker_line(marker)}</p>"
    return Note(ticket.source, ticket.id, marker, text, body, ("csbridge", "sla-breached"), tuple(findings))


@pytest.fixture
def make_note() -> Callable[[Ticket, list[Any]], Note]:
    """``make_note(ticket, findings)``: a csbridge note with a fresh marker and two tags."""
    return note_for


@pytest.fixture
def daemon(make_adapter: Callable[..., FreshdeskAdapter], engine: Engine, clock: FakeClock) -> Callable[..., Daemon]:
    def build(**kwargs: Any) -> Daemon:
        return Daemon(make_adapter(**kwargs), engine, clock)

    return build
