"""Config of an IMAP source and discovery of the plugin after pip install."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from csbridge_email_imap.adapter import ImapAdapter
from csbridge_email_imap.settings import parse_settings
from csbridge_email_imap.testing import DovecotServer

from csbridge.config import SourceConfig
from csbridge.errors import AdapterError, AuthError, ConfigError, CredentialError
from csbridge.plugins import load_plugins
from csbridge.secrets import Secret


def source(**options: object) -> SourceConfig:
    return SourceConfig("mail", "email_imap", {"host": "imap.example.com", "username": "support", **options},
                        config_file="csbridge.toml")


def now() -> datetime:
    return datetime(2026, 12, 1, tzinfo=UTC)


def test_plain_imap_is_refused_unless_the_host_is_loopback() -> None:
    with pytest.raises(ConfigError) as caught:
        ImapAdapter.create(source(security="none"), Secret("pw"), now)
    assert "sources.mail.security" in str(caught.value) and "loopback" in str(caught.value)
    assert parse_settings(source(host="127.0.0.1", security="none")).port == 143
    assert parse_settings(source(host="::1", security="none")).security == "none"


def test_defaults_and_bad_values() -> None:
    settings = parse_settings(source())
    assert (settings.security, settings.port, settings.folders, settings.notes_folder) == ("tls", 993, ("INBOX",),
                                                                                        "csbridge")
    assert settings.sent_folder is None and settings.smtp is None
    with pytest.raises(ConfigError, match=r"sources\.mail\.smtp\.security"):
        parse_settings(source(smtp={"host": "smtp.example.com", "from": "a@b.c", "security": "none"}))
    with pytest.raises(ConfigError, match="priority"):
        parse_settings(source(priority={"default": "asap"}))
    with pytest.raises(ConfigError, match="solved_after"):
        parse_settings(source(solved_after="soon"))


def test_no_password_and_wrong_password(dovecot: DovecotServer) -> None:
    options = {"host": "127.0.0.1", "port": dovecot.port, "security": "none", "username": dovecot.username}
    src = SourceConfig("mail", "email_imap", options)
    with pytest.raises(CredentialError):
        ImapAdapter.create(src, None, now)
    with pytest.raises(AuthError) as caught:
        ImapAdapter.create(src, Secret("wrong-password-123"), now)
    assert "wrong-password-123" not in str(caught.value)


def test_sent_folder_from_special_use_else_sent(dovecot: DovecotServer) -> None:
    dovecot.append("Outbox", [b"From: a@b.c\r\nDate: Sat, 19 Dec 2026 10:00:00 +0000\r\nSubject: x\r\n\r\nx\r\n"])
    options = {"host": "127.0.0.1", "port": dovecot.port, "security": "none", "username": dovecot.username}
    adapter = ImapAdapter.create(SourceConfig("mail", "email_imap", options), Secret(dovecot.password), now)
    try:
        assert adapter.read_folders == ["INBOX", "Sent", "csbridge"]
        assert "INBOX: 0 messages" in adapter.check_access()
    finally:
        adapter.close()
    options["sent_folder"] = "Outbox"
    options["folders"] = ["INBOX", "Missing"]
    adapter = ImapAdapter.create(SourceConfig("mail", "email_imap", options), Secret(dovecot.password), now)
    try:
        assert adapter.read_folders == ["INBOX", "Missing", "Outbox", "csbridge"]
        with pytest.raises(AdapterError, match="Missing"):
            adapter.check_access()
    finally:
        adapter.close()


def test_plugin_is_discovered_through_its_entry_point() -> None:
    host = load_plugins()
    assert host.adapters["email_imap"] is ImapAdapter
    info = next(p for p in host.plugins if p.name == "email_imap")
    assert info.distribution == "csbridge-email-imap" and not info.error
    assert set(host.adapter_options["email_imap"]) >= {
        "host", "port", "security", "username", "folders", "sent_folder", "support_addresses", "agents",
        "notes_folder", "smtp",
    }
