"""The simulator's helpdesk in memory, answering in the JSON shapes of the API.

Every change is one audit (a comment and/or field changes) which the simulator
shows as an audit, a ticket event or a comment. Not thread-safe: the server
holds a lock around every call.
"""

from __future__ import annotations

import base64
import heapq
import html
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from csbridge.models import Person, Role, Status, Ticket

STATUS_NAMES = {
    Status.NEW: "new",
    Status.OPEN: "open",
    Status.PENDING: "pending",
    Status.ON_HOLD: "hold",
    Status.SOLVED: "solved",
    Status.CLOSED: "closed",
}
VIA_API = {"channel": "api", "source": {"from": {}, "to": {}, "rel": None}}


def iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Audit:
    """One change of one ticket."""

    id: int
    ticket_id: int
    at: datetime
    author_id: int
    comment: dict[str, Any] | None = None
    changes: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # kind, field, value, previous


class State:
    """Users, tickets, audits and jobs of one simulated account."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.users: dict[int, dict[str, Any]] = {}
        self.user_ids: dict[str, int] = {}
        self.tickets: dict[int, dict[str, Any]] = {}
        self.audits: dict[int, list[Audit]] = {}
        self.timeline: list[Audit] = []  # every audit in time order (the ticket events stream)
        self.jobs: dict[str, dict[str, Any]] = {}
        self.dirty = False
        self._order: list[tuple[int, int]] = []  # (generated_timestamp, id) of every ticket, sorted
        self._moved: list[tuple[int, int]] = []  # versions added since the last sort
        self._ids = itertools.count(10_000_000)

    # -- building ------------------------------------------------------------

    def user_id(self, who: Person) -> int:
        """The numeric id of ``who`` (created on first sight)."""
        if who.id in self.user_ids:
            return self.user_ids[who.id]
        uid = int(who.id) if who.id.isdigit() else next(self._ids)
        role = {Role.CUSTOMER: "end-user", Role.AGENT: "agent", Role.SYSTEM: "admin"}[who.role]
        self.user_ids[who.id] = uid
        self.users[uid] = _user(self.base_url, uid, who.name or f"User {uid}", who.email or None, role)
        return uid

    def add_ticket(self, ticket: Ticket) -> None:
        """Store ``ticket`` with one audit per message and status change."""
        tid = int(ticket.id)
        requester = self.user_id(ticket.requester) if ticket.requester else None
        assignee = self.user_id(ticket.assignee) if ticket.assignee else None
        first_author = self.user_id(ticket.messages[0].author) if ticket.messages else (requester or 0)
        status_at = sorted(ticket.status_changes, key=lambda c: c.at)
        first_status = STATUS_NAMES[status_at[0].status] if status_at else "new"
        self.tickets[tid] = _ticket_json(self.base_url, tid, ticket, requester, assignee, first_status)
        self.audits[tid] = []
        steps: list[tuple[datetime, int, Any]] = []
        for i, m in enumerate(ticket.messages):
            steps.append((m.created_at, 0 if i == 0 else 1, m))
        for change in status_at[1:]:
            steps.append((change.at, 2, change))
        steps.sort(key=lambda s: (s[0], s[1]))
        create_at = ticket.messages[0].created_at if ticket.messages else ticket.created_at
        create = self._audit(tid, create_at, first_author)
        create.changes += [("Create", "status", first_status, None), ("Create", "subject", ticket.subject, None)]
        if ticket.tags:
            create.changes.append(("Create", "tags", list(ticket.tags), None))
        status = first_status
        for at, kind, item in steps:
            if kind == 0:
                create.comment = self._comment(create, self.user_id(item.author), item.body, item.public)
            elif kind == 1:
                audit = self._audit(tid, at, self.user_id(item.author))
                audit.comment = self._comment(audit, audit.author_id, item.body, item.public)
            else:
                new = STATUS_NAMES[item.status]
                if new != status:
                    audit = self._audit(tid, at, assignee or first_author)
                    audit.changes.append(("Change", "status", new, status))
                    status = new
        self.tickets[tid]["status"] = status
        last = max([ticket.updated_at or ticket.created_at, *(a.at for a in self.audits[tid])])
        self._touch(tid, last)

    def _audit(self, tid: int, at: datetime, author_id: int) -> Audit:
        audit = Audit(next(self._ids), tid, at, author_id)
        self.audits[tid].append(audit)
        if self.timeline and (self.timeline[-1].at, self.timeline[-1].id) > (at, audit.id):
            self.dirty = True
        self.timeline.append(audit)
        return audit

    def _comment(self, audit: Audit, author_id: int, text: str, public: bool, html_body: str | None = None) -> dict[str, Any]:
        body_html = html_body or "<div class=\"zd-comment\" dir=\"auto\">" + "".join(
            f"<p dir=\"auto\">{html.escape(line)}</p>" for line in text.split("\n") if line.strip()
        ) + "</div>"
        return {
            "id": next(self._ids),
            "type": "Comment",
            "author_id": author_id,
            "body": text,
            "html_body": body_html,
            "plain_body": text,
            "public": public,
            "attachments": [],
            "audit_id": audit.id,
        }

    def _touch(self, tid: int, at: datetime) -> None:
        ticket = self.tickets[tid]
        ticket["updated_at"] = iso(at)
        ticket["generated_timestamp"] = int(at.timestamp())
        self._moved.append((ticket["generated_timestamp"], tid))

    def ticket_order(self) -> list[tuple[int, int]]:
        """``(generated_timestamp, id)`` of every ticket in export order: kept sorted, merged
        with the tickets changed since the last call (old versions dropped), not re-sorted."""
        if self._moved:
            moved = sorted(set(self._moved))
            self._moved = []
            changed = {tid for _, tid in moved}
            kept = [e for e in self._order if e[1] not in changed] if self._order else []
            current = [e for e in moved if self.tickets[e[1]]["generated_timestamp"] == e[0]]
            self._order = list(heapq.merge(kept, current))
        return self._order

    def sorted_timeline(self) -> list[Audit]:
        """Every audit in time order (sorted lazily after out-of-order inserts)."""
        if self.dirty:
            self.timeline.sort(key=lambda a: (a.at, a.id))
            self.dirty = False
        return self.timeline

    # -- changing ------------------------------------------------------------

    def comment(self, tid: int, author_id: int, text: str, public: bool, at: datetime, html_body: str | None = None) -> Audit:
        """A new comment (``text`` is the plain body)."""
        audit = self._audit(tid, at, author_id)
        audit.comment = self._comment(audit, author_id, text, public, html_body)
        self._touch(tid, at)
        return audit

    def set_status(self, tid: int, status: str, at: datetime, author_id: int) -> None:
        ticket = self.tickets[tid]
        if ticket["status"] == status:
            return
        audit = self._audit(tid, at, author_id)
        audit.changes.append(("Change", "status", status, ticket["status"]))
        ticket["status"] = status
        self._touch(tid, at)

    def update(self, tid: int, payload: dict[str, Any], at: datetime, author_id: int) -> str | None:
        """Apply one ticket's update payload; an error text when it cannot."""
        ticket = self.tickets.get(tid)
        if ticket is None or ticket["status"] == "deleted":
            return "RecordNotFound"
        if ticket["status"] == "closed":
            return "Status: closed prevents ticket update"
        comment = payload.get("comment")
        if "tags" in payload:
            ticket["tags"] = sorted(set(map(str, payload["tags"])))
        added = [str(t) for t in payload.get("additional_tags") or [] if str(t) not in ticket["tags"]]
        audit: Audit | None = None
        if isinstance(comment, dict):
            author = int(comment.get("author_id") or author_id)
            html_body = comment.get("html_body")
            text = comment.get("body") or ""
            if isinstance(html_body, str):
                from csbridge_zendesk.mapping import html_to_text

                text = html_to_text(html_body)
            audit = self.comment(tid, author, text, bool(comment.get("public", True)), at, html_body)
        if added:
            if audit is None:
                audit = self._audit(tid, at, author_id)
            audit.changes.append(("Change", "tags", sorted(ticket["tags"] + added), list(ticket["tags"])))
            ticket["tags"] = sorted(ticket["tags"] + added)
        if "status" in payload:
            self.set_status(tid, str(payload["status"]), at, author_id)
        self._touch(tid, at)
        return None

    # -- showing -------------------------------------------------------------

    def show_comment(self, audit: Audit) -> dict[str, Any]:
        assert audit.comment is not None
        return {**audit.comment, "via": VIA_API, "created_at": iso(audit.at), "metadata": {"system": {}, "custom": {}}}

    def show_audit(self, audit: Audit) -> dict[str, Any]:
        events: list[dict[str, Any]] = []
        if audit.comment is not None:
            events.append(dict(audit.comment))
        for kind, name, value, previous in audit.changes:
            event = {"id": next(self._ids), "type": kind, "value": value, "field_name": name}
            if kind == "Change":
                event["previous_value"] = previous
            events.append(event)
        return {
            "id": audit.id,
            "ticket_id": audit.ticket_id,
            "created_at": iso(audit.at),
            "author_id": audit.author_id,
            "metadata": {"system": {}, "custom": {}},
            "events": events,
            "via": VIA_API,
        }

    def show_event(self, audit: Audit, with_comments: bool) -> dict[str, Any]:
        children: list[dict[str, Any]] = []
        if audit.comment is not None:
            if with_comments:
                children.append(
                    {**audit.comment, "via": VIA_API, "via_reference_id": None, "created_at": iso(audit.at),
                     "event_type": "Comment"}
                )
            else:
                children.append({"id": audit.comment["id"], "via": VIA_API, "via_reference_id": None,
                                 "comment_present": True, "comment_public": audit.comment["public"],
                                 "event_type": "Comment"})
        for kind, name, value, previous in audit.changes:
            child: dict[str, Any] = {"id": audit.id * 10 + len(children), "via": VIA_API, "via_reference_id": None,
                                     name: value, "event_type": kind}
            if kind == "Change":
                child["previous_value"] = previous
            children.append(child)
        return {
            "id": audit.id,
            "ticket_id": audit.ticket_id,
            "timestamp": int(audit.at.timestamp()),
            "created_at": iso(audit.at),
            "updater_id": audit.author_id,
            "via": "Web form" if audit.comment is None else "API",
            "system": {},
            "event_type": "Audit",
            "child_events": children,
            "merged_ticket_ids": [],
        }


