"""The standards engine: pure checks of a ticket against the standards book.

A :class:`Standard` is registered through the ``register_standards`` hook (the
three built-in ones are default plugins). :class:`Engine` configures every
standard whose section the book has, once, then evaluates tickets: no I/O, the
clock passed in, the same input gives the same output.

An engine built with ``include_met=False`` reports shortfalls only. A check
that can skip building its ``met`` findings says so with a ``without_met()``
method (:class:`SkipsMet`) returning such a check; the engine drops the ``met``
findings of any other check itself.

Checks that share work (the text of a message, the conversation) take a
:class:`~csbridge.standards.context.TicketContext`, made by the engine once per
evaluation: they say so with a ``check_in(context)`` method (:class:`UsesContext`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from csbridge.config import StandardsBook
from csbridge.models import Deadline, Finding, FindingStatus, Ticket
from csbridge.standards.context import TicketContext, UsesContext

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


@runtime_checkable
class SkipsMet(Protocol):
    """Optional for a check: it can leave out its ``met`` findings (saving their text)."""

    def without_met(self) -> Check:
        """The same check, yielding no finding with status ``met``."""
        ...


@dataclass
class Evaluation:
    """What the engine says about one ticket at one instant."""

    findings: list[Finding] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)


class Engine:
    """Evaluates tickets against one standards book."""

    def __init__(self, book: StandardsBook, standards: Iterable[Standard], include_met: bool = True) -> None:
        """``include_met=False``: :meth:`evaluate` leaves out findings with status ``met``."""
        self.book = book
        self.include_met = include_met
        self.checks: list[Check] = []
        self._filtered: list[bool] = []  # per check: whether the engine must drop its met findings
        self._in_context: list[bool] = []  # per check: whether it takes the shared context
        for standard in standards:
            check = standard.configure(book)
            if check is None:
                continue
            skips = not include_met and isinstance(check, SkipsMet)
            self.checks.append(check.without_met() if skips else check)  # type: ignore[attr-defined]
            self._filtered.append(not include_met and not skips)
            self._in_context.append(isinstance(self.checks[-1], UsesContext))
        # per check: (check_in or the check itself, whether it takes the context, whether to drop met findings)
        self._plan: list[tuple[Callable[..., Iterable[Finding | Deadline]], bool, bool]] = [
            (check.check_in if in_context else check, in_context, filtered)  # type: ignore[attr-defined]
            for check, in_context, filtered in zip(self.checks, self._in_context, self._filtered, strict=True)
        ]

    def evaluate(self, ticket: Ticket, now: datetime) -> Evaluation:
        """All findings and running deadlines of ``ticket`` at ``now``, ordered by
        rule then message so that output is deterministic."""
        findings: list[Finding] = []
        deadlines: list[Deadline] = []
        met = FindingStatus.MET
        context = TicketContext(ticket, now)
        for judge, in_context, filtered in self._plan:
            items = judge(context) if in_context else judge(ticket, now)
            for item in items:
                if type(item) is Finding or isinstance(item, Finding):
                    if not (filtered and item.status is met):
                        findings.append(item)
                else:
                    deadlines.append(item)
        if len(findings) > 1:
            findings.sort(key=_finding_order)
        if len(deadlines) > 1:
            deadlines.sort(key=_deadline_order)
        return Evaluation(findings, deadlines)


def _finding_order(f: Finding) -> tuple[str, str, str]:
    return (f.rule, f.message_id or "", f.status.value)


def _deadline_order(d: Deadline) -> tuple[datetime, str]:
    return (d.due_at, d.rule)
