"""Secrets: keyring first, then the environment; never shown."""

from __future__ import annotations

import pytest

from csbridge.errors import CredentialError
from csbridge.secrets import Secret, env_name, get_secret


def test_env_fallback_and_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_name("acme-eu") == "CSBRIDGE_ACME_EU_TOKEN"
    monkeypatch.setenv("CSBRIDGE_ACME_EU_TOKEN", "s3cr3t-value")
    secret = get_secret("acme-eu")
    assert secret.reveal() == "s3cr3t-value"
    assert "s3cr3t" not in repr(secret) and "s3cr3t" not in str(secret) and "s3cr3t" not in f"{secret}"


def test_missing_secret_says_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CSBRIDGE_NOPE_TOKEN", raising=False)
    monkeypatch.setattr("csbridge.secrets._from_keyring", lambda source: None)
    with pytest.raises(CredentialError) as info:
        get_secret("nope")
    assert "csbridge credentials set nope" in str(info.value) and "CSBRIDGE_NOPE_TOKEN" in str(info.value)


def test_secret_equality_without_showing() -> None:
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
