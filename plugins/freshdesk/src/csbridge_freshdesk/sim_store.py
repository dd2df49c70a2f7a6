"""The simulator's helpdesk in memory: tickets, conversations, agents, contacts, tags.

Records are compact (slots) and rendered to Freshdesk's JSON shapes (those of
``shared/fixtures/freshdesk``) only when answered, so a 30,000-ticket helpdesk
stays small. :meth:`Store.seed` turns csbridge :class:`~csbridge.models.Ticket`
models into Freshdesk records: the first message becomes the description, the
rest conversations; customers become contacts and agents agents.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csbridge.models import Priority, Role, Status, Ticket
from csbridge_freshdesk.mapping import format_time

STATUS_NUMBERS = {Status.NEW: 2, Status.OPEN: 2, Status.PENDING: 3, Status.ON_HOLD: 7, Status.SOLVED: 4, Status.CLOSED: 5}
PRIORITY_NUMBERS = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 3, Priority.URGENT: 4}
PRIORITY_NAMES = {1: "Low", 2: "Medium", 3: "High", 4: "Urgent"}
STATUS_CHOICES = {
    "2": ["Open", "Being Processed"],
    "3": ["Pending", "Awaiting your Reply"],
    "4": ["Resolved", "This ticket has been Resolved"],
    "5": ["Closed", "This ticket has been Closed"],
    "6": ["Waiting on Customer", "Awaiting your Reply"],
    "7": ["Waiting on Third Party", "Being Processed"],
}
_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|blockquote|tr|ul|ol)>", re.IGNORECASE)


def to_html(text: str) -> str:
    """Plain text as Freshdesk stores it: escaped, lines as ``<br>``, in a ``div``."""
    return "<div>" + html.escape(text).replace("\n", "<br>") + "</div>"


def to_text(body: str) -> str:
    """Freshdesk's ``body_text`` of an HTML body: tags dropped, entities unescaped."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", body))).strip()


@dataclass(slots=True)
class Person:
    """An agent or a contact."""

    id: int
    name: str
    email: str
    created_at: datetime


@dataclass(slots=True)
class Conversation:
    """A reply, note or incoming message of a ticket."""

    id: int
    ticket_id: int
    user_id: int
    body: str
    body_text: str
    private: bool
    incoming: bool
    source: int
    created_at: datetime
    to_emails: list[str] = field(default_factory=list)
    from_email: str | None = None
    category: int = 3


@dataclass(slots=True)
class SimTicket:
    """A ticket and its stats."""

    id: int
    subject: str
    description: str
    description_text: str
    status: int
    priority: int
    source: int
    requester_id: int
    responder_id: int | None
    created_at: datetime
    updated_at: datetime
    tags: list[str] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    agent_responded_at: datetime | None = None
    requester_responded_at: datetime | None = None
    first_responded_at: datetime | None = None
    status_updated_at: datetime | None = None
    deleted: bool = False


def _t(value: datetime | None) -> str | None:
    return format_time(value) if value else None