def cursor_token(ts: int, tid: int) -> str:
    """Zendesk-like opaque cursor: base64 of ``TS.0||ID|``."""
    return base64.b64encode(f"{ts}.0||{tid}|".encode()).decode()


def read_cursor(token: str) -> tuple[int, int]:
    text = base64.b64decode(token.encode()).decode()
    ts, _, rest = text.partition(".0||")
    return int(ts), int(rest.rstrip("|"))


def _user(base: str, uid: int, name: str, email: str | None, role: str) -> dict[str, Any]:
    return {
        "id": uid, "url": f"{base}/api/v2/users/{uid}.json", "name": name, "email": email,
        "created_at": "2023-09-09T23:52:05Z", "updated_at": "2023-09-09T23:52:06Z", "time_zone": "Europe/Warsaw",
        "iana_time_zone": "Europe/Warsaw", "phone": None, "shared_phone_number": None, "photo": None,
        "locale_id": 1, "locale": "en-US", "organization_id": None, "role": role, "verified": True,
        "external_id": None, "tags": [], "alias": None, "active": True, "shared": False, "shared_agent": False,
        "last_login_at": None, "two_factor_auth_enabled": None, "signature": None, "details": None, "notes": None,
        "role_type": None, "custom_role_id": None, "moderator": role != "end-user",
        "ticket_restriction": "requested" if role == "end-user" else None, "only_private_comments": False,
        "restricted_agent": role == "end-user", "suspended": False, "default_group_id": None,
        "report_csv": False, "user_fields": {},
    }


