"""Issue: a daemon killed with SIGKILL at random moments of a cycle, while the helpdesk
answers 429 and 5xx, still ends with every note exactly once, every tag, no finding lost.

The daemon runs as a real process (``csbridge check --once``) against the Zendesk
simulator in this process; the simulator itself kills the daemon on its k-th request
(k drawn at random), either before or after applying that request, so kills land
mid-read, mid-write and between a write and its bookkeeping. No test code sleeps.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.config import load_config
from csbridge.daemon import Daemon
from csbridge.jsonl import format_time
from csbridge.marker import find_markers
from csbridge.plugins import load_plugins
from csbridge.sample import DEMO_START, generate_helpdesk
from csbridge.state import Store

TOKEN = "kill-test-token"
EMAIL = "csbridge@acme.example"
BOOK = (Path(__file__).parent / "data" / "example.toml").read_text().split("[sources.acme]")[0]


def seeded() -> tuple[ZendeskSimulator, Any]:
    tickets = list(generate_helpdesk(30, seed=11, start=DEMO_START, source="acme"))
    now = max(m.created_at for t in tickets for m in t.messages) + timedelta(hours=3)
    sim = ZendeskSimulator(token=TOKEN, email=EMAIL, export_requests_per_minute=100_000)
    sim.seed(tickets)
    sim.start()
    return sim, now


def write_config(tmp: Path, url: str) -> Path:
    path = tmp / "csbridge.toml"
    path.write_text(BOOK.replace('state = "sqlite:///var/lib/csbridge/state.db"', f'state = "sqlite:///{tmp}/state.db"')
                    + f'[sources.acme]\nadapter = "zendesk"\nurl = "{url}"\nemail = "{EMAIL}"\n')
    return path


def notes_on(sim: ZendeskSimulator) -> Counter[str]:
    """Every csbridge marker on every ticket, counted."""
    found: Counter[str] = Counter()
    for ticket_id in sim._state.tickets:  # every ticket the simulator holds
        for comment in sim.comments(str(ticket_id)):
            assert not (comment["public"] and find_markers(comment.get("plain_body") or "")), "a public note!"
            found.update(find_markers(comment.get("plain_body") or comment.get("body") or ""))
    return found


def tags_on(sim: ZendeskSimulator) -> dict[str, set[str]]:
    return {str(t): {x for x in sim.tags(str(t)) if x.startswith("csb")} for t in sim._state.tickets}


def test_sigkill_at_random_moments_never_duplicates_or_loses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSBRIDGE_ACME_TOKEN", TOKEN)
    # the reference: one clean cycle on an identical helpdesk, in this process
    ref_sim, now = seeded()
    ref_dir = tmp_path / "reference"
    ref_dir.mkdir()
    host = load_plugins()
    config = load_config(write_config(ref_dir, ref_sim.base_url), host.adapter_options, host.extra_standards)
    daemon = Daemon(config, host, lambda: now)
    report = daemon.poll("acme")
    assert report.error is None and report.notes_written > 5
    cycle_requests = sum(ref_sim.requests.values())
    expected_notes, expected_tags = notes_on(ref_sim), tags_on(ref_sim)
    expected_findings = {f["key"] for f in Store(config.daemon.state).findings()}
    daemon.close()
    ref_sim.stop()
    assert set(expected_notes.values()) == {1}

    sim, _ = seeded()
    run_dir = tmp_path / "killed"
    run_dir.mkdir()
    config_path = write_config(run_dir, sim.base_url)
    rng = random.Random(20261124)
    env = {**os.environ, "CSBRIDGE_ACME_TOKEN": TOKEN}
    command = [sys.executable, "-m", "csbridge.cli", "check", "--once", "--config", str(config_path),
               "--now", format_time(now)]
    original = sim.handle
    state: dict[str, Any] = {}

    def handle(method: str, target: str, body: bytes, auth: str | None) -> Any:
        state["count"] += 1
        proc: subprocess.Popen[bytes] = state["proc"]
        if state["count"] == state["kill_at"] and state["before"]:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            state["killed"] = True
        answer = original(method, target, body, auth)
        if state["count"] == state["kill_at"] and not state["before"]:
            proc.send_signal(signal.SIGKILL)  # the request was applied; its answer is lost
            proc.wait()
            state["killed"] = True
        return answer

    sim.handle = handle  # type: ignore[method-assign]
    kills = 0
    runs = 0
    while kills < 20:
        runs += 1
        assert runs < 80, "the daemon keeps finishing before it can be killed"
        if runs % 3 == 0:
            sim.faults.add("GET /api/v2/incremental/tickets/cursor.json", status=429, retry_after=1)
            sim.faults.add("PUT /api/v2/tickets/update_many.json", status=503, retry_after=1)
        if runs % 4 == 0:
            sim.faults.add("GET /api/v2/incremental/tickets/cursor.json", status=500)
            sim.faults.add("GET /api/v2/job_statuses/{id}.json", status=502)
        state.update(count=0, kill_at=rng.randint(1, cycle_requests + 2), before=rng.random() < 0.5, killed=False)
        state["proc"] = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = state["proc"].communicate(timeout=120)
        if state["killed"]:
            kills += 1
        else:
            assert state["proc"].returncode in (0, 1), err.decode()[-2000:]
    sim.faults.clear()
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert final.returncode == 0, final.stderr[-2000:]

    assert notes_on(sim) == expected_notes  # every expected note, each exactly once
    assert tags_on(sim) == expected_tags
    assert {f["key"] for f in Store(f"sqlite:///{run_dir}/state.db").findings()} == expected_findings
    sim.stop()


def test_processes_running_at_once_on_one_source_write_each_note_once(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A daemon and an overlapping cron ``check --once`` (or replicas) on one state database."""
    ref_sim, now = seeded()
    ref_dir = tmp_path / "reference"
    ref_dir.mkdir()
    monkeypatch.setenv("CSBRIDGE_ACME_TOKEN", TOKEN)
    host = load_plugins()
    config = load_config(write_config(ref_dir, ref_sim.base_url), host.adapter_options, host.extra_standards)
    Daemon(config, host, lambda: now).poll("acme")
    expected = notes_on(ref_sim)
    ref_sim.stop()

    sim, _ = seeded()
    run_dir = tmp_path / "parallel"
    run_dir.mkdir()
    command = [sys.executable, "-m", "csbridge.cli", "check", "--once", "--config",
               str(write_config(run_dir, sim.base_url)), "--now", format_time(now)]
    env = {**os.environ, "CSBRIDGE_ACME_TOKEN": TOKEN}
    for _round in range(3):
        procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        for proc in procs:
            _out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-2000:]
    assert notes_on(sim) == expected
    sim.stop()
