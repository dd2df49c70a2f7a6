"""Reading tickets: the fast path and the careful path agree; bad input names the field."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest

from csbridge.errors import TicketError
from csbridge.jsonl import _careful_ticket, read_tickets, ticket_from_dict, ticket_to_dict
from csbridge.sample import generate_helpdesk


def test_fast_and_careful_paths_build_the_same_tickets() -> None:
    for ticket in generate_helpdesk(120, seed=3, start=datetime(2026, 11, 2, 8, tzinfo=UTC), source="acme"):
        data = json.loads(json.dumps(ticket_to_dict(ticket)))
        assert ticket_from_dict(data) == _careful_ticket(data) == ticket


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"created_at": "yesterday"}, "created_at: bad time 'yesterday'"),
        ({"status": "waiting"}, "status: unknown value 'waiting'"),
        ({"priority": 3}, "priority: unknown value 3"),
        ({"messages": [{"id": "m1", "created_at": "2026-11-02T08:15:00Z"}]}, "messages[0].author: missing"),
        ({"messages": [{"id": "m1", "author": {"id": "c1", "role": "boss"}, "created_at": "2026-11-02T08:15:00Z"}]},
         "messages[0].author.role: unknown role 'boss'"),
        ({"id": None}, "id: missing"),
    ],
)
def test_bad_tickets_name_the_field(change: dict[str, object], problem: str) -> None:
    data = {"id": "1", "created_at": "2026-11-02T08:15:00Z", "messages": []}
    data.update(change)
    with pytest.raises(TicketError) as info:
        ticket_from_dict(data)
    assert problem in str(info.value)


def test_read_tickets_reports_line_numbers_and_goes_on() -> None:
    good = json.dumps({"id": "1", "created_at": "2026-11-02T08:15:00Z"})
    errors: list[str] = []
    tickets = list(read_tickets(io.StringIO(f"{good}\n{{broken\n\n{good}\n[1]\n"), errors))
    assert [t.id for t in tickets] == ["1", "1"]
    assert errors[0].startswith("line 2: not valid JSON") and errors[1] == "line 5: expected a JSON object"
