"""Built-in standard `response_time` (work in progress: registers itself, checks nothing yet)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csbridge.config import StandardsBook
from csbridge.hookspecs import hookimpl
from csbridge.standards import Check


class _Standard:
    name = "response_time"

    def configure(self, book: StandardsBook) -> Check | None:
        return None


@hookimpl
def register_standards(register: Callable[[Any], None]) -> None:
    register(_Standard())
