"""Built-in standard ``follow_up``: promised updates kept, pending tickets chased.

Rules (time on the ``[standards.follow_up]`` calendar, by default the
response-time calendar):

``follow_up.promise``
    A public agent message that promises a later update ("within 2 hours",
    "tomorrow", "by Friday", "next week", "later today": detected by
    :mod:`csbridge.standards.promises`) must be followed by another public agent
    message by the promised time. ``met`` when one came in time, ``breached``
    when it came late or not at all, ``at_risk`` past ``warn_at`` of the promise
    window (``[standards.response_time] warn_at``, else 0.8) and a
    :class:`Deadline` while it runs. A ticket solved before the promised time
    owes nothing more. Promised times:

    - *within D*: D of business time after the message;
    - *N working days*: the end of the Nth working day after the message's day;
    - *by WEEKDAY*: the end of the next working day that is that weekday (the
      message's own day if it is one and still open); if that weekday never
      works, the end of the next such calendar day;
    - *next week*: the end of the last working day of the next calendar week;
    - *after the weekend*: the end of the first working day after the coming
      Saturday and Sunday (said on a weekend day: after this one);
    - *later today*: the end of today's hours, or of the next working day if
      the message came after hours;
    - *a date* ("by 20 November", "bis zum 20.11.", "by the 20th"): the end of
      that day's hours (midnight after it if it does not work), its next
      occurrence;
    - *a time of day* ("by 3 pm", "tomorrow at 10"): that time on the day the
      rest of the sentence names (today without one), local time; when that time
      has passed, the same time on the next working day.

``follow_up.pending``
    A ticket in pending status waits for the customer; when the customer stays
    silent the agent should chase them. Measured from the later of the change to
    pending and the agent's last public message; ``breached`` after
    ``pending_reminder_after``, ``at_risk`` past ``warn_at`` of it with a
    :class:`Deadline` before. A public customer message after the change to
    pending ends the wait (the reply is then the agent's to give, which
    ``response_time`` judges).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from csbridge.calendar import BusinessCalendar, calendar_for, format_local, utc
from csbridge.config import FollowUpStandard, StandardsBook
from csbridge.durations import format_duration
from csbridge.hookspecs import hookimpl
from csbridge.models import Deadline, Finding, FindingStatus, Message, Role, Status
from csbridge.standards import Check
from csbridge.standards.context import ContextCheck, TicketContext
from csbridge.standards.response_time import Conversation

PROMISE = "follow_up.promise"
PENDING = "follow_up.pending"
_SEARCH_WEEKS = 8
# Enum members as constants: Status.PENDING and the like cost an attribute lookup on the class each time.
_PENDING = Status.PENDING
_BREACHED, _AT_RISK = FindingStatus.BREACHED, FindingStatus.AT_RISK


class PromiseLike(Protocol):
    """What :class:`csbridge.standards.promises.Promise` carries (see that module)."""

    @property
    def phrase(self) -> str: ...
    @property
    def within(self) -> timedelta | None: ...
    @property
    def working_days(self) -> int | None: ...
    @property
    def weekday(self) -> int | None: ...
    @property
    def next_week(self) -> bool: ...
    @property
    def today(self) -> bool: ...
    @property
    def after_weekend(self) -> bool: ...
    @property
    def clock(self) -> time | None: ...
    @property
    def on_date(self) -> tuple[int, int] | None: ...


FindPromise = Callable[[str, "str | None"], PromiseLike | None]
PromiseIn = Callable[[TicketContext, Message], PromiseLike | None]


def promise_due(promise: PromiseLike, at: datetime, calendar: BusinessCalendar) -> datetime | None:
    """The instant by which ``promise``, made at ``at``, must be kept on
    ``calendar`` (rules in the module docstring); ``None`` for a promise that
    names no time."""
    if promise.within is not None:
        return calendar.add(at, promise.within)
    day = calendar.local_date(at)
    end = _end_of_promised_day(promise, at, day, calendar)
    if promise.clock is None:
        return end
    if end is not None:
        day = calendar.local_date(end - timedelta(seconds=1))  # the day that ``end`` closes
    due = datetime.combine(day, promise.clock, tzinfo=calendar.tz)
    if due <= at:
        due = datetime.combine(calendar.working_day(calendar.local_date(at), after=1), promise.clock, tzinfo=calendar.tz)
    return due


def _end_of_promised_day(promise: PromiseLike, at: datetime, day: date, calendar: BusinessCalendar) -> datetime | None:
    """The end of the day ``promise`` names (``day`` is the local date of ``at``)."""
    if promise.on_date is not None:
        target = _next_date(day, *promise.on_date)
        return None if target is None else _end_of(target, calendar)
    if promise.working_days is not None:
        return calendar.end_of_day(calendar.working_day(day, after=max(promise.working_days, 1)))
    if promise.after_weekend:
        monday = day + timedelta(days=7 - day.weekday())  # the next Monday, whatever today is
        return calendar.end_of_day(calendar.working_day(monday))
    if promise.weekday is not None:
        return _by_weekday(promise.weekday % 7, at, day, calendar)
    if promise.next_week:
        monday = day + timedelta(days=7 - day.weekday())
        for week in range(_SEARCH_WEEKS):
            days = [monday + timedelta(days=7 * week + i) for i in range(7)]
            working = [d for d in days if calendar.is_working_day(d)]
            if working:
                return calendar.end_of_day(working[-1])
        return None
    if promise.today:
        if calendar.is_working_day(day) and at < calendar.end_of_day(day):
            return calendar.end_of_day(day)
        return calendar.end_of_day(calendar.working_day(day, after=1))
    return None


def _by_weekday(weekday: int, at: datetime, day: date, calendar: BusinessCalendar) -> datetime:
    if day.weekday() == weekday and calendar.is_working_day(day) and at < calendar.end_of_day(day):
        return calendar.end_of_day(day)
    first = day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)
    for week in range(_SEARCH_WEEKS):
        candidate = first + timedelta(days=7 * week)
        if calendar.is_working_day(candidate):
            return calendar.end_of_day(candidate)
    return _end_of(first, calendar)


def _end_of(day: date, calendar: BusinessCalendar) -> datetime:
    """The end of ``day``'s hours, or midnight after it when it is not a working day."""
    if calendar.is_working_day(day):
        return calendar.end_of_day(day)
    following = day + timedelta(days=1)
    return datetime(following.year, following.month, following.day, tzinfo=calendar.tz)


