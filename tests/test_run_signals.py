"""``csbridge run`` as a real process: it polls at once, SIGHUP reloads the config,
SIGTERM finishes the work in flight and exits 0. Logs never contain the secret."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.sample import DEMO_START, generate_helpdesk

TOKEN = "run-test-secret-token"
EMAIL = "csbridge@acme.example"


def wait_for_line(stream: IO[str], needle: str, seen: list[str]) -> str:
    """Read log lines until one contains ``needle`` (blocking reads, no sleeping)."""
    for line in stream:
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} never logged; got:\n{''.join(seen)[-3000:]}")


def test_run_polls_reloads_on_sighup_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    sim = ZendeskSimulator(token=TOKEN, email=EMAIL, export_requests_per_minute=10_000)
    sim.seed(generate_helpdesk(12, seed=2, start=DEMO_START, source="acme"))
    sim.start()
    text = (Path(__file__).parent / "data" / "example.toml").read_text()
    text = text.replace("sqlite:///var/lib/csbridge/state.db", f"sqlite:///{tmp_path}/state.db")
    text = text.replace('subdomain = "acme"', f'url = "{sim.base_url}"')
    config = tmp_path / "csbridge.toml"
    config.write_text(text.replace('poll_interval = "2m"', 'poll_interval = "2m"\nlog_format = "json"'))
    env = {**os.environ, "CSBRIDGE_ACME_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-m", "csbridge.cli", "run", "--config", str(config)], env=env,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    seen: list[str] = []
    timer = threading.Timer(120, proc.kill)  # a hung daemon fails the test instead of hanging it
    timer.start()
    try:
        assert proc.stderr is not None
        wait_for_line(proc.stderr, "cycle done", seen)
        config.write_text(config.read_text() + '\n[sources.second]\nadapter = "zendesk"\nenabled = false\n'
                          f'url = "{sim.base_url}"\nemail = "{EMAIL}"\n')
        proc.send_signal(signal.SIGHUP)
        wait_for_line(proc.stderr, "config reloaded", seen)
        proc.send_signal(signal.SIGTERM)
        seen.extend(proc.stderr)
        assert proc.wait() == 0
    finally:
        timer.cancel()
        sim.stop()
    log = "".join(seen)
    assert '"message": "csbridge stopped"' in log
    assert TOKEN not in log
    assert sim.writes > 0
