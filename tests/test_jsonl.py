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


def test_finding_json_is_what_json_dumps_writes() -> None:
    from csbridge.jsonl import finding_to_dict, finding_to_json
    from csbridge.models import Finding, FindingStatus

    findings = [
        Finding("acme", "1", "courtesy.rude", FindingStatus.BREACHED, 'He said "idiot" \\ \n\tźle — ok\u2028',
                "a1", "m1", datetime(2026, 11, 2, 8, 15, tzinfo=UTC), "Fix \x01 it", quote="idiot"),
        Finding("acme", "2", "response_time.first_reply", FindingStatus.MET, "fine"),
    ]
    for finding in findings:
        assert finding_to_json(finding) == json.dumps(finding_to_dict(finding), ensure_ascii=False)


def test_numbers_beyond_64_bits_and_unusual_json_are_read_like_json_reads_them() -> None:
    big = '{"id": 123456789012345678901234567890, "created_at": "2026-11-02T08:15:00Z"}'
    nan = '{"id": "2", "created_at": "2026-11-02T08:15:00Z", "messages": [], "x": NaN}'
    errors: list[str] = []
    tickets = list(read_tickets(io.StringIO(f"{big}\n{nan}\n"), errors))
    assert [t.id for t in tickets] == ["123456789012345678901234567890", "2"] and errors == []
