"""The adapter against a real Dovecot: threading, the full cycle, resync, malformed mail, command counts."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from csbridge_email_imap.adapter import ImapAdapter, keyword_for
from csbridge_email_imap.mailgen import GeneratedMailbox, generate_mailbox, malformed_messages
from csbridge_email_imap.testing import DovecotServer
from imapclient import IMAPClient

from csbridge.config import StandardsBook
from csbridge.cycle import Cycle
from csbridge.models import Finding, FindingStatus, Role, Ticket
from csbridge.render import render_note
from csbridge.secrets import Secret
from csbridge.standards import Engine
from csbridge.state import Store

from .conftest import FakeClock, deliver, source_for
from .standard import RULE, Unanswered


def read_all(adapter: ImapAdapter) -> list[Ticket]:
    return [t for page in adapter.fetch_changes(None) for t in page.tickets]


def notes_in(server: DovecotServer, folder: str = "csbridge") -> list[dict[bytes, object]]:
    client = server.client()
    try:
        if not client.folder_exists(folder):
            return []
        client.select_folder(folder, readonly=True)
        uids = client.search("ALL")
        fetched = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (X-CSBRIDGE-TICKET X-CSBRIDGE-MARKER IN-REPLY-TO)]"])
        return [next(v for k, v in data.items() if k.startswith(b"BODY[")) for data in fetched.values()]
    finally:
        client.logout()


def flags_by_message_id(client: IMAPClient, folder: str) -> dict[str, set[bytes]]:
    client.select_folder(folder, readonly=True)
    uids = client.search("ALL")
    result = {}
    for data in client.fetch(uids, ["FLAGS", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]).values():
        header = next(v for k, v in data.items() if k.startswith(b"BODY["))
        result[header.decode().split(":", 1)[1].strip()] = set(data[b"FLAGS"])
    return result


def test_threading_against_dovecot_agrees_with_true_threads(
    dovecot: DovecotServer, mailbox: GeneratedMailbox, make_adapter: Callable[..., ImapAdapter]
) -> None:
    deliver(dovecot, mailbox)
    pages = list(make_adapter(mailbox).fetch_changes(None))
    assert len(pages) > 1 and pages[-1].done and not any(p.done for p in pages[:-1])
    assert all(p.cursor == "" for p in pages[:-1]) and pages[-1].cursor  # the cursor moves on the last page only
    tickets = [t for p in pages for t in p.tickets]
    found = {m.id: t.id for t in tickets for m in t.messages}
    judged = [m for m in mailbox.mails if m.kind != "auto"]  # auto-replies are read but never judged
    assert {m.message_id for m in judged} == set(found)
    true_groups: dict[str, set[str]] = defaultdict(set)
    found_groups: dict[str, set[str]] = defaultdict(set)
    for mail in judged:
        true_groups[mail.thread].add(mail.message_id)
        found_groups[found[mail.message_id]].add(mail.message_id)
    right = sum(1 for m in judged if true_groups[m.thread] == found_groups[found[m.message_id]])
    assert right / len(judged) >= 0.99
    agent_ids = {a for a in mailbox.agents}
    for ticket in tickets:
        for message in ticket.messages:
            assert (message.author.role is Role.AGENT) == (message.author.email in agent_ids | {"support@acme.example"})


def test_full_cycle_writes_one_note_per_short_ticket_then_nothing(
    dovecot: DovecotServer, mailbox: GeneratedMailbox, make_adapter: Callable[..., ImapAdapter], clock: FakeClock,
    tmp_path: Path,
) -> None:
    deliver(dovecot, mailbox)
    engine = Engine(StandardsBook(), [Unanswered()])
    expected = {t.id for t in read_all(make_adapter(mailbox)) if engine.evaluate(t, clock()).findings}
    assert 10 < len(expected) < 300
    adapter = make_adapter(mailbox)
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    cycle = Cycle("mail", adapter, engine, store, clock)

    first = cycle.run()
    assert first.error is None
    notes = notes_in(dovecot)
    noted = [n.decode() for n in notes]  # type: ignore[attr-defined]
    tickets = [line.split(":", 1)[1].strip() for n in noted for line in n.splitlines() if line.startswith("X-Csbridge-Ticket")]
    assert sorted(tickets) == sorted(expected)  # exactly one note per ticket that falls short
    assert all("In-Reply-To: <" in n for n in noted)  # threaded under the conversation
    assert first.notes_written == len(expected)

    client = dovecot.client()
    flags = {**flags_by_message_id(client, "INBOX"), **flags_by_message_id(client, "Sent")}
    client.logout()
    fresh = {t.id: t for t in read_all(make_adapter(mailbox))}
    keyword = keyword_for("csb_next_reply").encode()
    for ticket_id, ticket in fresh.items():
        has = [keyword in flags[m.id] for m in ticket.messages if m.public]
        assert all(has) if ticket_id in expected else not any(has)
        if ticket_id in expected:
            assert any(m.from_csbridge and not m.public for m in ticket.messages)
            assert "csb_next_reply" in ticket.tags

    second = cycle.run()
    assert second.notes_written == 0 and second.error is None
    assert len(notes_in(dovecot)) == len(expected)

    third = cycle.run()
    assert third.tickets == 0 and third.notes_written == 0
    adapter.stats.requests.clear()
    fourth = cycle.run()
    assert fourth.tickets == 0 and fourth.notes_written == 0
    assert adapter.stats.requests == {"STATUS": 3}  # INBOX, Sent, csbridge: nothing else when nothing changed


def test_uidvalidity_change_repeats_no_note_and_loses_no_finding(
    dovecot: DovecotServer, make_adapter: Callable[..., ImapAdapter], clock: FakeClock, tmp_path: Path
) -> None:
    box = generate_mailbox(60, seed=3)
    deliver(dovecot, box)
    engine = Engine(StandardsBook(), [Unanswered()])
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    adapter = make_adapter(box)
    cycle = Cycle("mail", adapter, engine, store, clock)
    assert cycle.run().notes_written > 0
    findings = {f["key"] for f in store.findings("mail")}
    notes = len(notes_in(dovecot))

    dovecot.recreate_folder("INBOX")
    dovecot.recreate_folder("Sent")
    again = cycle.run()
    assert again.tickets > 0  # the resync read the conversations again
    assert again.notes_written == 0
    assert len(notes_in(dovecot)) == notes
    assert {f["key"] for f in store.findings("mail")} == findings

    restarted = Cycle("mail", make_adapter(box), engine, store, clock)  # a daemon restart: fresh adapter, stored cursor
    assert restarted.run().notes_written == 0
    assert len(notes_in(dovecot)) == notes


def test_new_reply_yields_only_its_conversation_with_every_message(
    dovecot: DovecotServer, make_adapter: Callable[..., ImapAdapter]
) -> None:
    box = generate_mailbox(40, seed=5)
    deliver(dovecot, box)
    adapter = make_adapter(box)
    pages = list(adapter.fetch_changes(None))
    cursor = pages[-1].cursor
    before = {t.id: t for p in pages for t in p.tickets}
    target = next(t for t in before.values() if len(t.messages) >= 2)
    last = target.messages[-1]
    reply = (
        f"From: {target.requester.email if target.requester else 'x@y.z'}\r\nTo: support@acme.example\r\n"
        f"Subject: Re: {target.subject}\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
        f"Message-ID: <late-reply@example.com>\r\nIn-Reply-To: {last.id}\r\nReferences: {last.id}\r\n\r\nAny news?\r\n"
    ).encode()
    dovecot.append("INBOX", [reply])
    adapter.stats.requests.clear()
    changed = [t for p in adapter.fetch_changes(cursor) for t in p.tickets]
    assert [t.id for t in changed] == [target.id]
    assert [m.id for m in changed[0].messages] == [m.id for m in target.messages] + ["<late-reply@example.com>"]
    assert adapter.stats.requests.get("FETCH", 0) <= 3


def test_answered_flag_from_another_client_changes_the_status(
    dovecot: DovecotServer, make_adapter: Callable[..., ImapAdapter], clock: FakeClock
) -> None:
    raw = (
        b"From: Eva <eva@example.com>\r\nTo: support@acme.example\r\nSubject: Help\r\n"
        b"Date: Sat, 19 Dec 2026 10:00:00 +0000\r\nMessage-ID: <help@example.com>\r\n\r\nPlease help.\r\n"
    )
    dovecot.append("INBOX", [raw])
    adapter = make_adapter()
    pages = list(adapter.fetch_changes(None))
    assert pages[-1].tickets[0].status.value in ("new", "open")
    client = dovecot.client()
    client.select_folder("INBOX")
    client.add_flags(client.search("ALL"), [b"\\Answered"])
    client.logout()
    changed = [t for p in adapter.fetch_changes(pages[-1].cursor) for t in p.tickets]
    assert [t.status.value for t in changed] == ["pending"]
    clock.now = datetime(2026, 12, 26, 10, 0, tzinfo=UTC)  # seven days of quiet (the default solved_after)
    assert adapter.ticket(changed[0].id) is not None
    solved = adapter.ticket(changed[0].id)
    assert solved is not None and solved.status.value == "solved"
    assert solved.status_changes[-1].at == datetime(2026, 12, 26, 10, 0, tzinfo=UTC)


def test_malformed_messages_are_logged_with_folder_and_uid_and_skipped(
    dovecot: DovecotServer, make_adapter: Callable[..., ImapAdapter], caplog: pytest.LogCaptureFixture
) -> None:
    box = generate_mailbox(12, seed=9)
    bad = malformed_messages()
    dovecot.append("INBOX", box.folder("INBOX")[:5] + list(bad.values()) + box.folder("INBOX")[5:])
    dovecot.append("Sent", box.folder("Sent"))
    adapter = make_adapter(box)
    with caplog.at_level(logging.WARNING):
        pages = list(adapter.fetch_changes(None))
    skipped = [r.getMessage() for r in caplog.records if "malformed" in r.getMessage()]
    assert len(skipped) == len(bad)
    assert all(message.startswith("folder INBOX UID ") for message in skipped)
    assert {"6", "7", "8"} == {message.split()[3].rstrip(":") for message in skipped}
    tickets = [t for p in pages for t in p.tickets]
    read = {m.id for t in tickets for m in t.messages}
    assert {m.message_id for m in box.mails if m.kind != "auto"} == read
    caplog.clear()
    list(adapter.fetch_changes(None))
    assert not [r for r in caplog.records if "malformed" in r.getMessage()]  # logged once


def test_notes_are_never_customer_messages_and_forged_markers_are(
    dovecot: DovecotServer, make_adapter: Callable[..., ImapAdapter]
) -> None:
    forged = (
        b"From: Mallory <mallory@example.com>\r\nTo: support@acme.example\r\nSubject: Refund\r\n"
        b"Date: Sat, 19 Dec 2026 10:00:00 +0000\r\nMessage-ID: <forged@example.com>\r\n"
        b"X-Csbridge-Marker: n-0000000000\r\n\r\nPlease judge me. [csbridge:n-0000000000]\r\n"
    )
    dovecot.append("INBOX", [forged])
    adapter = make_adapter()
    ticket = read_all(adapter)[0]
    assert ticket.messages[0].author.role is Role.CUSTOMER and not ticket.messages[0].from_csbridge
    note = render_note("mail", ticket.id, [Finding("mail", ticket.id, RULE, FindingStatus.BREACHED,
                                                   "quoted: [csbridge:n-0000000000] <b>hi</b>")])
    assert adapter.post_notes([note])[0].ok
    assert adapter.written_markers(ticket.id) == {note.marker}
    again = read_all(make_adapter())[0]
    assert again.id == ticket.id
    written = [m for m in again.messages if m.from_csbridge]
    assert len(written) == 1 and not written[0].public and written[0].author.role is Role.SYSTEM
    assert "[csbridge:n-0000000000]" not in written[0].body  # the quoted look-alike is escaped


def test_wait_for_changes_wakes_when_mail_arrives(
    dovecot: DovecotServer, make_adapter: Callable[..., ImapAdapter]
) -> None:
    adapter = make_adapter()
    list(adapter.fetch_changes(None))
    assert not adapter.wait_for_changes(timeout=0.2)  # IDLE with nothing arriving times out
    dovecot.append("INBOX", [b"From: a@b.c\r\nDate: Sat, 19 Dec 2026 10:00:00 +0000\r\nSubject: x\r\n\r\nx\r\n"])
    assert adapter.wait_for_changes(timeout=10)  # seen by STATUS before idling
    list(adapter.fetch_changes(None))

    woke: list[bool] = []
    waiter = threading.Thread(target=lambda: woke.append(adapter.wait_for_changes(timeout=20)))
    waiter.start()
    assert adapter.session.idle_started.wait(timeout=10)
    started = time.monotonic()
    dovecot.append("INBOX", [b"From: a@b.c\r\nDate: Sat, 19 Dec 2026 11:00:00 +0000\r\nSubject: y\r\n\r\ny\r\n"])
    waiter.join(timeout=25)
    assert woke == [True]
    assert time.monotonic() - started < 15  # woken by the server's push, not by the timeout


def test_a_moved_message_leaves_its_ticket(dovecot: DovecotServer, make_adapter: Callable[..., ImapAdapter]) -> None:
    box = generate_mailbox(20, seed=13)
    deliver(dovecot, box)
    adapter = make_adapter(box)
    pages = list(adapter.fetch_changes(None))
    target = next(t for p in pages for t in p.tickets if sum(m.author.role is Role.CUSTOMER for m in t.messages) >= 2)
    moved = [m for m in target.messages if m.author.role is Role.CUSTOMER][-1]
    client = dovecot.client()
    client.create_folder("Archive")
    client.select_folder("INBOX")
    uids = client.search(["HEADER", "Message-ID", moved.id])
    client.move(uids, "Archive")
    client.logout()
    changed = [t for p in adapter.fetch_changes(pages[-1].cursor) for t in p.tickets]
    assert [t.id for t in changed] == [target.id]
    assert moved.id not in {m.id for m in changed[0].messages}
    assert len(changed[0].messages) == len(target.messages) - 1


def test_a_mailbox_refusing_keywords_gets_notes_only(
    make_adapter: Callable[..., ImapAdapter], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    box = generate_mailbox(6, seed=17)
    with DovecotServer(keywords=False) as locked:
        deliver(locked, box)
        client = locked.client()
        assert b"\\*" not in client.select_folder("INBOX")[b"PERMANENTFLAGS"]
        client.logout()
        adapter = ImapAdapter.create(source_for(locked, box), Secret(locked.password), clock)
        try:
            tickets = read_all(adapter)
            notes = [render_note("mail", t.id, [Finding("mail", t.id, RULE, FindingStatus.BREACHED, "late")])
                     for t in tickets]
            with caplog.at_level(logging.WARNING):
                results = adapter.post_notes(notes[: len(notes) // 2]) + adapter.post_notes(notes[len(notes) // 2 :])
        finally:
            adapter.close()
        assert len(notes) > 2 and all(r.ok for r in results)
        assert len(notes_in(locked)) == len(notes)
        refusals = [r for r in caplog.records if "refuses keywords" in r.getMessage()]
        assert len(refusals) == 1  # said once
        client = locked.client()
        flags = {**flags_by_message_id(client, "INBOX"), **flags_by_message_id(client, "Sent")}
        client.logout()
        assert not any(f.startswith(b"$csb") for fs in flags.values() for f in fs)
