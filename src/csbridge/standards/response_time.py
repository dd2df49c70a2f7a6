"""Built-in standard ``response_time``: reply targets in business time, per priority.

Rules (targets from ``[standards.response_time]``, time on its calendar):

``response_time.first_reply``
    From the ticket's first public customer message to the first public agent
    message after it. Not judged when an agent wrote first (an outbound ticket):
    every wait there is a next reply.
``response_time.next_reply``
    From the oldest public customer message not yet answered (several in a row:
    the first of them counts) to the next public agent message.
``response_time.periodic_update`` (only for priorities with a target)
    From each public agent message to the next one, while the ticket is not
    solved: the customer hears from the agent at least that often.

What counts: public messages only (internal notes never answer anyone);
messages ``from_csbridge`` or by a system user are ignored; messages and status
changes after ``now`` are not known yet. Time spent in a ``pause_on`` status does
not count: a status holds from its change until the next change, and before the
first recorded change the ticket is taken as open. A ticket without
``status_changes`` is taken to have entered its current status at
``updated_at`` (else at its last message, else at ``created_at``), the moment a
helpdesk usually changes it.

A wait ends at the reply, or at the ticket's change to solved or closed: a
solved ticket owes no reply, so such a wait is reported only if its target had
already run out (breached). A customer message on a ticket that stays solved
starts no wait. A wait still running at ``now`` is ``breached`` past its
target, ``at_risk`` past ``warn_at`` of it, and yields a :class:`Deadline` until
it is breached. While the ticket sits in a pause status the clock is stopped:
no deadline and no ``at_risk`` then. ``met`` findings are made for answered
waits within target (the CLI shows them with ``--all``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple

from csbridge.calendar import BusinessCalendar, Pause, calendar_for, format_local, utc
from csbridge.config import ResponseTimeStandard, StandardsBook
from csbridge.durations import format_duration
from csbridge.hookspecs import hookimpl
from csbridge.models import Deadline, Finding, FindingStatus, Message, Role, Status, Ticket
from csbridge.standards import Check
from csbridge.standards.context import ContextCheck, TicketContext

FIRST_REPLY = "response_time.first_reply"
NEXT_REPLY = "response_time.next_reply"
PERIODIC_UPDATE = "response_time.periodic_update"
SOLVED = frozenset({Status.SOLVED, Status.CLOSED})
# Enum members as constants: Role.AGENT and the like cost an attribute lookup on the class each time.
_MET, _BREACHED, _AT_RISK = FindingStatus.MET, FindingStatus.BREACHED, FindingStatus.AT_RISK

Target = tuple[float, str, str]
"""A reply target: seconds, as written ("8h"), and the sentence naming it."""


class Conversation(NamedTuple):
    """A ticket as the time standards see it at one instant (immutable; a named
    tuple because the engine makes one per evaluation, and a tuple is quick to make).

    ``messages``: the public messages by customers and agents known at ``now``
    (not csbridge's own, not system users'), oldest first; ``times``: their
    ``created_at`` as POSIX timestamps, in the same order. ``history``: status
    changes as ``(timestamp, status)`` known at ``now``, oldest first (see the
    module docstring for tickets without any). ``solved_at``: the instants the
    ticket entered solved or closed from another status (:meth:`solves`).
    ``agents``: the positions in ``messages`` of the agents' messages.
    """

    ticket: Ticket
    now: float
    messages: tuple[Message, ...]
    history: tuple[tuple[float, Status], ...]
    times: tuple[float, ...]
    solved_at: tuple[float, ...]
    agents: tuple[int, ...]

    @classmethod
    def of(cls, ticket: Ticket, now: datetime) -> Conversation:
        """The conversation of ``ticket`` as known at ``now`` (the engine builds it
        once per evaluation: :attr:`csbridge.standards.context.TicketContext.conversation`)."""
        cut = now.timestamp()
        system, agent = Role.SYSTEM, Role.AGENT
        messages: list[Message] = []
        times: list[float] = []
        agents: list[int] = []
        rising = True  # strictly rising timestamps mean rising datetimes: nothing to sort
        last = -math.inf
        for m in ticket.messages:
            if m.public and not m.from_csbridge and m.author.role is not system:
                at = m.created_at.timestamp()
                if at <= cut:
                    if at <= last:
                        rising = False
                    last = at
                    if m.author.role is agent:
                        agents.append(len(messages))
                    messages.append(m)
                    times.append(at)
        if not rising:
            messages.sort(key=lambda m: m.created_at)
            times = [m.created_at.timestamp() for m in messages]
            agents = [i for i, m in enumerate(messages) if m.author.role is agent]
        if ticket.status_changes:
            history = [(at, c.status) for c in ticket.status_changes if (at := c.at.timestamp()) <= cut]
            for a, b in pairwise(history):
                if a[0] > b[0]:  # rare: changes out of time order
                    history.sort(key=lambda c: c[0])
                    break
        else:
            since = ticket.updated_at or max((m.created_at for m in ticket.messages), default=ticket.created_at)
            at = since.timestamp()
            history = [(at, ticket.status)] if at <= cut else []
        solved_at: list[float] = []
        previous: Status | None = None
        for at, status in history:
            if status in SOLVED and previous not in SOLVED:
                solved_at.append(at)
            previous = status
        return cls(ticket, cut, tuple(messages), tuple(history), tuple(times), tuple(solved_at), tuple(agents))

    @property
    def status(self) -> Status:
        """The status at ``now`` (open when no change is known yet)."""
        return self.history[-1][1] if self.history else Status.OPEN

    def pauses(self, statuses: frozenset[Status] | tuple[Status, ...]) -> tuple[Pause, ...]:
        """The intervals spent in one of ``statuses``, as :func:`normalize_pauses`
        gives them; the last one ends at ``math.inf`` when the ticket is still in
        such a status."""
        # history is sorted, so the spans come sorted and only touch end to start:
        # merging in one pass gives what normalize_pauses would.
        spans: list[Pause] = []
        history = self.history
        last = len(history) - 1
        for i, (at, status) in enumerate(history):
            if status in statuses:
                end = history[i + 1][0] if i < last else math.inf
                if end <= at:
                    continue
                if spans and at <= spans[-1][1]:
                    spans[-1] = (spans[-1][0], max(spans[-1][1], end))
                else:
                    spans.append((at, end))
        return tuple(spans)

    def solves(self) -> list[float]:
        """The instants the ticket entered solved or closed from another status."""
        return list(self.solved_at)

    def agent_messages(self) -> list[Message]:
        """The public agent messages, oldest first."""
        messages = self.messages
        return [messages[i] for i in self.agents]

    def agent_id(self, reply: Message | None = None) -> str | None:
        """Who owns an answer: the assignee, else the agent of ``reply``, else
        the last agent who wrote publicly."""
        if self.ticket.assignee is not None:
            return self.ticket.assignee.id
        if reply is not None:
            return reply.author.id
        return self.messages[self.agents[-1]].author.id if self.agents else None


class Wait(NamedTuple):
    """One measured stretch: ``rule``, from ``start`` (``message`` began it) to
    ``end`` (``None``: still running), closed by ``reply`` or by a solve."""

    rule: str
    message: Message
    start: float
    end: float | None = None
    reply: Message | None = None

    @property
    def solved(self) -> bool:
        """Ended by the ticket being solved, not by a reply."""
        return self.end is not None and self.reply is None


def reply_waits(conversation: Conversation) -> Iterator[Wait]:
    """The first- and next-reply waits of a conversation, in order."""
    solves = conversation.solved_at
    pending = 0  # solves[pending:] are still to come; the first of them at next_solve
    next_solve = solves[0] if solves else math.inf
    waiting: Message | None = None
    rule = FIRST_REPLY
    started = 0.0
    spoken = False  # whether the first-reply wait is decided (a customer or an agent spoke)
    customer = Role.CUSTOMER
    # Messages and solves in time order, a message before a solve at the same instant.
    for message, at in zip(conversation.messages, conversation.times, strict=True):
        while next_solve < at:
            if waiting is not None:
                yield Wait(rule, waiting, started, next_solve)
                waiting = None
            pending += 1
            next_solve = solves[pending] if pending < len(solves) else math.inf
        if message.author.role is customer:
            if waiting is None:
                waiting, started = message, at
                rule = NEXT_REPLY if spoken else FIRST_REPLY
            spoken = True
        else:
            spoken = True
            if waiting is not None:
                yield Wait(rule, waiting, started, at, message)
                waiting = None
    if waiting is not None:
        if pending < len(solves):
            yield Wait(rule, waiting, started, solves[pending])
        elif conversation.status not in SOLVED:
            yield Wait(rule, waiting, started)


def update_waits(conversation: Conversation) -> Iterator[Wait]:
    """The stretches from each public agent message to the next one, ended early
    by a solve; the last one runs at ``now`` unless the ticket is solved."""
    solves = conversation.solved_at
    messages, times, agents = conversation.messages, conversation.times, conversation.agents
    for i, k in enumerate(agents):
        message, start = messages[k], times[k]
        solve = next((s for s in solves if s >= start), None)
        reply = messages[agents[i + 1]] if i + 1 < len(agents) else None
        reply_at = times[agents[i + 1]] if i + 1 < len(agents) else None
        if solve is not None and (reply_at is None or solve < reply_at):
            yield Wait(PERIODIC_UPDATE, message, start, solve)
        elif reply_at is not None:
            yield Wait(PERIODIC_UPDATE, message, start, reply_at, reply)
        elif conversation.status not in SOLVED:
            yield Wait(PERIODIC_UPDATE, message, start)


_WORDS = {
    FIRST_REPLY: ("First reply took", "for a first reply", "without a first reply", "reply to the customer"),
    NEXT_REPLY: ("The reply took", "for a reply", "without a reply", "reply to the customer"),
    PERIODIC_UPDATE: (
        "The next update came after",
        "for an update since the last public reply",
        "without an update",
        "send the customer an update",
    ),
}


class ResponseTimeCheck(ContextCheck):
    """The configured check: judges every wait of a ticket against the target of
    its priority on ``calendar``. Call it as ``check(ticket, now)``."""

    def __init__(self, standard: ResponseTimeStandard, calendar: BusinessCalendar) -> None:
        self.include_met = True
        self.standard = standard
        self.calendar = calendar
        self.pause_on = frozenset(standard.pause_on)
        self.business = "" if calendar.is_always else " of business time"
        targets: dict[str, Mapping[Any, timedelta]] = {
            FIRST_REPLY: standard.first_reply,
            NEXT_REPLY: standard.next_reply,
            PERIODIC_UPDATE: standard.periodic_update,
        }
        # (rule, priority) -> (seconds, "8h", "the target for normal priority is 8h"), written once;
        # the same by priority then rule, so that a ticket looks its priority up once.
        self.targets: dict[tuple[str, Any], Target] = {}
        self.by_priority: dict[Any, dict[str, Target]] = {}
        for rule, by_priority in targets.items():
            every = "an update every " if rule == PERIODIC_UPDATE else ""
            for priority, target in by_priority.items():
                text = format_duration(target)
                aim = f"the target for {priority.value} priority is {every}{text}"
                self.targets[(rule, priority)] = (target.total_seconds(), text, aim)
                self.by_priority.setdefault(priority, {})[rule] = self.targets[(rule, priority)]

    def check_in(self, context: TicketContext) -> list[Finding | Deadline]:
        """:meth:`__call__`, with the conversation shared through ``context``."""
        conversation = context.conversation
        targets = self.by_priority.get(conversation.ticket.priority)
        if not conversation.messages or targets is None:
            return []
        found: list[Finding | Deadline] = []
        pauses = conversation.pauses(self.pause_on)
        for wait in reply_waits(conversation):
            target = targets.get(wait.rule)
            if target is not None:
                found += self.judge(conversation, wait, pauses, target)
        target = targets.get(PERIODIC_UPDATE)
        if target is not None:
            for wait in update_waits(conversation):
                found += self.judge(conversation, wait, pauses, target)
        return found

    def judge(
        self, conversation: Conversation, wait: Wait, pauses: tuple[Pause, ...], target: Target
    ) -> tuple[Finding | Deadline, ...]:
        """The finding (if any) and the deadline (if running) of one wait against
        ``target`` (an entry of :attr:`targets`)."""
        ticket = conversation.ticket
        limit, target_text, aim = target
        calendar = self.calendar
        end = conversation.now if wait.end is None else wait.end
        elapsed = round(calendar.elapsed_ts(wait.start, end, pauses), 3)
        lead, waiting_for, unanswered, act = _WORDS[wait.rule]
        if wait.end is not None:
            if elapsed <= limit:
                if wait.solved or not self.include_met:
                    return ()
                return (
                    Finding(
                        ticket.source, ticket.id, wait.rule, _MET,
                        f"{lead} {self.took(elapsed)}; within the target of {target_text}.",
                        conversation.agent_id(wait.reply), wait.message.id,
                    ),
                )
            if wait.solved:
                detail = f"The ticket was solved {unanswered} after {self.took(elapsed)}; {aim}."
            else:
                detail = f"{lead} {self.took(elapsed)}; {aim}."
            return (
                Finding(
                    ticket.source, ticket.id, wait.rule, _BREACHED, detail,
                    conversation.agent_id(wait.reply), wait.message.id,
                    _instant(calendar.add_ts(wait.start, limit, pauses)),
                    f"Keep to the target: {act} within {target_text}{self.business}.",
                ),
            )
        due = _instant(calendar.add_ts(wait.start, limit, pauses))
        waited = f"The customer has waited {self.took(elapsed)} {waiting_for}; {aim}"
        agent_id = conversation.agent_id()
        if elapsed > limit:
            when = f", due {format_local(due, calendar)}" if due else ""
            return (
                Finding(
                    ticket.source, ticket.id, wait.rule, _BREACHED, f"{waited}{when}.",
                    agent_id, wait.message.id, due, f"{act.capitalize()} now; the target has run out.",
                ),
            )
        if due is None:
            return ()  # the clock is stopped by a pause status: nothing is running
        due_text = format_local(due, calendar)
        warn_at = self.standard.warn_at
        deadline = Deadline(
            ticket.source, ticket.id, wait.rule, utc(calendar.add_ts(wait.start, limit * warn_at, pauses)), due,
            agent_id, wait.message.id, f"{act.capitalize()} by {due_text} (target {target_text}{self.business}).",
        )
        if elapsed >= limit * warn_at:
            at_risk = Finding(
                ticket.source, ticket.id, wait.rule, _AT_RISK, f"{waited}, due {due_text}.",
                agent_id, wait.message.id, due, f"{act.capitalize()} before {due_text}.",
            )
            return (at_risk, deadline)
        return (deadline,)

    def took(self, seconds: float) -> str:
        """``9h 40m of business time`` (no suffix on a 24/7 calendar)."""
        return _minutes(int(seconds // 60)) + self.business


@lru_cache(maxsize=8192)
def _minutes(minutes: int) -> str:
    return format_duration(timedelta(minutes=minutes))


def _instant(ts: float) -> datetime | None:
    return None if math.isinf(ts) else utc(ts)


class _Standard:
    name = "response_time"

    def configure(self, book: StandardsBook) -> Check | None:
        """The response-time check on the book's calendar, or ``None`` without a
        ``[standards.response_time]`` section."""
        if book.response_time is None:
            return None
        return ResponseTimeCheck(book.response_time, calendar_for(book, book.response_time.calendar))


@hookimpl
def register_standards(register: Callable[[Any], None]) -> None:
    """Register the built-in ``response_time`` standard."""
    register(_Standard())
