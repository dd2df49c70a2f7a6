"""``csbridge evaluate`` end to end: JSON Lines in, findings as JSON Lines out."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from csbridge.cli import main
from csbridge.jsonl import ticket_to_dict
from csbridge.models import Message, Person, Priority, Role, Status, Ticket

WARSAW = ZoneInfo("Europe/Warsaw")
KEYS = {"source", "ticket_id", "rule", "status", "agent_id", "message_id", "due_at", "detail"}
CUSTOMER = Person("c1", Role.CUSTOMER, "Ana")
AGENT = Person("a1", Role.AGENT, "Bob")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


def ticket(ticket_id: str, *messages: Message, priority: Priority = Priority.NORMAL) -> Ticket:
    return Ticket(ticket_id, "acme", "Printer", Status.OPEN, priority, messages[0].created_at, messages, assignee=AGENT)


LATE = ticket(
    "1",
    Message("m1", CUSTOMER, True, local(2026, 11, 2, 9, 15), "Hello, my printer is broken."),
    Message("m2", AGENT, True, local(2026, 11, 3, 10, 55), "Hello Ana, we are on it. Best regards, Bob"),
)
QUICK = ticket(
    "2",
    Message("m1", CUSTOMER, True, local(2026, 11, 2, 9), "Hello, where is my order?"),
    Message("m2", AGENT, True, local(2026, 11, 2, 10), "Hello Ana, it ships today. Best regards, Bob"),
)
WAITING = ticket("3", Message("m1", CUSTOMER, True, local(2026, 11, 2, 9, 15), "Hi, any news?"), priority=Priority.HIGH)


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def line(t: Ticket) -> str:
    return json.dumps(ticket_to_dict(t))


def run(capsys: pytest.CaptureFixture[str], example_config: Path, source: Path, *extra: str) -> tuple[int, list[Any], str]:
    code = main(["evaluate", "--config", str(example_config), "--input", str(source), *extra])
    out, err = capsys.readouterr()
    return code, [json.loads(row) for row in out.splitlines()], err


def timing(rows: list[Any]) -> list[tuple[str, str, str]]:
    return sorted((r["ticket_id"], r["rule"], r["status"]) for r in rows if r["rule"].startswith("response_time."))


def test_findings_are_json_lines_with_the_documented_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_config: Path
) -> None:
    source = write(tmp_path / "tickets.jsonl", line(LATE), line(QUICK), line(WAITING))
    code, rows, err = run(capsys, example_config, source, "--now", "2026-11-03T10:00:00Z")
    assert code == 0 and err == ""
    assert rows and all(set(r) >= KEYS for r in rows)
    assert timing(rows) == [
        ("1", "response_time.first_reply", "breached"),
        ("3", "response_time.first_reply", "breached"),
    ]
    late = next(r for r in rows if r["ticket_id"] == "1" and r["rule"] == "response_time.first_reply")
    assert late["source"] == "acme" and late["agent_id"] == "a1" and late["message_id"] == "m1"
    assert late["due_at"] == "2026-11-03T08:15:00Z"
    assert late["detail"] == "First reply took 9h 40m of business time; the target for normal priority is 8h."


def test_now_is_honoured(tmp_path: Path, capsys: pytest.CaptureFixture[str], example_config: Path) -> None:
    source = write(tmp_path / "tickets.jsonl", line(WAITING))
    # Monday 12:45 Warsaw: 3h30m of the 4h high-priority target, past warn_at 0.8.
    _, rows, _ = run(capsys, example_config, source, "--now", "2026-11-02T11:45:00Z")
    assert timing(rows) == [("3", "response_time.first_reply", "at_risk")]
    _, rows, _ = run(capsys, example_config, source, "--now", "2026-11-02T09:00:00Z")
    assert timing(rows) == []


def test_all_adds_met_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str], example_config: Path) -> None:
    source = write(tmp_path / "tickets.jsonl", line(QUICK))
    _, rows, _ = run(capsys, example_config, source, "--now", "2026-11-05T09:00:00Z")
    assert timing(rows) == []
    _, rows, _ = run(capsys, example_config, source, "--now", "2026-11-05T09:00:00Z", "--all")
    assert timing(rows) == [("2", "response_time.first_reply", "met")]


def test_malformed_line_is_reported_with_its_number_and_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_config: Path
) -> None:
    source = write(tmp_path / "tickets.jsonl", line(LATE), "{not json", '{"id": "9", "created_at": 5}', line(WAITING))
    code, rows, err = run(capsys, example_config, source, "--now", "2026-11-03T08:25:00Z")
    assert code == 0
    assert {r["ticket_id"] for r in rows} >= {"1", "3"}
    errors = err.splitlines()
    assert len(errors) == 2
    assert "line 2" in errors[0] and "not valid JSON" in errors[0]
    assert "line 3" in errors[1] and "created_at" in errors[1]


def test_a_ticket_that_cannot_be_judged_is_reported_and_the_rest_are_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csbridge.standards import Engine

    judge = Engine.evaluate

    def failing_on_ticket_1(self: Engine, ticket: Ticket, now: datetime) -> Any:
        if ticket.id == "1":
            raise ZeroDivisionError("a bug")
        return judge(self, ticket, now)

    monkeypatch.setattr(Engine, "evaluate", failing_on_ticket_1)
    source = write(tmp_path / "tickets.jsonl", line(LATE), line(WAITING))
    code, rows, err = run(capsys, example_config, source, "--now", "2026-11-03T08:25:00Z")
    assert code == 0
    assert {r["ticket_id"] for r in rows} == {"3"}
    assert err.strip() == f"{source}: ticket '1' could not be judged (ZeroDivisionError: a bug); skipped"


def test_nothing_readable_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], example_config: Path) -> None:
    source = write(tmp_path / "tickets.jsonl", "{broken", "")
    code, rows, err = run(capsys, example_config, source)
    assert code == 2 and rows == []
    assert "line 1" in err and "no ticket could be read" in err
    missing = main(["evaluate", "--config", str(example_config), "--input", str(tmp_path / "absent.jsonl")])
    assert missing == 2
    assert "cannot read" in capsys.readouterr().err


def test_engine_without_met_reports_exactly_the_shortfalls(example_config: Path) -> None:
    from datetime import UTC

    from csbridge.cli.config import load
    from csbridge.models import FindingStatus
    from csbridge.sample import generate_helpdesk
    from csbridge.standards import Engine

    config, host = load(str(example_config))
    every = Engine(config.book, host.standards.values())
    short = Engine(config.book, host.standards.values(), include_met=False)
    now = datetime(2026, 12, 15, 12, tzinfo=UTC)
    met = 0
    for t in generate_helpdesk(150, seed=5, start=datetime(2026, 11, 2, 8, tzinfo=UTC), source="acme"):
        full, shortfalls = every.evaluate(t, now), short.evaluate(t, now)
        met += sum(f.status is FindingStatus.MET for f in full.findings)
        assert shortfalls.findings == [f for f in full.findings if f.status is not FindingStatus.MET]
        assert shortfalls.deadlines == full.deadlines
    assert met > 0


def test_a_file_is_read_as_its_utf8_text_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a file is read as bytes (the fast way); the same file given as UTF-8 text (universal newlines, as open()
    # reads it) on standard input gives the same findings, errors and line numbers
    data = f"{line(LATE)}\r\n{{broken\r\r\n{line(QUICK)}\r\u2028\n[1]\n{line(WAITING)}".encode()
    source = tmp_path / "tickets.jsonl"
    source.write_bytes(data)
    now = ["--now", "2026-11-03T08:25:00Z", "--all"]
    from_file = run(capsys, example_config, source, *now)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = main(["evaluate", "--config", str(example_config), "--input", "-", *now])
    out, err = capsys.readouterr()
    assert from_file[0] == code == 0 and {r["ticket_id"] for r in from_file[1]} == {"1", "2", "3"}
    assert from_file[1] == [json.loads(row) for row in out.splitlines()]
    assert from_file[2].replace(str(source), "-") == err
    assert [e.split(":")[1] for e in err.splitlines()] == [" line 2", " line 6"]  # \r ends a line, \u2028 does not
