"""Freshdesk adapter for csbridge, with a local Freshdesk simulator for tests and the demo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csbridge.hookspecs import hookimpl


@hookimpl
def register_adapters(register: Callable[[Any], None]) -> None:
    from csbridge_freshdesk.adapter import FreshdeskAdapter  # imported when adapters are wanted: `evaluate` needs none

    register(FreshdeskAdapter)


@hookimpl
def register_simulators(register: Callable[[Any], None]) -> None:
    from csbridge_freshdesk.demo import FreshdeskDemo

    register(FreshdeskDemo())
