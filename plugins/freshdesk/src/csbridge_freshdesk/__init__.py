"""Freshdesk adapter for csbridge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csbridge.hookspecs import hookimpl
from csbridge_freshdesk.adapter import FreshdeskAdapter


@hookimpl
def register_adapters(register: Callable[[Any], None]) -> None:
    register(FreshdeskAdapter)