def _next_date(day: date, month: int, dom: int) -> date | None:
    """The first date on or after ``day`` with day of month ``dom`` and ``month``
    (0: any month); ``None`` when there is none within a year (``dom`` 31 in April)."""
    for step in range(13):
        year, index = divmod(day.month - 1 + step, 12)
        if month and index + 1 != month:
            continue
        try:
            candidate = date(day.year + year, index + 1, dom)
        except ValueError:
            continue
        if candidate >= day:
            return candidate
    return None


def default_find_promise() -> FindPromise | None:
    """``csbridge.standards.promises.find_promise`` with replies stripped of quotes
    and signatures by ``csbridge.standards.text.strip_reply`` when those modules
    are installed; ``None`` when promise detection is not available. The function
    returned has an ``in_context(context, message)`` attribute doing the same for
    a message of the ticket in ``context``, reusing the text work shared there."""
    try:
        promises: Any = importlib.import_module("csbridge.standards.promises")
    except ImportError:
        return None
    find: FindPromise = promises.find_promise
    try:
        text: Any = importlib.import_module("csbridge.standards.text")
        strip: Callable[[str], str] = text.strip_reply
    except (ImportError, AttributeError):
        return find

    def find_stripped(body: str, language: str | None) -> PromiseLike | None:
        return find(strip(body), language)

    find_stripped.in_context = promises.promise_in  # type: ignore[attr-defined]
    return find_stripped


