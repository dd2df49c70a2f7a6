"""The JSON forms of tickets and findings used by ``csbridge evaluate``.

Tickets are read one JSON object a line; unknown keys are ignored. A ticket that
cannot be built raises :class:`~csbridge.errors.TicketError` naming the field.
"""

from __future__ import annotations

import io
import json
import operator
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import IO, Any

from csbridge.errors import TicketError
from csbridge.models import (
    Finding,
    FindingStatus,
    Message,
    Person,
    Priority,
    Role,
    Status,
    StatusChange,
    Ticket,
    slot_setters,
)

FIRST_YEAR, LAST_YEAR = 1970, 2199
"""Times outside these years are refused as malformed: a helpdesk has none, and
business time from year 1 or 9999 would walk millions of calendar days."""


def parse_time(value: Any, field: str) -> datetime:
    """An ISO-8601 instant; a naive one is taken as UTC. Raises :class:`TicketError`
    naming ``field`` for anything else, or a year outside FIRST_YEAR..LAST_YEAR."""
    if not isinstance(value, str):
        raise TicketError(f"{field}: expected an ISO-8601 time, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise TicketError(f"{field}: bad time {value!r} (expected ISO-8601 such as 2026-11-02T08:15:00Z)") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise TicketError(f"{field}: time {value!r} is out of range (years {FIRST_YEAR}-{LAST_YEAR})")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_time(value: datetime) -> str:
    """UTC, seconds precision, ``Z`` suffix: ``strftime("%Y-%m-%dT%H:%M:%SZ")`` of
    ``value`` in UTC (a naive ``value`` is taken as local time)."""
    utc = value.astimezone(UTC)
    if utc.year >= 1000:  # isoformat is twice as fast; strftime's %Y pads no year below 1000 on glibc
        return utc.isoformat(timespec="seconds")[:19] + "Z"
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def _str(data: Mapping[str, Any], key: str, field: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        raise TicketError(f"{field}{key}: missing")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise TicketError(f"{field}{key}: expected a string, got {type(value).__name__}")
    return value


def _person(data: Any, field: str, role: Role) -> Person | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TicketError(f"{field}: expected an object")
    raw_role = data.get("role", role.value)
    try:
        person_role = Role(raw_role)
    except ValueError:
        raise TicketError(f"{field}.role: unknown role {raw_role!r} (expected customer, agent or system)") from None
    return Person(
        id=_str(data, "id", f"{field}."),
        role=person_role,
        name=_str(data, "name", f"{field}.", ""),
        email=_str(data, "email", f"{field}.", ""),
    )


def _enum(kind: Any, value: Any, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise TicketError(f"{field}: unknown value {value!r} (expected one of {allowed})") from None


_ROLES = {r.value: r for r in Role}
_STATUSES = {s.value: s for s in Status}
_PRIORITIES = {p.value: p for p in Priority}

# A frozen dataclass's __init__ sets each field through object.__setattr__ (a Message
# takes about 1 us). The fast path builds the same objects in half the time by
# setting each slot through its descriptor; models.slot_setters refuses to import if a
# model's fields or layout change, so the two ways cannot drift apart.
_new = object.__new__
_BY_CREATED_AT = operator.attrgetter("created_at")
_BY_AT = operator.attrgetter("at")


_M_ID, _M_AUTHOR, _M_PUBLIC, _M_CREATED_AT, _M_BODY, _M_FROM_CSBRIDGE = slot_setters(
    Message, "id", "author", "public", "created_at", "body", "from_csbridge")
_C_AT, _C_STATUS = slot_setters(StatusChange, "at", "status")
(_T_ID, _T_SOURCE, _T_SUBJECT, _T_STATUS, _T_PRIORITY, _T_CREATED_AT, _T_MESSAGES, _T_ASSIGNEE, _T_REQUESTER,
 _T_TAGS, _T_STATUS_CHANGES, _T_CHANNEL, _T_UPDATED_AT) = slot_setters(
    Ticket, "id", "source", "subject", "status", "priority", "created_at", "messages", "assignee", "requester",
    "tags", "status_changes", "channel", "updated_at")


def _fast_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:  # the careful path says why
        raise ValueError("out of range")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# People recur across tickets (agents above all): one Person object per distinct
# (id, role, name, email) saves building it again and memory. Bounded: emptied when full.
_PERSONS: dict[tuple[str, str, str, str], Person] = {}
_PERSONS_MAX = 8192


def _fast_person(data: dict[str, Any] | None, role: str) -> Person | None:
    if data is None:
        return None
    key = (data["id"], data.get("role", role), data.get("name", ""), data.get("email", ""))
    person = _PERSONS.get(key)
    if person is None:  # only all-string keys are stored, so a hit is the plain form too
        pid, role, name, email = key
        if type(pid) is not str or type(name) is not str or type(email) is not str:
            raise TypeError("not the plain form")
        person = Person(pid, _ROLES[role], name, email)
        if len(_PERSONS) >= _PERSONS_MAX:
            _PERSONS.clear()
        _PERSONS[key] = person
    return person


def _fast_message(raw: dict[str, Any], index: int) -> Message:
    body = raw.get("body", "")
    mid = raw["id"] if "id" in raw else str(index)
    if type(body) is not str or type(mid) is not str:
        raise TypeError("not the plain form")
    created_at = _fast_time(raw["created_at"])
    message = _new(Message)
    _M_ID(message, mid)
    author = _fast_person(raw["author"], "customer")
    if author is None:  # the careful path says "author: missing"
        raise TypeError("not the plain form")
    _M_AUTHOR(message, author)
    _M_PUBLIC(message, bool(raw.get("public", True)))
    _M_CREATED_AT(message, created_at)
    _M_BODY(message, body)
    _M_FROM_CSBRIDGE(message, bool(raw.get("from_csbridge", False)))
    return message


def _fast_ticket(data: dict[str, Any]) -> Ticket:
    """The common, well-formed case without the per-field checks; raises on anything
    unusual, and :func:`ticket_from_dict` then takes the careful path."""
    raw_messages = data.get("messages", [])
    if type(raw_messages) is not list:  # the careful path says "expected a list" (also of an empty {} or "")
        raise TypeError("not the plain form")
    messages = [_fast_message(raw, i) for i, raw in enumerate(raw_messages)]
    messages.sort(key=_BY_CREATED_AT)
    changes = []
    raw_changes = data.get("status_changes") or []
    if type(raw_changes) is not list:
        raise TypeError("not the plain form")
    for raw in raw_changes:
        change = _new(StatusChange)
        _C_AT(change, _fast_time(raw["at"]))
        _C_STATUS(change, _STATUSES[raw["status"]])
        changes.append(change)
    changes.sort(key=_BY_AT)
    tid, source, subject, channel = data["id"], data.get("source", ""), data.get("subject", ""), data.get("channel", "")
    tags = data.get("tags") or []
    if type(tid) is not str or type(source) is not str or type(subject) is not str or type(channel) is not str \
            or type(tags) is not list:
        raise TypeError("not the plain form")
    updated = data.get("updated_at")
    ticket = _new(Ticket)
    _T_ID(ticket, tid)
    _T_SOURCE(ticket, source)
    _T_SUBJECT(ticket, subject)
    _T_STATUS(ticket, _STATUSES[data.get("status", "open")])
    _T_PRIORITY(ticket, _PRIORITIES[data.get("priority") or "normal"])
    _T_CREATED_AT(ticket, _fast_time(data["created_at"]))
    _T_MESSAGES(ticket, tuple(messages))
    _T_ASSIGNEE(ticket, _fast_person(data.get("assignee"), "agent"))
    _T_REQUESTER(ticket, _fast_person(data.get("requester"), "customer"))
    _T_TAGS(ticket, tuple(map(str, tags)))
    _T_STATUS_CHANGES(ticket, tuple(changes))
    _T_CHANNEL(ticket, channel)
    _T_UPDATED_AT(ticket, _fast_time(updated) if updated else None)
    return ticket


def ticket_from_dict(data: Any) -> Ticket:
    """Build a :class:`Ticket` from the documented JSON object.

    Raises :class:`TicketError` naming the field when ``data`` is not a valid ticket.
    """
    if isinstance(data, dict):
        try:
            return _fast_ticket(data)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # the careful path below says what is wrong, or accepts the unusual form
    return _careful_ticket(data)


def _careful_ticket(data: Any) -> Ticket:
    if not isinstance(data, dict):
        raise TicketError("expected a JSON object")
    messages = []
    raw_messages = data.get("messages", [])
    if not isinstance(raw_messages, list):
        raise TicketError("messages: expected a list")
    for i, raw in enumerate(raw_messages):
        where = f"messages[{i}]"
        if not isinstance(raw, dict):
            raise TicketError(f"{where}: expected an object")
        author = _person(raw.get("author"), f"{where}.author", Role.CUSTOMER)
        if author is None:
            raise TicketError(f"{where}.author: missing")
        messages.append(
            Message(
                id=_str(raw, "id", f"{where}.", str(i)),
                author=author,
                public=bool(raw.get("public", True)),
                created_at=parse_time(raw.get("created_at"), f"{where}.created_at"),
                body=_str(raw, "body", f"{where}.", ""),
                from_csbridge=bool(raw.get("from_csbridge", False)),
            )
        )
    messages.sort(key=_BY_CREATED_AT)
    changes = []
    raw_changes = data.get("status_changes") or []
    if isinstance(raw_changes, int | float):  # a string or an object is reported item by item below
        raise TicketError("status_changes: expected a list")
    for i, raw in enumerate(raw_changes):
        if not isinstance(raw, dict):
            raise TicketError(f"status_changes[{i}]: expected an object")
        changes.append(
            StatusChange(
                at=parse_time(raw.get("at"), f"status_changes[{i}].at"),
                status=_enum(Status, raw.get("status"), f"status_changes[{i}].status"),
            )
        )
    changes.sort(key=_BY_AT)
    tags = data.get("tags") or []
    if not isinstance(tags, list):
        raise TicketError("tags: expected a list")
    return Ticket(
        id=_str(data, "id", ""),
        source=_str(data, "source", "", ""),
        subject=_str(data, "subject", "", ""),
        status=_enum(Status, data.get("status", "open"), "status"),
        priority=_enum(Priority, data.get("priority") or "normal", "priority"),
        created_at=parse_time(data.get("created_at"), "created_at"),
        messages=tuple(messages),
        assignee=_person(data.get("assignee"), "assignee", Role.AGENT),
        requester=_person(data.get("requester"), "requester", Role.CUSTOMER),
        tags=tuple(str(t) for t in tags),
        status_changes=tuple(changes),
        channel=_str(data, "channel", "", ""),
        updated_at=parse_time(data["updated_at"], "updated_at") if data.get("updated_at") else None,
    )


def ticket_to_dict(ticket: Ticket) -> dict[str, Any]:
    """The JSON object of ``ticket`` (the inverse of :func:`ticket_from_dict`)."""

    def person(p: Person | None) -> dict[str, str] | None:
        return None if p is None else {"id": p.id, "role": p.role.value, "name": p.name, "email": p.email}

    return {
        "id": ticket.id,
        "source": ticket.source,
        "subject": ticket.subject,
        "status": ticket.status.value,
        "priority": ticket.priority.value,
        "channel": ticket.channel,
        "created_at": format_time(ticket.created_at),
        **({"updated_at": format_time(ticket.updated_at)} if ticket.updated_at else {}),
        "assignee": person(ticket.assignee),
        "requester": person(ticket.requester),
        "tags": list(ticket.tags),
        "status_changes": [{"at": format_time(c.at), "status": c.status.value} for c in ticket.status_changes],
        "messages": [
            {
                "id": m.id,
                "author": person(m.author),
                "public": m.public,
                "created_at": format_time(m.created_at),
                "body": m.body,
                **({"from_csbridge": True} if m.from_csbridge else {}),
            }
            for m in ticket.messages
        ],
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """The documented JSON object of a finding."""
    return {
        "source": finding.source,
        "ticket_id": finding.ticket_id,
        "rule": finding.rule,
        "status": finding.status.value,
        "agent_id": finding.agent_id,
        "message_id": finding.message_id,
        "due_at": format_time(finding.due_at) if finding.due_at else None,
        "detail": finding.detail,
        "fix": finding.fix,
    }


_STATUS_JSON = {status: encode_basestring(status.value) for status in FindingStatus}


def finding_to_json(finding: Finding) -> str:
    """``json.dumps(finding_to_dict(finding), ensure_ascii=False)``, the same
    characters, written directly (the CLI prints one a finding)."""
    agent, message, due = finding.agent_id, finding.message_id, finding.due_at
    # a formatted time has only digits, "-", ":", "T" and "Z": nothing to escape
    due_json = "null" if due is None else f'"{format_time(due)}"'
    return (
        f'{{"source": {encode_basestring(finding.source)}, "ticket_id": {encode_basestring(finding.ticket_id)}, '
        f'"rule": {encode_basestring(finding.rule)}, "status": {_STATUS_JSON[finding.status]}, '
        f'"agent_id": {"null" if agent is None else encode_basestring(agent)}, '
        f'"message_id": {"null" if message is None else encode_basestring(message)}, '
        f'"due_at": {due_json}, '
        f'"detail": {encode_basestring(finding.detail)}, "fix": {encode_basestring(finding.fix)}}}'
    )


def _fast_loads() -> Callable[[str | bytes], Any] | None:
    """orjson's ``loads`` when orjson is installed (several times faster than
    ``json``), else ``None``."""
    try:
        import orjson
    except ImportError:
        return None
    loads: Callable[[str | bytes], Any] = orjson.loads
    return loads


def _lines(stream: IO[str] | IO[bytes]) -> Iterator[str | bytes]:
    """The lines of ``stream`` as ``open(path, encoding="utf-8")`` gives them.

    A text stream's lines as they are. A binary stream's line is given as bytes
    when it has no carriage return (then it is the same text, still encoded: orjson
    reads UTF-8 itself, so the usual line is never decoded); one with a carriage
    return is decoded and split as universal newlines do (``\r``, ``\r\n`` and
    ``\n`` end a line, each read as ``\n``). Invalid UTF-8 raises
    :class:`UnicodeDecodeError`, as reading the text file does.
    """
    for line in stream:
        if type(line) is bytes and b"\r" in line:
            yield from io.StringIO(line.decode("utf-8"), newline=None)
        else:
            yield line


def read_tickets(stream: IO[str] | IO[bytes], errors: list[str]) -> Iterator[Ticket]:
    """Yield tickets from a JSON Lines stream, one at a time (constant memory).

    A line that is not a valid ticket is described in ``errors`` as
    ``line N: problem`` and skipped; blank lines are ignored. ``stream`` is text,
    or binary UTF-8 (faster, read exactly as the file opened as UTF-8 text; see
    :func:`_lines`). When orjson is installed it reads the lines that take the fast
    path of :func:`ticket_from_dict`; any other line (orjson is stricter, and reads
    integers beyond 64 bits as floats) is read again by ``json``, so results and
    messages are those of ``json``.
    """
    fast = _fast_loads()
    for number, line in enumerate(_lines(stream), start=1):
        if fast is not None:
            try:  # a blank line is not valid JSON either, so it is not read here
                yield _fast_ticket(fast(line))
                continue
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # orjson.JSONDecodeError is a ValueError: json says what is wrong
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        if not text.strip():
            continue
        try:
            yield ticket_from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            errors.append(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})")
        except TicketError as exc:
            errors.append(f"line {number}: {exc}")
