"""Zendesk JSON to csbridge models. Pure functions; malformed input raises TicketError."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from csbridge.errors import TicketError
from csbridge.jsonl import parse_time
from csbridge.marker import find_marker
from csbridge.models import Message, Person, Priority, Role, Status, StatusChange, Ticket

STATUSES = {
    "new": Status.NEW,
    "open": Status.OPEN,
    "pending": Status.PENDING,
    "hold": Status.ON_HOLD,
    "solved": Status.SOLVED,
    "closed": Status.CLOSED,
}
PRIORITIES = {"low": Priority.LOW, "normal": Priority.NORMAL, "high": Priority.HIGH, "urgent": Priority.URGENT}


def user_role(user: Mapping[str, Any]) -> Role:
    """``end-user`` is a customer, ``agent`` and ``admin`` are agents, anything else is the system."""
    role = user.get("role")
    if role == "end-user":
        return Role.CUSTOMER
    if role in ("agent", "admin"):
        return Role.AGENT
    return Role.SYSTEM


def person(user: Mapping[str, Any]) -> Person:
    """The :class:`Person` of a Zendesk user object."""
    return Person(
        id=str(user["id"]), role=user_role(user), name=str(user.get("name") or ""), email=str(user.get("email") or "")
    )


class _Text(HTMLParser):
    _BREAKS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML comment, one line per block."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def comment_text(comment: Mapping[str, Any]) -> str:
    """The comment as the agent or customer wrote it: ``plain_body`` (``body`` carries
    quoted mail), else the text of ``html_body``, else ``body``."""
    plain = comment.get("plain_body")
    if isinstance(plain, str):
        return plain
    html = comment.get("html_body")
    if isinstance(html, str):
        return html_to_text(html)
    body = comment.get("body")
    return body if isinstance(body, str) else ""


def message(comment: Mapping[str, Any], people: Mapping[str, Person]) -> Message:
    """A comment (from ``/comments.json`` or a ``comment_events`` child event) as a
    :class:`Message`; the author's role comes from ``people`` (unknown: customer)."""
    try:
        author_id = str(comment["author_id"])
        comment_id = str(comment["id"])
    except KeyError as exc:
        raise TicketError(f"comment: missing {exc.args[0]}") from None
    author = people.get(author_id) or Person(id=author_id, role=Role.CUSTOMER)
    text = comment_text(comment)
    return Message(
        id=comment_id,
        author=author,
        public=bool(comment.get("public", True)),
        created_at=parse_time(comment.get("created_at"), f"comment {comment_id}.created_at"),
        body=text,
        from_csbridge=find_marker(text) is not None,
    )


@dataclass
class EventChanges:
    """What one ``ticket_events`` item says about its ticket."""

    ticket_id: str
    at: datetime
    created: bool = False
    comments: list[Mapping[str, Any]] = field(default_factory=list)
    status: Status | None = None


def ticket_event(event: Mapping[str, Any]) -> EventChanges:
    """Read one item of the incremental ticket events export (with ``comment_events``)."""
    try:
        ticket_id = str(event["ticket_id"])
    except KeyError:
        raise TicketError("ticket event: missing ticket_id") from None
    if "created_at" in event:
        at = parse_time(event["created_at"], "ticket event created_at")
    else:
        at = datetime.fromtimestamp(int(event.get("timestamp", 0)), UTC)
    changes = EventChanges(ticket_id, at)
    for child in event.get("child_events") or []:
        if not isinstance(child, Mapping):
            continue
        kind = child.get("event_type") or child.get("type")
        if kind == "Create":
            changes.created = True
        if kind == "Comment" and "author_id" in child:
            changes.comments.append({"created_at": event.get("created_at"), **child})
        raw_status = child.get("status")
        if kind in ("Create", "Change") and isinstance(raw_status, str) and raw_status in STATUSES:
            changes.status = STATUSES[raw_status]
    return changes


def ticket(
    data: Mapping[str, Any],
    *,
    source: str,
    messages: tuple[Message, ...],
    status_changes: tuple[StatusChange, ...],
    people: Mapping[str, Person],
) -> Ticket:
    """A ticket object of the API with its messages as a :class:`Ticket`.

    Raises :class:`TicketError` naming the field when the object is unusable.
    """
    if not isinstance(data, Mapping):
        raise TicketError("ticket: expected a JSON object")
    raw_id = data.get("id")
    if not isinstance(raw_id, int) or isinstance(raw_id, bool):
        raise TicketError(f"ticket id: expected an integer, got {raw_id!r}")
    raw_status = data.get("status")
    if raw_status not in STATUSES:
        raise TicketError(f"ticket {raw_id} status: unknown value {raw_status!r}")
    raw_priority = data.get("priority")
    if raw_priority is not None and raw_priority not in PRIORITIES:
        raise TicketError(f"ticket {raw_id} priority: unknown value {raw_priority!r}")
    tags = data.get("tags") or []
    if not isinstance(tags, list):
        raise TicketError(f"ticket {raw_id} tags: expected a list")
    via = data.get("via")
    return Ticket(
        id=str(raw_id),
        source=source,
        subject=str(data.get("subject") or ""),
        status=STATUSES[raw_status],
        priority=PRIORITIES[raw_priority] if raw_priority else Priority.NORMAL,
        created_at=parse_time(data.get("created_at"), f"ticket {raw_id} created_at"),
        messages=tuple(sorted(messages, key=lambda m: (m.created_at, int(m.id) if m.id.isdigit() else 0))),
        assignee=_someone(data.get("assignee_id"), people, Role.AGENT),
        requester=_someone(data.get("requester_id"), people, Role.CUSTOMER),
        tags=tuple(str(t) for t in tags),
        status_changes=status_changes,
        channel=str(via.get("channel") or "") if isinstance(via, Mapping) else "",
        updated_at=parse_time(data["updated_at"], f"ticket {raw_id} updated_at") if data.get("updated_at") else None,
    )


def _someone(user_id: Any, people: Mapping[str, Person], role: Role) -> Person | None:
    if user_id is None:
        return None
    return people.get(str(user_id)) or Person(id=str(user_id), role=role)


def job_results(job: Mapping[str, Any]) -> dict[str, tuple[bool, str]]:
    """Per ticket id of a finished bulk-update job: (success, error text)."""
    out: dict[str, tuple[bool, str]] = {}
    results = job.get("results")
    if not isinstance(results, list):
        return out
    for result in results:
        if not isinstance(result, Mapping) or "id" not in result:
            continue
        ok = bool(result.get("success", "error" not in result))
        error = " ".join(str(result[k]) for k in ("error", "details") if result.get(k))
        out[str(result["id"])] = (ok, error)
    return out
