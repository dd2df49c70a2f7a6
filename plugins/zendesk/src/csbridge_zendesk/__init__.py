"""Zendesk Support adapter for csbridge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csbridge.hookspecs import hookimpl


@hookimpl
def register_adapters(register: Callable[[Any], None]) -> None:
    from csbridge_zendesk.adapter import ZendeskAdapter  # imported when adapters are wanted: `evaluate` needs none

    register(ZendeskAdapter)


@hookimpl
def register_simulators(register: Callable[[Any], None]) -> None:
    from csbridge_zendesk.demo import ZendeskDemo

    register(ZendeskDemo())
