"""A generated, realistic support mailbox with the true conversation of every message.

Built from :func:`csbridge.sample.generate_helpdesk` (six languages): customer
mail lands in ``INBOX``, agents' replies in ``Sent``. Mail comes in the charsets
met in the wild (utf-8, iso-8859-1/2, windows-1250/1251, koi8-r) with
quoted-printable, base64 or 8bit bodies and encoded-word headers; some mails are
HTML only, some are forwards, some are out-of-office auto-replies, some replies
break the References chain, some conversations carry a ``[#id]`` token.
:func:`malformed_messages` adds messages that must be logged and skipped.
"""

from __future__ import annotations

import html
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from csbridge.models import Message, Role, Ticket
from csbridge.sample import AGENTS, DEMO_START, LANGUAGES, generate_helpdesk

SUPPORT = "support@acme.example"
INBOX = "INBOX"
SENT = "Sent"

_CHARSETS = {
    "en": ("utf-8", "iso-8859-1"),
    "pl": ("utf-8", "iso-8859-2", "windows-1250"),
    "ru": ("utf-8", "koi8-r", "windows-1251"),
    "ca": ("utf-8", "iso-8859-1"),
    "es": ("utf-8", "iso-8859-1"),
    "de": ("utf-8", "iso-8859-1"),
}
_REPLY = {
    "en": ("Re: ",), "pl": ("Odp: ", "RE: ", "Re: "), "ru": ("Отв: ", "Re: ", "RE: "),
    "ca": ("Re: ", "RE: "), "es": ("RE: ", "Re: "), "de": ("AW: ", "Re: "),
}
_FORWARD = {"en": "Fwd: ", "pl": "PD: ", "ru": "Fwd: ", "ca": "Fwd: ", "es": "RV: ", "de": "WG: "}
_AUTO = {
    "en": ("Automatic reply: ", "I am out of the office until Monday with limited access to e-mail."),
    "pl": ("Odpowiedź automatyczna: ", "Jestem poza biurem do poniedziałku, z ograniczonym dostępem do poczty."),
    "ru": ("Автоответ: ", "Я в отпуске до понедельника, доступ к почте ограничен."),
    "ca": ("Resposta automàtica: ", "Soc fora de l'oficina fins dilluns, amb accés limitat al correu."),
    "es": ("Respuesta automática: ", "Estoy fuera de la oficina hasta el lunes, con acceso limitado al correo."),
    "de": ("Abwesenheitsnotiz: ", "Ich bin bis Montag nicht im Büro und lese meine E-Mails nur eingeschränkt."),
}
_FORWARD_TEXT = {
    "en": "Forwarding my earlier message, in case it got lost.",
    "pl": "Przesyłam ponownie moją wcześniejszą wiadomość.",
    "ru": "Пересылаю своё предыдущее письмо.",
    "ca": "Reenvio el meu missatge anterior.",
    "es": "Reenvío mi mensaje anterior.",
    "de": "Ich leite meine frühere Nachricht noch einmal weiter.",
}


@dataclass(frozen=True)
class GeneratedMail:
    """One message to APPEND: its folder, raw bytes, Message-ID and true conversation.

    ``kind`` is ``customer``, ``agent``, ``auto`` (an out-of-office reply),
    ``forward`` or ``broken`` (a reply without References/In-Reply-To).
    """

    folder: str
    raw: bytes
    message_id: str
    thread: str
    kind: str
    language: str
    date: datetime


@dataclass
class GeneratedMailbox:
    """The mails, the configured agents (address to name) and the support address."""

    mails: list[GeneratedMail] = field(default_factory=list)
    agents: dict[str, str] = field(default_factory=lambda: {a.email: a.name for a in AGENTS})
    support_address: str = SUPPORT

    def folder(self, name: str) -> list[bytes]:
        """The raw messages of one folder, in delivery order."""
        return [m.raw for m in self.mails if m.folder == name]


def generate_mailbox(threads: int, *, seed: int = 0, start: datetime = DEMO_START) -> GeneratedMailbox:
    """A mailbox of ``threads`` conversations (deterministic per ``seed``)."""
    box = GeneratedMailbox()
    used: set[tuple[str, str]] = set()
    for ticket in generate_helpdesk(threads, seed=seed, start=start):
        box.mails.extend(_Thread(ticket, random.Random(f"mail:{seed}:{ticket.id}"), seed, used).mails())
    box.mails.sort(key=lambda m: m.date)
    return box


