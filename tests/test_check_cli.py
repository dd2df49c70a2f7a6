"""The daemon's commands through the CLI against the Zendesk simulator: check --once,
--dry-run writing nothing, status, doctor; and the demo."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.cli import main
from csbridge.demo import run_demo
from csbridge.jsonl import format_time
from csbridge.sample import DEMO_START, generate_helpdesk

TOKEN = "cli-test-token"
EMAIL = "csbridge@acme.example"


@pytest.fixture
def sim() -> Iterator[ZendeskSimulator]:
    tickets = list(generate_helpdesk(24, seed=5, start=DEMO_START, source="acme"))
    sim = ZendeskSimulator(token=TOKEN, email=EMAIL, export_requests_per_minute=10_000)
    sim.seed(tickets)
    sim.now = max(m.created_at for t in tickets for m in t.messages) + timedelta(hours=3)  # type: ignore[attr-defined]
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def config(tmp_path: Path, sim: ZendeskSimulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CSBRIDGE_ACME_TOKEN", TOKEN)
    text = (Path(__file__).parent / "data" / "example.toml").read_text()
    text = text.replace("sqlite:///var/lib/csbridge/state.db", f"sqlite:///{tmp_path}/state.db")
    text = text.replace('subdomain = "acme"', f'url = "{sim.base_url}"')
    path = tmp_path / "csbridge.toml"
    path.write_text(text)
    return path


def test_dry_run_prints_the_plan_and_writes_nothing(config: Path, sim: ZendeskSimulator,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    now = format_time(sim.now)  # type: ignore[attr-defined]
    assert main(["check", "--once", "--dry-run", "--config", str(config), "--now", now]) == 0
    out = capsys.readouterr().out
    assert sim.writes == 0
    assert "--- note on acme ticket" in out and "(private)" in out and "dry run: nothing written" in out
    assert main(["status", "--config", str(config)]) == 0
    assert "last cycle:   never" in capsys.readouterr().out  # nothing stored either
    assert main(["check", "--once", "--config", str(config), "--now", now]) == 0
    real = capsys.readouterr().out
    planned = out.count("--- note on")
    assert f"{planned} notes written" in real and sim.writes > 0


def test_status_shows_cursor_backlog_and_next_reminders(config: Path, sim: ZendeskSimulator,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    now = format_time(sim.now)  # type: ignore[attr-defined]
    main(["check", "--once", "--config", str(config), "--now", now])
    capsys.readouterr()
    assert main(["status", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "acme (zendesk)" in out and "tickets read: 24" in out and "last error:   none" in out
    assert "(none yet" not in out


def test_doctor_checks_credentials_and_reach(config: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["doctor", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "[ok] source acme: credentials found" in out and "[ok] source acme: reachable" in out
    monkeypatch.setenv("CSBRIDGE_ACME_TOKEN", "wrong-token")
    assert main(["doctor", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] source acme" in out and "wrong-token" not in out


def test_demo_runs_to_completion_and_shows_notes_tags_reminders() -> None:
    out = io.StringIO()
    assert run_demo("zendesk", out) == 0
    text = out.getvalue()
    assert "=== ticket" in text and "tags: " in text and "csbridge:" in text
    assert "reminder(s) sent before the deadline" in text
    assert "cycle 2" in text and "(findings are reported once)" in text
