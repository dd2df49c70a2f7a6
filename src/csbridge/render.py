"""What agents read: the text and HTML of notes and reminders.

All text that comes from a ticket (details quoting a customer or an agent) is
escaped in the HTML form, so a note can never inject markup into the agent's UI.
Markers are deterministic: the same findings always give the same marker, which
is what lets the daemon reconcile a write cut short by a crash.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from datetime import datetime

from csbridge.marker import marker_line
from csbridge.models import Deadline, Finding, Note, Person, Reminder, Role, Ticket

TITLES = {
    "response_time.first_reply": "First reply",
    "response_time.next_reply": "Next reply",
    "response_time.periodic_update": "Periodic update",
    "courtesy.language": "Language",
    "courtesy.greeting": "Greeting",
    "courtesy.closing": "Closing",
    "courtesy.rude": "Tone",
    "courtesy.empathy": "Empathy",
    "follow_up.promise": "Promised update",
    "follow_up.pending": "Pending ticket",
}
TAG_PREFIX = "csb_"


def tag_for(rule: str) -> str:
    """The reporting tag of a rule: ``response_time.first_reply`` -> ``csb_first_reply``."""
    return TAG_PREFIX + rule.split(".", 1)[-1]


def marker_for(kind: str, *parts: str) -> str:
    """A short deterministic marker for a note (``n-``) or reminder (``r-``)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]
    return f"{kind[0]}-{digest}"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _where(finding: Finding, ticket: Ticket | None) -> str:
    """Which message a finding is about, as an agent finds it in the ticket."""
    if ticket is None or not finding.message_id:
        return ""
    for message in ticket.messages:
        if message.id == finding.message_id:
            kind = "reply" if message.author.role is Role.AGENT else "customer message"
            by = f" by {message.author.name}" if message.author.name and message.author.role is Role.AGENT else ""
            return f", {kind} of {message.created_at:%a %d %b %H:%M} UTC{by}"
    return ""


def render_note(source: str, ticket_id: str, findings: Sequence[Finding], ticket: Ticket | None = None) -> Note:
    """One internal note gathering ``findings`` of one ticket, with their tags.

    With ``ticket`` each finding names the message it is about (its time and author).
    """
    ordered = sorted(findings, key=lambda f: (f.rule, f.message_id or ""))
    marker = marker_for("note", source, ticket_id, *(f.key for f in ordered))
    count = len(ordered)
    head = f"csbridge: {count} thing{'s' if count != 1 else ''} on this ticket fell short of the service standards."
    text_lines = [head, ""]
    html_items = []
    for f in ordered:
        title = TITLES.get(f.rule, f.rule) + _where(f, ticket)
        text_lines.append(f"- {title} ({f.rule}): {f.detail}")
        item = f"<li><strong>{html.escape(title)}</strong> <code>{html.escape(f.rule)}</code>: {html.escape(f.detail)}"
        if f.quote and f.quote not in f.detail:
            text_lines.append(f'  Quoted: "{f.quote}"')
            item += f"<br>Quoted: <q>{html.escape(f.quote)}</q>"
        if f.fix:
            text_lines.append(f"  How to fix: {f.fix}")
            item += f"<br>How to fix: {html.escape(f.fix)}"
        html_items.append(item + "</li>")
    text_lines += ["", "This note is private: the customer does not see it.", marker_line(marker)]
    body_html = (
        f"<p>{html.escape(head)}</p><ul>{''.join(html_items)}</ul>"
        f"<p><small>This note is private: the customer does not see it. {html.escape(marker_line(marker))}</small></p>"
    )
    tags = tuple(sorted({"csbridge", *(tag_for(f.rule) for f in ordered)}))
    return Note(source, ticket_id, marker, "\n".join(text_lines), body_html, tags, tuple(ordered))


def render_reminder(deadline: Deadline, agent: Person | None) -> Reminder:
    """A reminder to ``agent`` that ``deadline`` is near."""
    marker = marker_for("reminder", deadline.key, _when(deadline.due_at))
    who = agent.name if agent and agent.name else "Hello"
    title = TITLES.get(deadline.rule, deadline.rule)
    text = (
        f"{who}, a deadline on ticket {deadline.ticket_id} is near: {title} is due by {_when(deadline.due_at)}."
        + (f" {deadline.detail}" if deadline.detail else "")
        + f"\n\n{marker_line(marker)}"
    )
    body_html = (
        f"<p>{html.escape(who)}, a deadline on ticket {html.escape(deadline.ticket_id)} is near: "
        f"<strong>{html.escape(title)}</strong> is due by {html.escape(_when(deadline.due_at))}."
        + (f" {html.escape(deadline.detail)}" if deadline.detail else "")
        + f"</p><p><small>{html.escape(marker_line(marker))}</small></p>"
    )
    return Reminder(deadline.source, deadline.ticket_id, marker, agent, deadline.rule, deadline.due_at, text,
                    body_html)
