"""Raw RFC 5322 mail to what csbridge needs: threading headers and the plain-text body.

Parsing uses the standard library's ``email`` package (the fast ``compat32``
policy, with encoded words and payloads decoded here): MIME multipart,
quoted-printable and base64, encoded-word headers and the
charsets met in the wild (utf-8, iso-8859-1/2, windows-1250/1251, koi8-r).
HTML-only bodies become text. A message csbridge cannot trust to judge (no
Date, broken MIME structure, a charset Python does not know) raises
:class:`MalformedMail`; the caller logs it with its folder and UID and skips it.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from csbridge_email_imap.htmltext import html_to_text

MARKER_HEADER = "X-Csbridge-Marker"
TICKET_HEADER = "X-Csbridge-Ticket"
_MSGID = re.compile(r"<[^<>\s]+>")
_BROKEN_MIME = (
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.MultipartInvariantViolationDefect,
    email_errors.CloseBoundaryNotFoundDefect,
)


class MalformedMail(ValueError):
    """A message that cannot be read reliably; the text says why (no content quoted)."""


@dataclass(frozen=True, slots=True)
class MailHeaders:
    """The headers csbridge reads from one message.

    ``parents`` are the Message-IDs of References followed by In-Reply-To, oldest
    first, without repeats. ``recipients`` are the To and Cc addresses, lower-cased.
    ``auto`` is true for automatic replies (Auto-Submitted other than ``no``,
    X-Autoreply, X-Autorespond, Precedence auto_reply). ``marker`` and ``ticket``
    are csbridge's own note headers.
    """

    message_id: str
    parents: tuple[str, ...]
    subject: str
    from_addr: str
    from_name: str
    recipients: tuple[str, ...]
    date: datetime
    auto: bool = False
    marker: str | None = None
    ticket: str | None = None


_PARSER = BytesParser(policy=policy.compat32)


def _header(msg: Message, name: str) -> str:
    """The decoded value of header ``name`` (encoded words resolved), or ``""``."""
    value = msg.get(name)
    if value is None:
        return ""
    text = str(value)
    if "=?" not in text:
        return text
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # an unknown charset or a broken encoded word: keep the raw text
        return text


def _ids(text: str) -> list[str]:
    return _MSGID.findall(text)


def parse_headers(raw: bytes) -> MailHeaders:
    """The :class:`MailHeaders` of ``raw`` (a whole message or its header block).

    A message without Message-ID gets a stable synthetic one from its Date, From
    and Subject. Raises :class:`MalformedMail` when Date or From is missing or
    unreadable.
    """
    try:
        msg = _PARSER.parsebytes(raw, headersonly=True)
    except Exception as exc:
        raise MalformedMail(f"unreadable headers ({type(exc).__name__})") from None
    date_text = _header(msg, "Date")
    if not date_text.strip():
        raise MalformedMail("no Date header")
    try:
        date = parsedate_to_datetime(date_text)
    except (TypeError, ValueError, IndexError):
        raise MalformedMail("unreadable Date header") from None
    date = date.replace(tzinfo=UTC) if date.tzinfo is None else date.astimezone(UTC)
    senders = getaddresses([_header(msg, "From")])
    if not senders or not senders[0][1]:
        raise MalformedMail("no From address")
    from_name, from_addr = senders[0]
    subject = " ".join(_header(msg, "Subject").split())
    ids = _ids(_header(msg, "Message-ID"))
    message_id = ids[0] if ids else _synthetic_id(date_text, from_addr, subject)
    parents: list[str] = []
    for parent in _ids(_header(msg, "References")) + _ids(_header(msg, "In-Reply-To")):
        if parent not in parents and parent != message_id:
            parents.append(parent)
    recipients = tuple(
        addr.lower() for _, addr in getaddresses([_header(msg, "To"), _header(msg, "Cc")]) if addr
    )
    auto_submitted = _header(msg, "Auto-Submitted").strip().lower()
    auto = (
        bool(auto_submitted and not auto_submitted.startswith("no"))
        or msg.get("X-Autoreply") is not None
        or msg.get("X-Autorespond") is not None
        or _header(msg, "Precedence").strip().lower() == "auto_reply"
    )
    return MailHeaders(
        message_id=message_id,
        parents=tuple(parents),
        subject=subject,
        from_addr=from_addr.lower(),
        from_name=from_name,
        recipients=recipients,
        date=date,
        auto=auto,
        marker=_header(msg, MARKER_HEADER).strip() or None,
        ticket=_header(msg, TICKET_HEADER).strip() or None,
    )


def _synthetic_id(date: str, sender: str, subject: str) -> str:
    digest = hashlib.sha256(f"{date}\x1f{sender}\x1f{subject}".encode()).hexdigest()[:24]
    return f"<{digest}@no-message-id.csbridge.invalid>"


def _leaves(part: Message) -> Iterator[Message]:
    """Leaf parts in order, not descending into attachments or forwarded messages."""
    if part.get_content_maintype() == "message":
        return
    if part.is_multipart():
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else ():
            if isinstance(sub, Message):
                yield from _leaves(sub)
        return
    if (part.get("Content-Disposition") or "").strip().lower().startswith("attachment"):
        return
    yield part


def parse_body(raw: bytes) -> str:
    """The plain text of ``raw``: the text/plain body, else the HTML body as text,
    else an empty string. Forwarded messages (message/rfc822) contribute only the
    forwarding text. Raises :class:`MalformedMail` for a broken multipart structure
    or an unknown charset."""
    try:
        msg = _PARSER.parsebytes(raw)
    except Exception as exc:
        raise MalformedMail(f"unparsable message ({type(exc).__name__})") from None
    for part in msg.walk():
        broken = [d for d in part.defects if isinstance(d, _BROKEN_MIME)]
        if broken:
            raise MalformedMail(f"broken MIME structure ({type(broken[0]).__name__})")
    leaves = [p for p in _leaves(msg) if p.get_content_maintype() == "text"]
    body = next((p for p in leaves if p.get_content_subtype() == "plain"), None)
    body = body or next((p for p in leaves if p.get_content_subtype() == "html"), None)
    if body is None:
        return ""
    charset = body.get_content_charset() or "us-ascii"
    try:
        codecs.lookup(charset)
    except LookupError:
        raise MalformedMail(f"unknown charset {charset!r}") from None
    payload = body.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    if charset in ("us-ascii", "ascii") and not payload.isascii():
        charset = "utf-8"  # undeclared 8-bit text is utf-8 far more often than not
    try:
        content = payload.decode(charset, errors="replace")
    except Exception as exc:
        raise MalformedMail(f"undecodable body ({type(exc).__name__})") from None
    if body.get_content_subtype() == "html":
        content = html_to_text(content)
    return content.replace("\r\n", "\n").strip()
