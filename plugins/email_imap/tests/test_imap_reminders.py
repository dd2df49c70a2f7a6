"""Reminders through a real SMTP server: to the owning agent before the deadline, never to a customer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default
from pathlib import Path

from csbridge_email_imap.adapter import ImapAdapter
from csbridge_email_imap.testing import DovecotServer, SmtpSink

from csbridge.config import StandardsBook
from csbridge.cycle import Cycle
from csbridge.models import Person, Reminder, Role
from csbridge.simkit import FakeClock
from csbridge.standards import Engine
from csbridge.state import Store

from .standard import RULE, TARGET, WARN, Unanswered

ASKED = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
AGENT = "anna.kowalska@acme.example"
CUSTOMER = "jan.nowak@example.pl"


def conversation() -> tuple[list[bytes], list[bytes]]:
    first = (
        f"From: Jan Nowak <{CUSTOMER}>\r\nTo: support@acme.example\r\nSubject: Faktura\r\n"
        f"Date: Mon, 14 Dec 2026 07:00:00 +0000\r\nMessage-ID: <q1@example.pl>\r\n\r\nDzien dobry, faktura?\r\n"
    ).encode()
    answer = (
        f"From: Anna Kowalska <{AGENT}>\r\nTo: {CUSTOMER}\r\nSubject: Re: Faktura\r\n"
        "Date: Mon, 14 Dec 2026 08:00:00 +0000\r\nMessage-ID: <a1@acme.example>\r\nIn-Reply-To: <q1@example.pl>\r\n"
        "References: <q1@example.pl>\r\n\r\nDzien dobry, sprawdzam. Pozdrawiam, Anna\r\n"
    ).encode()
    again = (
        f"From: Jan Nowak <{CUSTOMER}>\r\nTo: support@acme.example\r\nSubject: Re: Faktura\r\n"
        "Date: Mon, 14 Dec 2026 09:00:00 +0000\r\nMessage-ID: <q2@example.pl>\r\nIn-Reply-To: <a1@acme.example>\r\n"
        "References: <q1@example.pl> <a1@acme.example>\r\n\r\nI co dalej? Zobacz https://example.pl/x\r\n"
    ).encode()
    return [first, again], [answer]


def test_reminder_reaches_the_owning_agent_before_the_deadline(
    dovecot: DovecotServer, smtp_sink: SmtpSink, make_adapter: Callable[..., ImapAdapter], tmp_path: Path
) -> None:
    inbox, sent = conversation()
    dovecot.append("INBOX", inbox)
    dovecot.append("Sent", sent)
    clock = FakeClock(ASKED + timedelta(hours=1))  # before warn_at: nothing yet
    adapter = make_adapter(
        agents={AGENT: {"name": "Anna Kowalska", "id": "a1"}},
        support_addresses=["support@acme.example"],
        smtp={"host": "127.0.0.1", "port": smtp_sink.port, "security": "none", "from": "csbridge@acme.example"},
    )
    cycle = Cycle("mail", adapter, Engine(StandardsBook(), [Unanswered()]), Store(f"sqlite:///{tmp_path}/s.db"),
                  clock)
    assert cycle.run().reminders_sent == 0
    assert smtp_sink.messages == []

    clock.now = ASKED + WARN + timedelta(minutes=5)  # past warn_at, before the deadline
    assert clock.now < ASKED + TARGET
    report = cycle.run()
    assert report.reminders_sent == 1 and report.error is None
    assert len(smtp_sink.messages) == 1
    sent_mail = smtp_sink.messages[0]
    assert sent_mail.rcpt_tos == (AGENT,)
    body = message_from_bytes(sent_mail.content, policy=default)
    assert body.get_content_type() == "text/plain"
    text = body.get_content()
    assert "http" not in text and "<" not in text.replace("<" + AGENT, "")
    assert body["X-Csbridge-Marker"] in text

    ticket_id = next(t.id for p in make_adapter().fetch_changes(None) for t in p.tickets)
    assert body["X-Csbridge-Marker"] in adapter.written_markers(ticket_id)  # a copy is kept for reconciling

    clock.now = ASKED + WARN + timedelta(minutes=30)
    assert cycle.run().reminders_sent == 0  # once per deadline
    assert len(smtp_sink.messages) == 1


def test_a_reminder_never_goes_to_a_customer(
    dovecot: DovecotServer, smtp_sink: SmtpSink, make_adapter: Callable[..., ImapAdapter]
) -> None:
    inbox, _ = conversation()
    dovecot.append("INBOX", inbox)
    adapter = make_adapter(
        agents={AGENT: "Anna Kowalska"},
        smtp={"host": "127.0.0.1", "port": smtp_sink.port, "security": "none", "from": "csbridge@acme.example"},
    )
    ticket = next(t for p in adapter.fetch_changes(None) for t in p.tickets)
    due = ASKED + TARGET

    def reminder(agent: Person | None, marker: str) -> Reminder:
        return Reminder("mail", ticket.id, marker, agent, RULE, due, "Reply soon. [csbridge:" + marker + "]", "")

    results = adapter.deliver_reminders([
        reminder(Person(CUSTOMER, Role.CUSTOMER, "Jan", CUSTOMER), "r-customer"),
        reminder(Person("x", Role.AGENT, "Impostor", CUSTOMER), "r-impostor"),
        reminder(None, "r-nobody"),  # no agent answered yet and no assign rule: nobody owns it
        reminder(Person(AGENT, Role.AGENT, "Anna", AGENT), "r-agent"),
    ])
    assert [(r.marker, r.ok) for r in results] == [
        ("r-customer", False), ("r-impostor", False), ("r-nobody", False), ("r-agent", True)
    ]
    assert not any(r.retry for r in results if not r.ok)
    assert [m.rcpt_tos for m in smtp_sink.messages] == [(AGENT,)]


def test_assign_rule_owns_a_ticket_nobody_answered(
    dovecot: DovecotServer, smtp_sink: SmtpSink, make_adapter: Callable[..., ImapAdapter]
) -> None:
    inbox, _ = conversation()
    dovecot.append("INBOX", inbox[:1])
    adapter = make_adapter(
        agents={AGENT: "Anna Kowalska"},
        assign=[{"agent": AGENT, "domains": ["example.pl"]}],
        priority={"default": "low", "rules": [{"priority": "urgent", "subject_words": ["faktura"]}]},
        smtp={"host": "127.0.0.1", "port": smtp_sink.port, "security": "none", "from": "csbridge@acme.example"},
    )
    ticket = next(t for p in adapter.fetch_changes(None) for t in p.tickets)
    assert ticket.assignee is not None and ticket.assignee.email == AGENT
    assert ticket.priority.value == "urgent"
    result = adapter.deliver_reminders([Reminder("mail", ticket.id, "r-assigned", None, RULE, ASKED + TARGET,
                                                 "Reply soon.", "")])
    assert result[0].ok
    assert [m.rcpt_tos for m in smtp_sink.messages] == [(AGENT,)]
