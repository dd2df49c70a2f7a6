"""Freshdesk API v2 JSON to csbridge models, and back for the few things written.

Pure functions, no I/O: the adapter hands in the ticket from the tickets list
(with ``include=requester,stats,description``), its conversations and the cached
agents. A value that cannot be read raises :class:`~csbridge.errors.TicketError`
naming the field, so one bad ticket is skipped and the page goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from csbridge.errors import TicketError
from csbridge.jsonl import parse_time as iso_time
from csbridge.marker import find_marker
from csbridge.models import Message, Person, Priority, Role, Status, StatusChange, Ticket

STATUSES: Mapping[int, Status] = {2: Status.OPEN, 3: Status.PENDING, 4: Status.SOLVED, 5: Status.CLOSED}
PRIORITIES: Mapping[int, Priority] = {1: Priority.LOW, 2: Priority.NORMAL, 3: Priority.HIGH, 4: Priority.URGENT}
CHANNELS: Mapping[int, str] = {
    0: "email",
    1: "email",
    2: "portal",
    3: "phone",
    7: "chat",
    9: "feedback_widget",
    10: "outbound_email",
}
OUTBOUND_EMAIL = 10
DESCRIPTION_ID = "description"


def parse_time(value: Any, field: str) -> datetime:
    """An ISO-8601 instant from the API (``Z`` or an offset) as an aware UTC datetime;
    :class:`TicketError` naming ``field`` otherwise."""
    return iso_time(value, field).astimezone(UTC)


def format_time(value: datetime) -> str:
    """The API's time format: UTC, whole seconds, ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id(data: Mapping[str, Any], key: str, field: str) -> str:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise TicketError(f"{field}{key}: expected an id, got {type(value).__name__}")
    return str(value)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def agent_person(data: Mapping[str, Any]) -> Person:
    """An agent of ``GET /api/v2/agents`` (``{"id", "contact": {"name", "email"}}``)."""
    contact = data.get("contact")
    contact = contact if isinstance(contact, dict) else {}
    return Person(id=_id(data, "id", "agent."), role=Role.AGENT, name=_text(contact, "name"), email=_text(contact, "email"))


