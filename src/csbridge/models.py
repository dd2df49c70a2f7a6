"""Domain models: what a helpdesk holds and what csbridge says about it.

Every model is an immutable dataclass. Adapters build :class:`Ticket` objects from
their API's answers; the standards engine turns a ticket into :class:`Finding`
objects; the daemon turns findings into :class:`Note` and :class:`Reminder` actions
that adapters write back. All datetimes are timezone-aware (UTC from adapters).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from types import MemberDescriptorType
from typing import Any


class Role(str, enum.Enum):
    """Who wrote a message."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class Status(str, enum.Enum):
    """A ticket's status in csbridge's words; adapters map their own onto these."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


class Priority(str, enum.Enum):
    """A ticket's priority; standards set one target per priority."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class FindingStatus(str, enum.Enum):
    """``breached``: the standard was not met. ``at_risk``: past ``warn_at`` of a
    target that is still running. ``met``: only reported with ``--all``."""

    BREACHED = "breached"
    AT_RISK = "at_risk"
    MET = "met"


@dataclass(frozen=True, slots=True)
class Person:
    """A customer, an agent or a system user, as the helpdesk knows them."""

    id: str
    role: Role
    name: str = ""
    email: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """One message of a ticket.

    ``public`` messages are seen by the customer; internal notes are not and never
    count as replies. ``body`` is plain text (adapters convert HTML). ``from_csbridge``
    marks csbridge's own notes, which are never judged.
    """

    id: str
    author: Person
    public: bool
    created_at: datetime
    body: str
    from_csbridge: bool = False


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The ticket entered ``status`` at ``at``."""

    at: datetime
    status: Status


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket with every message, oldest first.

    ``source`` is the name of the configured source it came from; ``id`` is the
    helpdesk's own ticket id as a string.
    """

    id: str
    source: str
    subject: str
    status: Status
    priority: Priority
    created_at: datetime
    messages: tuple[Message, ...] = ()
    assignee: Person | None = None
    requester: Person | None = None
    tags: tuple[str, ...] = ()
    status_changes: tuple[StatusChange, ...] = ()
    channel: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, init=False)
class Finding:
    """One shortfall (or, with ``--all``, a met standard) on one ticket.

    ``rule`` is a dotted rule id such as ``response_time.first_reply``;
    ``message_id`` names the message the finding is about (the customer message
    waiting for an answer, or the agent message judged). ``detail`` tells the agent
    in plain words what happened and what the target was; ``fix`` what to do.
    """

    source: str
    ticket_id: str
    rule: str
    status: FindingStatus
    detail: str
    agent_id: str | None = None
    message_id: str | None = None
    due_at: datetime | None = None
    fix: str = ""
    quote: str = ""

    def __init__(self, source: str, ticket_id: str, rule: str, status: FindingStatus, detail: str,
                 agent_id: str | None = None, message_id: str | None = None, due_at: datetime | None = None,
                 fix: str = "", quote: str = "") -> None:
        # what the generated __init__ does, in half the time (see slot_setters)
        _F_SOURCE(self, source)
        _F_TICKET_ID(self, ticket_id)
        _F_RULE(self, rule)
        _F_STATUS(self, status)
        _F_DETAIL(self, detail)
        _F_AGENT_ID(self, agent_id)
        _F_MESSAGE_ID(self, message_id)
        _F_DUE_AT(self, due_at)
        _F_FIX(self, fix)
        _F_QUOTE(self, quote)

    @property
    def key(self) -> str:
        """Identity used to report a finding once: the same shortfall on the same
        message with the same status is the same finding."""
        return f"{self.source}:{self.ticket_id}:{self.rule}:{self.message_id or '-'}:{self.status.value}"


@dataclass(frozen=True, slots=True)
class Note:
    """An internal note for one ticket, with the tags to add.

    ``marker`` is a unique id that the adapter must store with the note in a way
    it can find again (see :mod:`csbridge.marker`); the daemon uses it to make
    writing exactly-once. ``text`` is plain text, ``html`` the same note with all
    quoted customer text escaped.
    """

    source: str
    ticket_id: str
    marker: str
    text: str
    html: str
    tags: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder to the owning agent that a deadline is near.

    Delivered only to ``agent``, never to a customer. ``due_at`` is the deadline,
    ``marker`` the exactly-once id, as for :class:`Note`.
    """

    source: str
    ticket_id: str
    marker: str
    agent: Person | None
    rule: str
    due_at: datetime
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """A target still running on a ticket: the agent owes an answer by ``due_at``.

    The daemon schedules a reminder at ``warn_at`` (the instant ``warn_at`` of the
    target is used up) and drops it when the ticket changes so that the deadline
    is gone or moved.
    """

    source: str
    ticket_id: str
    rule: str
    warn_at: datetime
    due_at: datetime
    agent_id: str | None = None
    message_id: str | None = None
    detail: str = ""

    @property
    def key(self) -> str:
        """Identity of the deadline: one reminder per key."""
        return f"{self.source}:{self.ticket_id}:{self.rule}:{self.message_id or '-'}"


# A frozen dataclass's generated __init__ sets each field through object.__setattr__.
# Setting each slot through its descriptor builds the same object in half the time:
# Finding's __init__ above does so (standards make findings for every judged message,
# 1.7 -> 0.9 us), and so does csbridge.jsonl's fast path for the tickets it reads.
# slot_setters refuses to import when the fields no longer match, so that such code
# cannot drift from the fields.


def slot_setters(cls: type, *names: str) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setters of the frozen slots dataclass ``cls``, one per field.

    ``names`` must be every field of ``cls`` in order, each a slot, and ``cls``
    must have no ``__post_init__`` (else :class:`RuntimeError`): an object made by
    ``object.__new__(cls)`` whose every slot is then set equals ``cls(*values)``.
    """
    slots: list[Any] = [getattr(cls, name, None) for name in names]
    if (
        names != tuple(f.name for f in fields(cls))
        or hasattr(cls, "__post_init__")
        or not all(isinstance(slot, MemberDescriptorType) for slot in slots)
    ):
        raise RuntimeError(f"models: the fields of {cls.__name__} changed; update the code that sets its slots")
    return tuple(slot.__set__ for slot in slots)


(_F_SOURCE, _F_TICKET_ID, _F_RULE, _F_STATUS, _F_DETAIL, _F_AGENT_ID, _F_MESSAGE_ID, _F_DUE_AT, _F_FIX,
 _F_QUOTE) = slot_setters(Finding, "source", "ticket_id", "rule", "status", "detail", "agent_id", "message_id",
                           "due_at", "fix", "quote")
