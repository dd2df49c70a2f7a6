"""Reading tickets: the fast path and the careful path agree; bad input names the field."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csbridge.errors import TicketError
from csbridge.jsonl import _careful_ticket, read_tickets, ticket_from_dict, ticket_to_dict
from csbridge.models import Finding, FindingStatus
from csbridge.sample import generate_helpdesk


def test_fast_and_careful_paths_build_the_same_tickets() -> None:
    for ticket in generate_helpdesk(120, seed=3, start=datetime(2026, 11, 2, 8, tzinfo=UTC), source="acme"):
        data = json.loads(json.dumps(ticket_to_dict(ticket)))
        assert ticket_from_dict(data) == _careful_ticket(data) == ticket


def _message(mid: object, at: str, author: object, **extra: object) -> dict[str, object]:
    return {"id": mid, "author": author, "created_at": at, "body": f"body of {mid}", **extra}


AGENT = {"id": "a1", "role": "agent", "name": "Ana", "email": "ana@acme.example"}
CUSTOMER = {"id": "c1", "name": "Cy"}


@pytest.mark.parametrize(
    "ticket",
    [
        # out of order, with ties: sorted by time, ties kept in their order (as the careful path does)
        {"id": "1", "created_at": "2026-11-02T08:00:00Z", "status": "pending", "priority": "high",
         "messages": [_message("m3", "2026-11-02T10:00:00Z", AGENT), _message("m1", "2026-11-02T08:00:00Z", CUSTOMER),
                      _message("m2", "2026-11-02T10:00:00Z", CUSTOMER, public=0),
                      _message("m0", "2026-11-02T08:00:00+00:00", AGENT, from_csbridge=1)],
         "status_changes": [{"at": "2026-11-02T09:00:00Z", "status": "pending"},
                            {"at": "2026-11-02T08:00:00Z", "status": "new"}],
         "tags": ["vip", 7, None], "assignee": AGENT, "requester": CUSTOMER, "updated_at": "2026-11-02T10:00:00"},
        # numbers where strings are expected, ids missing, naive times, the same person in another role
        {"id": 42, "source": "acme", "created_at": "2026-11-02T08:00:00", "priority": None,
         "messages": [{"author": {"id": 7, "role": "agent"}, "created_at": "2026-11-02T09:00:00"},
                      {"author": {**AGENT, "role": "customer"}, "created_at": "2026-11-02T09:30:00Z", "body": 5}],
         "assignee": {"id": "a1", "role": "agent", "name": "Ana", "email": "other@acme.example"}},
        # the same people again, from the cache this time
        {"id": "2", "created_at": "2026-11-02T08:00:00Z", "assignee": AGENT, "requester": CUSTOMER,
         "messages": [_message("m1", "2026-11-02T08:00:00Z", CUSTOMER), _message("m2", "2026-11-02T08:10:00Z", AGENT)]},
    ],
)
def test_fast_path_builds_what_the_careful_path_builds(ticket: dict[str, object]) -> None:
    for _ in range(2):  # the second time people come from the cache
        built = ticket_from_dict(json.loads(json.dumps(ticket)))
        careful = _careful_ticket(json.loads(json.dumps(ticket)))
        assert built == careful and hash(built) == hash(careful) and repr(built) == repr(careful)
        assert [m.id for m in built.messages] == [m.id for m in careful.messages]
        assert [(p.id, p.role, p.email) for p in (built.assignee, built.requester) if p] == \
            [(p.id, p.role, p.email) for p in (careful.assignee, careful.requester) if p]


def test_built_tickets_stay_immutable() -> None:
    ticket = ticket_from_dict({"id": "1", "created_at": "2026-11-02T08:15:00Z", "messages": [
        _message("m1", "2026-11-02T08:15:00Z", CUSTOMER)]})
    with pytest.raises(AttributeError):
        ticket.id = "2"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        ticket.messages[0].body = "changed"  # type: ignore[misc]
    assert dataclasses.replace(ticket, id="2").messages == ticket.messages


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
        # the fast path accepted these three, and a number of status changes broke reading
        ({"messages": {}}, "messages: expected a list"),
        ({"messages": [{"id": "m1", "author": None, "created_at": "2026-11-02T08:15:00Z"}]}, "messages[0].author: missing"),
        ({"status_changes": 5}, "status_changes: expected a list"),
        # valid ISO-8601, but business time from year 1 would walk 740,000 calendar days
        ({"created_at": "0001-01-01T00:00:00Z"}, "created_at: time '0001-01-01T00:00:00Z' is out of range"),
        ({"messages": [_message("m1", "9999-12-31T23:59:59Z", CUSTOMER)]},
         "messages[0].created_at: time '9999-12-31T23:59:59Z' is out of range"),
        ({"status_changes": [{"at": "1900-01-01T00:00:00Z", "status": "pending"}]},
         "status_changes[0].at: time '1900-01-01T00:00:00Z' is out of range"),
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


_TICKET_LINE = json.dumps({"id": "7", "created_at": "2026-11-02T08:15:00Z", "subject": "Zażółć — ok",
                           "messages": [_message("m1", "2026-11-02T08:15:00Z", CUSTOMER)]}, ensure_ascii=False)
# pieces of lines, and the ways a line can end, that text and binary reading could split differently
_PIECES = [_TICKET_LINE, _TICKET_LINE.replace('"subject"', '"subject":\r "x", "s"'), '{"id": "8", "created_at": 5}',
           "{broken", "  ", "\t", "\u2028", "\x85", "\x1c", "\ufeff", "[1]", '{"id": 123456789012345678901234567890, '
           '"created_at": "2026-11-02T08:15:00Z"}', "é"]
_ENDS = ["\n", "\r\n", "\r", ""]


def _read(stream: io.IOBase) -> tuple[list[Any], list[str]]:
    errors: list[str] = []
    return list(read_tickets(stream, errors)), errors  # type: ignore[arg-type]


@given(st.lists(st.tuples(st.lists(st.sampled_from(_PIECES), max_size=3), st.sampled_from(_ENDS)), max_size=8))
@settings(max_examples=300, deadline=None)
def test_binary_stream_is_read_as_the_utf8_text_file_is(lines: list[tuple[list[str], str]]) -> None:
    data = "".join("".join(pieces) + end for pieces, end in lines).encode("utf-8")
    as_text = _read(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert _read(io.BytesIO(data)) == as_text


def test_invalid_utf8_fails_as_reading_the_text_file_does() -> None:
    data = (_TICKET_LINE + "\n").encode("utf-8") + b'{"id": "\xff"}\n'
    for stream in (io.BytesIO(data), io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")):
        with pytest.raises(UnicodeDecodeError):
            _read(stream)  # type: ignore[arg-type]


@given(st.datetimes(timezones=st.one_of(st.none(), st.timezones())))
@settings(max_examples=300, deadline=None)
def test_format_time_writes_what_strftime_writes(value: datetime) -> None:
    from csbridge.jsonl import format_time

    try:
        expected = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):  # beyond the range of datetime in UTC
        return
    assert format_time(value) == expected


_TEXT = st.text(st.characters(codec="utf-8"), max_size=20)


@given(st.builds(
    Finding, _TEXT, _TEXT, _TEXT, st.sampled_from(FindingStatus), _TEXT, st.none() | _TEXT, st.none() | _TEXT,
    st.none() | st.datetimes(min_value=datetime(1000, 1, 2), timezones=st.just(UTC)), _TEXT))
@settings(max_examples=300, deadline=None)
def test_any_finding_json_is_what_json_dumps_writes(finding: Finding) -> None:
    from csbridge.jsonl import finding_to_dict, finding_to_json

    assert finding_to_json(finding) == json.dumps(finding_to_dict(finding), ensure_ascii=False)