def status_of(number: Any, custom: Mapping[int, Status]) -> Status:
    """Freshdesk's status number in csbridge's words: 2 open, 3 pending, 4 resolved
    (solved), 5 closed; other numbers are custom statuses looked up in ``custom``.
    An unmapped custom status counts as ``open`` so that targets keep running."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TicketError(f"status: expected a number, got {type(number).__name__}")
    return STATUSES.get(number) or custom.get(number, Status.OPEN)


def priority_of(number: Any) -> Priority:
    """Freshdesk's priority 1-4 as low, normal (Freshdesk's "medium"), high, urgent."""
    if number not in PRIORITIES:
        raise TicketError(f"priority: unknown value {number!r} (expected 1, 2, 3 or 4)")
    return PRIORITIES[number]


def message_of(
    conversation: Mapping[str, Any],
    agents: Mapping[str, Person],
    requester: Person | None,
    where: str = "conversation",
) -> Message:
    """One conversation as a message.

    The author is an agent when ``user_id`` is one of the account's agents, whatever
    ``incoming`` says (notes can be created with ``incoming: true``); otherwise the
    requester when the ids match, otherwise a customer (a cc'd contact) for an
    incoming message and an agent (one no longer listed) for an outgoing one.
    """
    if not isinstance(conversation, dict):
        raise TicketError(f"{where}: expected an object")
    user_id = _id(conversation, "user_id", f"{where}.")
    body = _text(conversation, "body_text")
    if user_id in agents:
        author = agents[user_id]
    elif requester is not None and requester.id == user_id:
        author = requester
    else:
        incoming = bool(conversation.get("incoming", False))
        author = Person(id=user_id, role=Role.CUSTOMER if incoming else Role.AGENT)
    return Message(
        id=_id(conversation, "id", f"{where}."),
        author=author,
        public=not bool(conversation.get("private", False)),
        created_at=parse_time(conversation.get("created_at"), f"{where}.created_at"),
        body=body,
        from_csbridge=find_marker(body) is not None or find_marker(_text(conversation, "body")) is not None,
    )


def requester_of(ticket: Mapping[str, Any]) -> Person:
    """The requester from ``include=requester``, else a bare customer by ``requester_id``."""
    embedded = ticket.get("requester")
    if isinstance(embedded, dict) and embedded.get("id") is not None:
        return Person(
            id=_id(embedded, "id", "requester."),
            role=Role.CUSTOMER,
            name=_text(embedded, "name"),
            email=_text(embedded, "email"),
        )
    return Person(id=_id(ticket, "requester_id", ""), role=Role.CUSTOMER)


def ticket_of(
    data: Mapping[str, Any],
    conversations: Sequence[Mapping[str, Any]],
    agents: Mapping[str, Person],
    *,
    source: str,
    custom_statuses: Mapping[int, Status] | None = None,
) -> Ticket:
    """A :class:`Ticket` from a ticket of the list and its conversations.

    The description is the first message (the customer's, or the assignee's for an
    outbound e-mail); conversations follow, oldest first. ``stats.status_updated_at``
    gives the one status change the API knows.
    """
    if not isinstance(data, dict):
        raise TicketError("expected a ticket object")
    ticket_id = _id(data, "id", "")
    created_at = parse_time(data.get("created_at"), "created_at")
    requester = requester_of(data)
    responder = data.get("responder_id")
    assignee = None
    if responder is not None:
        assignee = agents.get(str(responder)) or Person(id=str(responder), role=Role.AGENT)
    status = status_of(data.get("status"), custom_statuses or {})
    messages: list[Message] = []
    description = _text(data, "description_text")
    if description or _text(data, "description"):
        author = requester
        if data.get("source") == OUTBOUND_EMAIL and assignee is not None:
            author = assignee
        messages.append(
            Message(
                id=DESCRIPTION_ID,
                author=author,
                public=True,
                created_at=created_at,
                body=description,
                from_csbridge=find_marker(description) is not None,
            )
        )
    for i, conversation in enumerate(conversations):
        messages.append(message_of(conversation, agents, requester, f"conversations[{i}]"))
    messages.sort(key=lambda m: m.created_at)
    stats = data.get("stats")
    changes: tuple[StatusChange, ...] = ()
    if isinstance(stats, dict) and stats.get("status_updated_at"):
        changes = (StatusChange(parse_time(stats["status_updated_at"], "stats.status_updated_at"), status),)
    tags = data.get("tags") or []
    if not isinstance(tags, list):
        raise TicketError("tags: expected a list")
    source_number = data.get("source")
    return Ticket(
        id=ticket_id,
        source=source,
        subject=_text(data, "subject"),
        status=status,
        priority=priority_of(data.get("priority")),
        created_at=created_at,
        messages=tuple(messages),
        assignee=assignee,
        requester=requester,
        tags=tuple(str(t) for t in tags),
        status_changes=changes,
        channel=CHANNELS.get(source_number, "") if isinstance(source_number, int) else "",
        updated_at=parse_time(data.get("updated_at"), "updated_at"),
    )


def error_text(status: int, body: Any) -> str:
    """Freshdesk's error body (``{"description", "errors": [{"field", "message", "code"}]}``)
    as one line: ``field: message`` for each error, else the description or code."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            parts = []
            for error in errors:
                if isinstance(error, dict):
                    field = error.get("field") or error.get("code") or "error"
                    parts.append(f"{field}: {error.get('message', '')}".strip())
            if parts:
                return "; ".join(parts)
        for key in ("description", "message", "code"):
            if isinstance(body.get(key), str) and body[key]:
                return f"{body[key]} (HTTP {status})"
    return f"HTTP {status}"
