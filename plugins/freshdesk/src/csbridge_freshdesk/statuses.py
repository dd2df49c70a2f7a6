"""Custom ticket statuses: Freshdesk numbers them from 6 up; the config maps them.

``custom_statuses`` in the source's table maps a status number (``"6"``) or its
agent-facing name (``"Waiting on Customer"``) to a csbridge status. Names are
resolved through ``GET /api/v2/ticket_fields`` (the ``status`` field's
``choices``: ``{"6": ["Waiting on Customer", "Awaiting your reply"], ...}``),
read once and only when a ticket has a custom status the numbers do not cover.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from csbridge.models import Status

log = logging.getLogger(__name__)


def parse_custom_statuses(table: Any) -> dict[str, Status]:
    """Validate the config table (or its one-line form ``"6=pending, Waiting on
    Third Party=on_hold"``); raises ValueError naming the bad entry."""
    if isinstance(table, str):
        pairs = [p.partition("=") for p in table.split(",") if p.strip()]
        if any(not sep for _, sep, _ in pairs):
            raise ValueError(f"expected 'NUMBER or NAME=STATUS, ...', got {table!r}")
        table = {k.strip(): v.strip() for k, _, v in pairs}
    if not isinstance(table, dict):
        raise ValueError("expected a table of status number or name = csbridge status")
    result: dict[str, Status] = {}
    names = ", ".join(s.value for s in Status)
    for key, value in table.items():
        try:
            result[str(key)] = Status(value)
        except ValueError:
            raise ValueError(f"{key!r}: unknown csbridge status {value!r} (expected one of {names})") from None
    return result


class CustomStatuses:
    """Resolves custom status numbers; ``fields`` fetches the ticket fields once."""

    def __init__(self, config: Mapping[str, Status], fields: Callable[[], list[dict[str, Any]]]) -> None:
        self.by_number: dict[int, Status] = {int(k): v for k, v in config.items() if k.isdigit()}
        self.by_name = {k.casefold(): v for k, v in config.items() if not k.isdigit()}
        self.fields = fields
        self.resolved = not self.by_name
        self.warned: set[int] = set()

    def lookup(self, number: Any) -> Mapping[int, Status]:
        """The number-to-status table, with names resolved if ``number`` needs them."""
        if isinstance(number, int) and number > 5 and number not in self.by_number:
            if not self.resolved:
                self.resolve()
            if number not in self.by_number and number not in self.warned:
                self.warned.add(number)
                log.warning("custom status %s is not in custom_statuses; counted as open", number)
        return self.by_number

    def resolve(self) -> None:
        self.resolved = True
        for field in self.fields():
            if field.get("name") != "status" or not isinstance(field.get("choices"), dict):
                continue
            for number, labels in field["choices"].items():
                names = labels if isinstance(labels, list) else [labels]
                for name in names:
                    status = self.by_name.get(str(name).casefold())
                    if status is not None and str(number).isdigit():
                        self.by_number.setdefault(int(number), status)