class FollowUpCheck(ContextCheck):
    """The configured check; call it as ``check(ticket, now)``. ``find_promise``
    detects a promise in a message body (``None``: promises are not judged)."""

    def __init__(
        self,
        standard: FollowUpStandard,
        calendar: BusinessCalendar,
        warn_at: float = 0.8,
        find_promise: FindPromise | None = None,
    ) -> None:
        self.standard = standard
        self.calendar = calendar
        self.warn_at = warn_at
        self.include_met = True
        self.find_promise = find_promise if standard.promises else None
        self.promise_in: PromiseIn | None = getattr(self.find_promise, "in_context", None)
        self.business = "" if calendar.is_always else " of business time"

    def check_in(self, context: TicketContext) -> list[Finding | Deadline]:
        """:meth:`__call__` for ``context.ticket`` at ``context.now``, sharing the
        conversation and the messages' text work through ``context``."""
        conversation = context.conversation
        found: list[Finding | Deadline] = []
        if self.find_promise is not None and conversation.agents:
            found += self.promises(conversation, context)
        if self.standard.pending_reminder_after is not None and conversation.status is _PENDING:
            found += self.pending(conversation, self.standard.pending_reminder_after)
        return found

    def promises(self, conversation: Conversation, context: TicketContext | None = None) -> list[Finding | Deadline]:
        """Judge every promise made in a public agent message (``context``: the
        evaluation's shared context, for promise detection that can use it)."""
        assert self.find_promise is not None
        find, promise_in = self.find_promise, self.promise_in if context is not None else None
        messages, agents = conversation.messages, conversation.agents
        found: list[Finding | Deadline] = []
        for i, k in enumerate(agents):
            message = messages[k]
            promise = promise_in(context, message) if promise_in is not None else find(message.body, None)  # type: ignore[arg-type]
            if promise is None:
                continue
            due = promise_due(promise, message.created_at, self.calendar)
            if due is None:
                continue
            made = message.created_at
            later = next((messages[j] for j in agents[i + 1 :] if messages[j].created_at > made), None)
            found += self.judge_promise(conversation, message, promise, due, later, conversation.solves())
        return found

    def judge_promise(
        self,
        conversation: Conversation,
        message: Message,
        promise: PromiseLike,
        due: datetime,
        update: Message | None,
        solves: list[float],
    ) -> list[Finding | Deadline]:
        """The finding and deadline of one promise made in ``message``."""
        ticket = conversation.ticket
        start, due_ts = message.created_at.timestamp(), due.timestamp()
        due_text = format_local(due, self.calendar)
        base = {"source": ticket.source, "ticket_id": ticket.id, "rule": PROMISE, "message_id": message.id}
        agent_id = conversation.agent_id(message)
        said = f'The agent promised "{promise.phrase}"'
        if update is not None and update.created_at.timestamp() <= due_ts:
            if not self.include_met:
                return []
            return [
                Finding(
                    status=FindingStatus.MET,
                    detail=f"{said}, due {due_text}, and wrote again in time.",
                    agent_id=agent_id,
                    due_at=due,
                    **base,
                )
            ]
        if any(start < s <= due_ts for s in solves):
            return []  # solved before the promised time: nothing more is owed
        if update is not None or conversation.now > due_ts:
            late = (
                f"the next update came {self._late(due_ts, update.created_at.timestamp())} late"
                if update is not None
                else "no update has come"
            )
            return [
                Finding(
                    status=FindingStatus.BREACHED,
                    detail=f"{said}, due {due_text}; {late}.",
                    agent_id=agent_id,
                    due_at=due,
                    fix="Write to the customer now with the promised update, and promise only times you can keep.",
                    **base,
                )
            ]
        found: list[Finding | Deadline] = []
        window = self.calendar.elapsed_ts(start, due_ts)
        warn_ts = self.calendar.add_ts(start, window * self.warn_at)
        if conversation.now >= warn_ts:
            found.append(
                Finding(
                    status=FindingStatus.AT_RISK,
                    detail=f"{said}, due {due_text}; no update yet.",
                    agent_id=agent_id,
                    due_at=due,
                    fix=f"Send the customer the promised update before {due_text}.",
                    **base,
                )
            )
        found.append(
            Deadline(
                warn_at=utc(warn_ts),
                due_at=due,
                agent_id=agent_id,
                detail=f'Send the promised update ("{promise.phrase}") by {due_text}.',
                **base,
            )
        )
        return found

    def pending(self, conversation: Conversation, after: timedelta) -> list[Finding | Deadline]:
        """Judge a ticket that is pending at ``now``."""
        ticket = conversation.ticket
        history = conversation.history
        entered = history[-1][0]
        for at, status in reversed(history):
            if status is not _PENDING:
                break
            entered = at
        messages, times = conversation.messages, conversation.times
        customer = Role.CUSTOMER
        if any(t >= entered and m.author.role is customer for m, t in zip(messages, times, strict=True)):
            return []
        agents = conversation.agents
        last = messages[agents[-1]] if agents else None
        start = max(entered, times[agents[-1]]) if agents else entered
        calendar = self.calendar
        limit = after.total_seconds()
        elapsed = round(calendar.elapsed_ts(start, conversation.now), 3)
        due_ts = calendar.add_ts(start, limit)
        if math.isinf(due_ts):
            return []
        due = utc(due_ts)
        due_text = format_local(due, calendar)
        waited = format_duration(timedelta(seconds=elapsed)) + self.business
        detail = (
            f"The ticket has been pending for {waited} without a word from the customer since the agent last wrote; "
            f"the standard is to chase the customer after {format_duration(after)}, due {due_text}."
        )
        message_id = last.id if last is not None else None
        agent_id = conversation.agent_id(last)
        fix = "Ask the customer whether the problem is solved (or what is still missing), or solve the ticket."
        if elapsed > limit:
            return [Finding(ticket.source, ticket.id, PENDING, _BREACHED, detail, agent_id, message_id, due, fix)]
        found: list[Finding | Deadline] = []
        warn_ts = calendar.add_ts(start, limit * self.warn_at)
        if elapsed >= limit * self.warn_at:
            found.append(Finding(ticket.source, ticket.id, PENDING, _AT_RISK, detail, agent_id, message_id, due, fix))
        found.append(
            Deadline(
                ticket.source, ticket.id, PENDING, utc(warn_ts), due, agent_id, message_id,
                f"Chase the customer on this pending ticket by {due_text}.",
            )
        )
        return found

    def _late(self, due_ts: float, at: float) -> str:
        seconds = self.calendar.elapsed_ts(due_ts, at)
        return format_duration(timedelta(seconds=seconds)) + self.business


class FollowUp:
    """The ``follow_up`` standard. ``find_promise`` replaces promise detection
    (tests); by default :func:`default_find_promise` is used."""

    name = "follow_up"

    def __init__(self, find_promise: FindPromise | None = None) -> None:
        self._find_promise = find_promise

    def configure(self, book: StandardsBook) -> Check | None:
        """The follow-up check, or ``None`` without a ``[standards.follow_up]`` section."""
        if book.follow_up is None:
            return None
        warn_at = book.response_time.warn_at if book.response_time is not None else 0.8
        find = self._find_promise or default_find_promise()
        return FollowUpCheck(book.follow_up, calendar_for(book, book.follow_up.calendar), warn_at, find)


@hookimpl
def register_standards(register: Callable[[Any], None]) -> None:
    """Register the built-in ``follow_up`` standard."""
    register(FollowUp())
