"""IMAP support-mailbox adapter for csbridge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csbridge.hookspecs import hookimpl


@hookimpl
def register_adapters(register: Callable[[Any], None]) -> None:
    from csbridge_email_imap.adapter import ImapAdapter  # imported when adapters are wanted: `evaluate` needs none

    register(ImapAdapter)
