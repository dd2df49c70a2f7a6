"""One conversation's records to a csbridge :class:`~csbridge.models.Ticket`.

Mail has no status or priority, so both are derived: a ticket is *open* while a
customer message is unanswered (and not flagged \\Answered), *pending* after an
agent reply that asks the customer something, and *solved* once nothing was
written for ``solved_after``. Priority and the owner come from config rules;
the owner is otherwise the configured agent who answered last.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from csbridge.models import Message, Person, Priority, Role, Status, StatusChange, Ticket
from csbridge_email_imap.index import Record
from csbridge_email_imap.settings import ImapSettings

Stripper = Callable[[str], str]
KEYWORD_PREFIX = "$csb"
_QUESTION = re.compile(r"[?¿？]")


def _fallback_strip(body: str) -> str:
    """Quoted lines and a ``-- `` signature removed (used until the core's stripping exists)."""
    kept: list[str] = []
    for line in body.splitlines():
        if line.rstrip() == "--":
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def load_stripper() -> Stripper:
    """The core's ``csbridge.standards.text.strip_reply`` when installed, else a simple fallback."""
    try:
        from csbridge.standards.text import strip_reply
    except ImportError:
        return _fallback_strip
    return strip_reply  # type: ignore[no-any-return]


def author_of(record: Record, settings: ImapSettings, sent_folder: str | None) -> Person:
    """Who wrote ``record``: a configured agent, the team (a support address or the
    sent folder), csbridge (the notes folder) or a customer."""
    assert record.headers is not None
    sender = record.headers.from_addr
    if record.folder == settings.notes_folder:
        return Person("csbridge", Role.SYSTEM, "csbridge", sender)
    agent = settings.agents.get(sender)
    if agent is not None:
        return Person(agent.id, Role.AGENT, agent.name, agent.email)
    if sender in settings.support_addresses or record.folder == sent_folder:
        return Person(sender, Role.AGENT, record.headers.from_name, sender)
    return Person(sender, Role.CUSTOMER, record.headers.from_name, sender)


def build_ticket(
    ticket_id: str,
    records: Sequence[Record],
    settings: ImapSettings,
    source: str,
    now: datetime,
    sent_folder: str | None,
) -> Ticket | None:
    """The ticket of ``records`` (one conversation, bodies read), or ``None`` when
    nothing in it can be judged (only auto-replies or notes). Copies of one
    Message-ID in several folders count once; auto-replies are left out."""
    seen: set[str] = set()
    chosen: list[tuple[Record, Person]] = []
    for record in sorted(records, key=lambda r: (r.headers.date if r.headers else now, r.folder != sent_folder)):
        headers = record.headers
        note = record.folder == settings.notes_folder
        if headers is None or record.malformed or (headers.auto and not note) or headers.message_id in seen:
            continue
        seen.add(headers.message_id)
        chosen.append((record, author_of(record, settings, sent_folder)))
    public = [(r, p) for r, p in chosen if p.role is not Role.SYSTEM]
    if not public:
        return None
    messages = tuple(
        Message(
            id=r.headers.message_id if r.headers else "",
            author=p,
            public=p.role is not Role.SYSTEM,
            created_at=r.headers.date if r.headers else now,
            body=r.text or "",
            from_csbridge=p.role is Role.SYSTEM,
        )
        for r, p in chosen
    )
    first, _first_person = public[0]
    assert first.headers is not None
    customers = [p for _, p in public if p.role is Role.CUSTOMER]
    agents = [p for _, p in public if p.role is Role.AGENT and p.email in settings.agents]
    subject = first.headers.subject
    requester = customers[0] if customers else None
    assignee = agents[-1] if agents else _assigned(settings, requester, subject)
    changes, status = _statuses(public, settings, now)
    tags = sorted(
        {flag.decode()[1:] for r, _ in chosen for flag in r.flags if flag.decode(errors="replace").startswith(KEYWORD_PREFIX)}
    )
    return Ticket(
        id=ticket_id,
        source=source,
        subject=subject,
        status=status,
        priority=_priority(settings, requester, subject),
        created_at=first.headers.date,
        messages=messages,
        assignee=assignee,
        requester=requester,
        tags=tuple(tags),
        status_changes=tuple(changes),
        channel="email",
        updated_at=max(m.created_at for m in messages),
    )


def _statuses(
    public: Sequence[tuple[Record, Person]], settings: ImapSettings, now: datetime
) -> tuple[list[StatusChange], Status]:
    changes: list[StatusChange] = []
    for record, person in public:
        assert record.headers is not None
        if person.role is Role.CUSTOMER:
            status = Status.PENDING if b"\\Answered" in record.flags and record is public[-1][0] else Status.OPEN
        else:
            status = Status.PENDING if _QUESTION.search(record.text or "") else Status.OPEN
        if not changes:
            status = Status.NEW if person.role is Role.CUSTOMER and status is Status.OPEN else status
        if not changes or changes[-1].status is not status:
            changes.append(StatusChange(record.headers.date, status))
    last = public[-1][0].headers
    assert last is not None
    if now - last.date >= settings.solved_after:
        changes.append(StatusChange(last.date + settings.solved_after, Status.SOLVED))
    return changes, changes[-1].status


def _priority(settings: ImapSettings, requester: Person | None, subject: str) -> Priority:
    sender = requester.email if requester else ""
    for rule in settings.priority_rules:
        if rule.matches(sender, subject):
            return Priority(rule.value)
    return settings.default_priority


def _assigned(settings: ImapSettings, requester: Person | None, subject: str) -> Person | None:
    sender = requester.email if requester else ""
    for rule in settings.assign_rules:
        if rule.matches(sender, subject):
            agent = settings.agents.get(rule.value)
            if agent is not None:
                return Person(agent.id, Role.AGENT, agent.name, agent.email)
    return None
