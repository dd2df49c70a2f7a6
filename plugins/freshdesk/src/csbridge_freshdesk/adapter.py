"""The freshdesk adapter (registers itself; the real work lands in its own issue)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from csbridge.config import Option, SourceConfig
from csbridge.errors import CsbridgeError
from csbridge.secrets import Secret


class FreshdeskAdapter:
    name: ClassVar[str] = "freshdesk"
    options: ClassVar[Mapping[str, Option]] = {}
    needs_secret: ClassVar[bool] = True

    @classmethod
    def create(cls, source: SourceConfig, secret: Secret | None, clock: Any) -> Any:
        raise CsbridgeError("the freshdesk adapter is not implemented yet")
