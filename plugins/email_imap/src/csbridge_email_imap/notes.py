"""csbridge's notes and reminders as mail.

A note is a private message appended to the notes folder, threaded under the
conversation (``In-Reply-To``/``References``) so a mail client shows it beside
the thread, and carrying ``X-Csbridge-Marker`` (and the marker line in its body)
so it is never judged as a customer message. A reminder is a link-free
plain-text mail to one agent; a copy goes to the notes folder too, which is how
:meth:`written_markers` finds it again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from csbridge.marker import find_markers, marker_line
from csbridge.models import Note, Reminder
from csbridge_email_imap.mailparse import MARKER_HEADER, TICKET_HEADER

_MARKER_LIKE = re.compile(r"\[csbridge:")
_LINK = re.compile(r"\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)


def escape_quoted(text: str, marker: str) -> str:
    """``text`` with every marker-like ``[csbridge:`` that is not ``marker``'s own line
    broken up, so quoted customer text can never pose as a csbridge note."""
    own = marker_line(marker)
    parts = text.split(own)
    return own.join(_MARKER_LIKE.sub("[csbridge\u200b:", part) for part in parts)


def note_mail(note: Note, subject: str, references: Sequence[str], sender: str, now: datetime) -> bytes:
    """The raw message of ``note`` for a conversation whose Message-IDs are
    ``references`` (oldest first)."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr(("csbridge", sender))
    msg["To"] = formataddr(("csbridge", sender))
    msg["Subject"] = f"[csbridge] {subject}"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = f"<{note.marker}@csbridge.invalid>"  # the same note always has the same id
    if references:
        msg["In-Reply-To"] = references[-1]
        msg["References"] = " ".join(references[-20:])
    msg[MARKER_HEADER] = note.marker
    msg[TICKET_HEADER] = note.ticket_id
    msg["Auto-Submitted"] = "auto-generated"
    text = escape_quoted(note.text, note.marker)
    if note.marker not in find_markers(text):
        text += "\n\n" + marker_line(note.marker)
    msg.set_content(text)
    if note.html:
        msg.add_alternative(note.html, subtype="html")
    return msg.as_bytes()


def reminder_mail(reminder: Reminder, to: str, sender: str, now: datetime) -> EmailMessage:
    """The plain-text mail of ``reminder`` to the agent address ``to``: no links, no HTML."""
    msg = EmailMessage(policy=SMTP)
    name = reminder.agent.name if reminder.agent else ""
    msg["From"] = formataddr(("csbridge", sender))
    msg["To"] = formataddr((name, to)) if name else to
    msg["Subject"] = f"[csbridge] Ticket {reminder.ticket_id}: deadline {reminder.due_at:%Y-%m-%d %H:%M} UTC"
    msg["Date"] = format_datetime(now)
    # Deterministic: if a crash falls between sending and keeping the copy, the reminder is
    # sent again with the same Message-ID, which mail stores and clients treat as one message.
    msg["Message-ID"] = f"<{reminder.marker}@csbridge.invalid>"
    msg[MARKER_HEADER] = reminder.marker
    msg[TICKET_HEADER] = reminder.ticket_id
    msg["Auto-Submitted"] = "auto-generated"
    text = _LINK.sub("[link removed]", escape_quoted(reminder.text, reminder.marker))
    if reminder.marker not in find_markers(text):
        text += "\n\n" + marker_line(reminder.marker)
    msg.set_content(text)
    return msg