class Store:
    """All records; callers hold the simulator's lock."""

    def __init__(self) -> None:
        self.tickets: dict[int, SimTicket] = {}
        self.agents: dict[int, Person] = {}
        self.contacts: dict[int, Person] = {}
        self._ids: dict[tuple[str, str], int] = {}
        self._next = itertools.count(1000)
        self._next_conversation = itertools.count(5_000_000)

    # -- ids -------------------------------------------------------------------

    def number(self, kind: str, key: str) -> int:
        """The integer id of ``key`` (a csbridge id): itself when numeric, else a new one."""
        found = self._ids.get((kind, key))
        if found is None:
            found = int(key) if key.isdigit() else next(self._next)
            self._ids[(kind, key)] = found
        return found

    def ticket(self, ticket_id: str | int) -> SimTicket:
        """The ticket (KeyError when absent or deleted)."""
        number = ticket_id if isinstance(ticket_id, int) else self.number("ticket", str(ticket_id))
        ticket = self.tickets[number]
        if ticket.deleted:
            raise KeyError(number)
        return ticket

    # -- seeding -----------------------------------------------------------------

    def seed(self, tickets: Iterable[Ticket]) -> None:
        """Add csbridge tickets with their people, messages and tags."""
        for ticket in tickets:
            self.add(ticket)

    def _person(self, person: Any, when: datetime) -> int:
        table = self.agents if person.role == Role.AGENT else self.contacts
        number = self.number("agent" if person.role == Role.AGENT else "contact", person.id)
        if number not in table:
            email = person.email or f"user{number}@example.com"
            table[number] = Person(number, person.name or f"User {number}", email, when)
        return number

    def add(self, ticket: Ticket) -> SimTicket:
        number = self.number("ticket", ticket.id)
        requester = ticket.requester or next((m.author for m in ticket.messages if m.author.role == Role.CUSTOMER), None)
        requester_id = self._person(requester, ticket.created_at) if requester else 0
        responder_id = self._person(ticket.assignee, ticket.created_at) if ticket.assignee else None
        messages = list(ticket.messages)
        first = messages.pop(0) if messages else None
        source = 10 if first is not None and first.author.role == Role.AGENT else 1
        status = STATUS_NUMBERS[ticket.status]
        changed = [c.at for c in ticket.status_changes]
        sim = SimTicket(
            id=number,
            subject=ticket.subject,
            description=to_html(first.body) if first else "",
            description_text=first.body if first else "",
            status=status,
            priority=PRIORITY_NUMBERS[ticket.priority],
            source=source,
            requester_id=requester_id,
            responder_id=responder_id,
            created_at=ticket.created_at,
            updated_at=ticket.created_at,
            tags=list(ticket.tags),
            status_updated_at=changed[-1] if changed else ticket.created_at,
        )
        self.tickets[number] = sim
        for message in messages:
            user = self._person(message.author, message.created_at)
            incoming = message.author.role == Role.CUSTOMER
            self.converse(sim, user, to_html(message.body), not message.public, incoming, message.created_at)
        latest = max([sim.updated_at, *changed])
        sim.updated_at = ticket.updated_at or latest
        return sim

    def converse(self, ticket: SimTicket, user_id: int, body: str, private: bool, incoming: bool, at: datetime,
                 notify: list[str] | None = None) -> Conversation:
        """Add a conversation and bump the ticket's ``updated_at`` and stats."""
        agent = user_id in self.agents
        person = self.agents.get(user_id) or self.contacts.get(user_id)
        conversation = Conversation(
            id=next(self._next_conversation),
            ticket_id=ticket.id,
            user_id=user_id,
            body=body,
            body_text=to_text(body),
            private=private,
            incoming=incoming,
            source=2 if private else 0,
            created_at=at,
            to_emails=list(notify or []),
            from_email=None if private or person is None else f"{person.name} <{person.email}>",
            category=2 if private else 3,
        )
        ticket.conversations.append(conversation)
        ticket.updated_at = max(ticket.updated_at, at)
        if not private:
            if agent and not incoming:
                ticket.agent_responded_at = at
                ticket.first_responded_at = ticket.first_responded_at or at
            elif not agent:
                ticket.requester_responded_at = at
        return conversation

    # -- rendering -------------------------------------------------------------

    def render_ticket(self, ticket: SimTicket, includes: Iterable[str] = (), description: bool = True) -> dict[str, Any]:
        """The ticket JSON of the list (with ``includes``) or of a single ticket."""
        data: dict[str, Any] = {
            "cc_emails": [],
            "fwd_emails": [],
            "reply_cc_emails": [],
            "email_config_id": None,
            "fr_escalated": False,
            "group_id": None,
            "priority": ticket.priority,
            "priority_name": PRIORITY_NAMES.get(ticket.priority, "Low"),
            "requester_id": ticket.requester_id,
            "responder_id": ticket.responder_id,
            "source": ticket.source,
            "spam": False,
            "status": ticket.status,
            "subject": ticket.subject,
            "type": "Question",
            "company_id": None,
            "id": ticket.id,
            "to_emails": None,
            "product_id": None,
            "created_at": _t(ticket.created_at),
            "updated_at": _t(ticket.updated_at),
            "due_by": _t(ticket.created_at),
            "fr_due_by": _t(ticket.created_at),
            "is_escalated": False,
        }
        if description:
            data["description_text"] = ticket.description_text
            data["description"] = ticket.description
        data["custom_fields"] = {"parent_or_child": None, "parent_ticket_id": None, "child_ticket_id": None}
        data["tags"] = list(ticket.tags)
        data["attachments"] = []
        if "stats" in includes:
            data["stats"] = {
                "agent_responded_at": _t(ticket.agent_responded_at),
                "requester_responded_at": _t(ticket.requester_responded_at),
                "first_responded_at": _t(ticket.first_responded_at),
                "status_updated_at": _t(ticket.status_updated_at),
                "reopened_at": None,
                "resolved_at": _t(ticket.status_updated_at) if ticket.status == 4 else None,
                "closed_at": _t(ticket.status_updated_at) if ticket.status == 5 else None,
                "pending_since": _t(ticket.status_updated_at) if ticket.status == 3 else None,
            }
        if "requester" in includes:
            contact = self.contacts.get(ticket.requester_id)
            data["requester"] = {
                "id": ticket.requester_id,
                "name": contact.name if contact else "",
                "email": contact.email if contact else None,
                "mobile": None,
                "phone": None,
            }
        return data

    @staticmethod
    def render_conversation(c: Conversation) -> dict[str, Any]:
        """A conversation as ``GET .../conversations`` answers it."""
        return {
            "body": c.body,
            "body_text": c.body_text,
            "id": c.id,
            "incoming": c.incoming,
            "private": c.private,
            "user_id": c.user_id,
            "support_email": None,
            "source": c.source,
            "category": c.category,
            "to_emails": list(c.to_emails),
            "from_email": c.from_email,
            "cc_emails": [],
            "bcc_emails": None,
            "email_failure_count": None,
            "outgoing_failures": None,
            "thread_id": None,
            "thread_message_id": None,
            "created_at": _t(c.created_at),
            "updated_at": _t(c.created_at),
            "last_edited_at": None,
            "last_edited_user_id": None,
            "attachments": [],
            "automation_id": None,
            "automation_type_id": None,
            "auto_response": False,
            "ticket_id": c.ticket_id,
            "threading_type": None,
            "delivery_details": {"failed_emails": [], "pending_emails": []},
            "source_additional_info": None,
        }

    @staticmethod
    def render_note(c: Conversation) -> dict[str, Any]:
        """A note as ``POST .../notes`` answers it."""
        return {
            "body": c.body,
            "body_text": c.body_text,
            "id": c.id,
            "incoming": c.incoming,
            "private": c.private,
            "user_id": c.user_id,
            "support_email": None,
            "source": c.source,
            "ticket_id": c.ticket_id,
            "to_emails": list(c.to_emails),
            "from_email": None,
            "cc_emails": None,
            "bcc_emails": None,
            "created_at": _t(c.created_at),
            "updated_at": _t(c.created_at),
            "attachments": [],
        }

    @staticmethod
    def render_agent(agent: Person) -> dict[str, Any]:
        """An agent as ``GET /api/v2/agents`` answers it."""
        return {
            "available": True,
            "occasional": False,
            "signature": None,
            "id": agent.id,
            "ticket_scope": 1,
            "created_at": _t(agent.created_at),
            "updated_at": _t(agent.created_at),
            "available_since": None,
            "contact": {
                "active": True,
                "email": agent.email,
                "job_title": None,
                "language": "en",
                "last_login_at": None,
                "mobile": None,
                "name": agent.name,
                "phone": None,
                "time_zone": "UTC",
                "created_at": _t(agent.created_at),
                "updated_at": _t(agent.created_at),
            },
        }

    @staticmethod
    def render_contact(contact: Person) -> dict[str, Any]:
        """A contact as ``GET /api/v2/contacts`` answers it."""
        return {
            "active": True,
            "address": None,
            "created_at": _t(contact.created_at),
            "customer_id": None,
            "deleted": False,
            "description": None,
            "email": contact.email,
            "external_id": None,
            "fb_profile_id": None,
            "helpdesk_agent": False,
            "id": contact.id,
            "job_title": None,
            "language": "en",
            "mobile": None,
            "name": contact.name,
            "phone": None,
            "time_zone": "UTC",
            "twitter_id": None,
            "updated_at": _t(contact.created_at),
            "company_id": None,
            "custom_field": {},
        }

    @staticmethod
    def render_status_field() -> dict[str, Any]:
        """The ``status`` entry of ``GET /api/v2/ticket_fields``."""
        return {
            "id": 2,
            "name": "status",
            "label": "Status",
            "description": "Ticket status",
            "position": 3,
            "required_for_closure": False,
            "type": "default_status",
            "default": True,
            "customers_can_edit": False,
            "label_for_customers": "Status",
            "required_for_customers": False,
            "displayed_to_customers": True,
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
            "choices": STATUS_CHOICES,
        }
