"""IMAP support-mailbox adapter for csbridge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csbridge.hookspecs import hookimpl
from csbridge_email_imap.adapter import ImapAdapter


@hookimpl
def register_adapters(register: Callable[[Any], None]) -> None:
    register(ImapAdapter)
