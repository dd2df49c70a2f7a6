"""Fixtures of the email_imap tests: a real Dovecot, a real SMTP server, a generated mailbox.

A missing Dovecot makes these tests fail with how to install it; they never skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from csbridge_email_imap.adapter import ImapAdapter
from csbridge_email_imap.mailgen import GeneratedMailbox, generate_mailbox
from csbridge_email_imap.testing import DovecotMissing, DovecotServer, SmtpSink

from csbridge.config import SourceConfig
from csbridge.secrets import Secret
from csbridge.simkit import FakeClock


@pytest.fixture
def dovecot() -> Iterator[DovecotServer]:
    """A fresh Dovecot with an empty mailbox, on a free loopback port."""
    try:
        server = DovecotServer().start()
    except DovecotMissing as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """An aiosmtpd server on loopback collecting every message."""
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="session")
def mailbox() -> GeneratedMailbox:
    """Three hundred generated conversations in six languages (deterministic)."""
    return generate_mailbox(300, seed=7)


@pytest.fixture
def clock() -> FakeClock:
    """Ten days after the generated mailbox's last mail could be sent."""
    return FakeClock(datetime(2026, 12, 20, 12, 0, tzinfo=UTC))


def source_for(server: DovecotServer, box: GeneratedMailbox | None = None, **options: Any) -> SourceConfig:
    """The [sources.mail] table of a config pointing at ``server``."""
    base: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "security": "none",
        "username": server.username,
    }
    if box is not None:
        base["support_addresses"] = [box.support_address]
        base["agents"] = dict(box.agents)
    base.update(options)
    return SourceConfig("mail", "email_imap", base)


@pytest.fixture
def make_adapter(dovecot: DovecotServer, clock: FakeClock) -> Iterator[Callable[..., ImapAdapter]]:
    """Build connected adapters on the test's Dovecot; all are closed afterwards."""
    made: list[ImapAdapter] = []

    def make(box: GeneratedMailbox | None = None, **options: Any) -> ImapAdapter:
        adapter = ImapAdapter.create(source_for(dovecot, box, **options), Secret(dovecot.password), clock)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


def deliver(server: DovecotServer, box: GeneratedMailbox) -> None:
    """APPEND every generated mail to its folder."""
    for folder in sorted({m.folder for m in box.mails}):
        server.append(folder, box.folder(folder))