def _ticket_json(
    base: str, tid: int, t: Ticket, requester: int | None, assignee: int | None, status: str
) -> dict[str, Any]:
    description = t.messages[0].body if t.messages else ""
    return {
        "url": f"{base}/api/v2/tickets/{tid}.json", "id": tid, "external_id": None,
        "via": {"channel": t.channel or "email", "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso(t.created_at), "updated_at": iso(t.updated_at or t.created_at), "type": None,
        "subject": t.subject, "raw_subject": t.subject, "description": description,
        "priority": None if t.priority.value == "normal" and t.id.endswith("0") else t.priority.value,
        "status": status, "recipient": None, "requester_id": requester, "submitter_id": requester,
        "assignee_id": assignee, "organization_id": None, "group_id": None, "collaborator_ids": [],
        "follower_ids": [], "email_cc_ids": [], "forum_topic_id": None, "problem_id": None, "has_incidents": False,
        "is_public": True, "due_at": None, "tags": sorted(t.tags), "custom_fields": [], "satisfaction_rating": None,
        "sharing_agreement_ids": [], "custom_status_id": 1, "fields": [], "followup_ids": [], "ticket_form_id": 1,
        "brand_id": 1, "allow_channelback": False, "allow_attachments": True, "from_messaging_channel": False,
        "generated_timestamp": 0,
    }


def users_of(state: State, ids: Iterable[int]) -> list[dict[str, Any]]:
    return [state.users[i] for i in sorted(set(ids)) if i in state.users]