def iter_mailbox(messages: int, *, seed: int = 0, start: datetime = DEMO_START) -> Iterator[GeneratedMail]:
    """Mails of conversations until at least ``messages`` mails were made (for benchmarks)."""
    made = 0
    n = 0
    used: set[tuple[str, str]] = set()
    while made < messages:
        n += 1
        ticket = next(iter(generate_helpdesk(1, seed=seed * 1_000_003 + n, start=start)))
        ticket = Ticket(str(n), ticket.source, ticket.subject, ticket.status, ticket.priority, ticket.created_at,
                        ticket.messages, ticket.assignee, ticket.requester)
        for mail in _Thread(ticket, random.Random(f"mail:{seed}:{n}"), seed, used).mails():
            made += 1
            yield mail


class _Thread:
    """Turns one sample ticket into mail; every random choice comes from ``rng``."""

    def __init__(self, ticket: Ticket, rng: random.Random, seed: int, used: set[tuple[str, str]]) -> None:
        self.ticket = ticket
        self.rng = rng
        self.seed = seed
        self.lang = LANGUAGES[(int(ticket.id) - 1) % len(LANGUAGES)] if ticket.id.isdigit() else "en"
        self.token = f"[#{40000 + int(ticket.id)}] " if ticket.id.isdigit() and rng.random() < 0.1 else ""
        self.ids: list[str] = []
        self.out: list[GeneratedMail] = []
        customer = ticket.requester
        name, email = (customer.name, customer.email) if customer else ("Customer", "customer@example.com")
        # The sample reuses a few customers; one person rarely runs two identical
        # conversations at once, so a repeated (customer, subject) gets its own address.
        local, _, domain = email.partition("@")
        number = 1
        while (email, ticket.subject) in used:
            number += 1
            email = f"{local}{number}@{domain}"
        used.add((email, ticket.subject))
        self.customer = (name, email)

    def mails(self) -> list[GeneratedMail]:
        public = [m for m in self.ticket.messages if m.public]
        agent_seen = False
        for index, message in enumerate(public):
            is_agent = message.author.role is Role.AGENT
            agent_seen = agent_seen or is_agent
            subject = self.subject(index, agent_seen)
            if index and not is_agent and self.rng.random() < 0.08:
                self.add(self.compose(message, subject, references=False), message, "broken")
            else:
                self.add(self.compose(message, subject), message, "agent" if is_agent else "customer")
            if is_agent and self.rng.random() < 0.08:
                self.auto_reply(message)
        if public and self.rng.random() < 0.05:
            self.forward(public[0])
        return self.out

    def subject(self, index: int, agent_seen: bool) -> str:
        token = self.token if agent_seen else ""
        prefix = self.rng.choice(_REPLY[self.lang]) if index else ""
        return f"{prefix}{token}{self.ticket.subject}"

    def new_id(self, when: datetime) -> str:
        return f"<{self.seed}.{self.ticket.id}.{len(self.ids) + 1}.{int(when.timestamp())}@mail.example>"

    def charset(self, text: str) -> str:
        choice = self.rng.choice(_CHARSETS[self.lang])
        try:
            text.encode(choice)
        except UnicodeEncodeError:
            return "utf-8"
        return choice

    def body(self, text: str, html_only: bool) -> MIMENonMultipart:
        charset = self.charset(text)
        if html_only:
            paragraphs = []
            for block in text.split("\n\n"):
                lines = block.splitlines()
                if lines and all(line.startswith(">") for line in lines):
                    quoted = "<br>".join(html.escape(line.lstrip("> ")) for line in lines)
                    paragraphs.append(f"<blockquote>{quoted}</blockquote>")
                else:
                    paragraphs.append("<p>" + "<br>".join(html.escape(line) for line in lines) + "</p>")
            content, subtype = "<html><body>" + "\n".join(paragraphs) + "</body></html>", "html"
        else:
            content, subtype = text, "plain"
        cs = Charset(charset)
        encoding = self.rng.choice((QP, BASE64, QP if charset == "utf-8" else None))
        if encoding is not None:
            cs.body_encoding = encoding
        else:
            part = MIMEText(content, subtype, "utf-8")
            del part["Content-Transfer-Encoding"]
            part.set_payload(content.encode(charset))
            part.set_param("charset", charset)
            part["Content-Transfer-Encoding"] = "8bit"
            return part
        return MIMEText(content, subtype, cs)  # type: ignore[arg-type]

    def header(self, text: str) -> str:
        if text.isascii():
            return text
        return Header(text, self.charset(text)).encode()

    def address(self, name: str, addr: str) -> str:
        if name.isascii():
            return formataddr((name, addr))
        return formataddr((name, addr), charset=self.charset(name))

    def compose(self, message: Message, subject: str, references: bool = True) -> tuple[MIMENonMultipart | MIMEMultipart, str]:
        is_agent = message.author.role is Role.AGENT
        part = self.body(message.body, html_only=self.rng.random() < 0.15)
        msg_id = self.new_id(message.created_at)
        if is_agent:
            generic = self.rng.random() < 0.2
            sender = ("Acme Support", SUPPORT) if generic else (message.author.name, message.author.email)
            part["From"] = self.address(*sender)
            part["To"] = self.address(*self.customer)
        else:
            part["From"] = self.address(*self.customer)
            part["To"] = formataddr(("Acme Support", SUPPORT))
        part["Subject"] = self.header(subject)
        part["Date"] = format_datetime(message.created_at)
        part["Message-ID"] = msg_id
        if "MIME-Version" not in part:
            part["MIME-Version"] = "1.0"
        if references and self.ids:
            part["In-Reply-To"] = self.ids[-1]
            part["References"] = " ".join(self.ids[-10:])
        return part, msg_id

    def add(self, built: tuple[MIMENonMultipart | MIMEMultipart, str], message: Message, kind: str) -> None:
        part, msg_id = built
        folder = SENT if message.author.role is Role.AGENT else INBOX
        self.ids.append(msg_id)
        raw = part.as_bytes(policy=SMTP)
        self.out.append(GeneratedMail(folder, raw, msg_id, self.ticket.id, kind, self.lang, message.created_at))

    def auto_reply(self, answered: Message) -> None:
        prefix, text = _AUTO[self.lang]
        when = answered.created_at + timedelta(minutes=1)
        part = self.body(text, html_only=False)
        msg_id = self.new_id(when)
        part["From"] = self.address(*self.customer)
        part["To"] = formataddr((answered.author.name, answered.author.email))
        part["Subject"] = self.header(prefix + self.ticket.subject)
        part["Date"] = format_datetime(when)
        part["Message-ID"] = msg_id
        part["In-Reply-To"] = self.ids[-1]
        if self.rng.random() < 0.6:
            part["Auto-Submitted"] = "auto-replied"
        else:
            part["X-Autoreply"] = "yes"
        self.ids.append(msg_id)
        self.out.append(GeneratedMail(INBOX, part.as_bytes(policy=SMTP), msg_id, self.ticket.id, "auto", self.lang,
                                      when))

    def forward(self, first: Message) -> None:
        when = max(m.date for m in self.out) + timedelta(hours=2)
        original, _ = self.compose(first, self.ticket.subject, references=False)
        outer = MIMEMultipart("mixed")
        outer.attach(self.body(_FORWARD_TEXT[self.lang], html_only=False))
        outer.attach(MIMEMessage(original))
        msg_id = self.new_id(when)
        outer["From"] = self.address(*self.customer)
        outer["To"] = formataddr(("Acme Support", SUPPORT))
        outer["Subject"] = self.header(_FORWARD[self.lang] + self.ticket.subject)
        outer["Date"] = format_datetime(when)
        outer["Message-ID"] = msg_id
        outer["MIME-Version"] = "1.0"
        self.ids.append(msg_id)
        self.out.append(GeneratedMail(INBOX, outer.as_bytes(policy=SMTP), msg_id, self.ticket.id, "forward",
                                      self.lang, when))


def malformed_messages(when: datetime = DEMO_START) -> dict[str, bytes]:
    """Messages that cannot be judged, by what is wrong: a multipart without its
    boundary, an unknown charset, no Date header."""
    date = format_datetime(when)
    return {
        "broken_mime": (
            f"From: Broken <broken@example.com>\r\nTo: {SUPPORT}\r\nSubject: broken\r\nDate: {date}\r\n"
            "Message-ID: <broken-mime@example.com>\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="never-used"\r\n\r\n'
            "This body has no boundary line at all.\r\n"
        ).encode(),
        "unknown_charset": (
            f"From: Odd <odd@example.com>\r\nTo: {SUPPORT}\r\nSubject: odd charset\r\nDate: {date}\r\n"
            "Message-ID: <odd-charset@example.com>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=x-klingon-42\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "Qapla'\r\n"
        ).encode(),
        "missing_date": (
            f"From: Late <late@example.com>\r\nTo: {SUPPORT}\r\nSubject: no date\r\n"
            "Message-ID: <no-date@example.com>\r\n\r\nWhen did I send this?\r\n"
        ).encode(),
    }
