"""The standards engine: pure checks of a ticket against the standards book.

A :class:`Standard` is registered through the ``register_standards`` hook (the
three built-in ones are default plugins). :class:`Engine` configures every
standard whose section the book has, once, then evaluates tickets: no I/O, the
clock passed in, the same input gives the same output.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from csbridge.config import StandardsBook
from csbridge.models import Deadline, Finding, Ticket

Check = Callable[[Ticket, datetime], Iterable[Finding | Deadline]]


class Standard(Protocol):
    """A named standard; ``name`` is its ``[standards.NAME]`` config section."""

    name: str

    def configure(self, book: StandardsBook) -> Check | None:
        """Prepare the check for ``book`` (calendars, lexicons, ...), or return
        ``None`` when the book does not enable this standard. The returned check
        must be pure: it yields the findings for a ticket at ``now`` (shortfalls,
        and met ones with status ``met``) and the deadlines still running."""
        ...


@dataclass
class Evaluation:
    """What the engine says about one ticket at one instant."""

    findings: list[Finding] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)


class Engine:
    """Evaluates tickets against one standards book."""

    def __init__(self, book: StandardsBook, standards: Iterable[Standard]) -> None:
        self.book = book
        self.checks: list[Check] = [c for c in (s.configure(book) for s in standards) if c is not None]

    def evaluate(self, ticket: Ticket, now: datetime) -> Evaluation:
        """All findings and running deadlines of ``ticket`` at ``now``, ordered by
        rule then message so that output is deterministic."""
        result = Evaluation()
        for check in self.checks:
            for item in check(ticket, now):
                if isinstance(item, Finding):
                    result.findings.append(item)
                else:
                    result.deadlines.append(item)
        result.findings.sort(key=lambda f: (f.rule, f.message_id or "", f.status.value))
        result.deadlines.sort(key=lambda d: (d.due_at, d.rule))
        return result
