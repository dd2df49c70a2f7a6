"""``csbridge demo``: the real daemon code path against a simulated helpdesk.

The demo starts a plugin's API simulator on loopback, seeds it with the sample
helpdesk (a few dozen tickets in six languages), points a source at it with a
throw-away SQLite state, runs two check cycles of the real daemon (a day apart on
a fixed clock, so the output is the same on every machine) and prints what agents
now see on their tickets: the private notes, the tags and the reminders.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, Protocol

from csbridge.config import load_config
from csbridge.daemon import Daemon
from csbridge.errors import CsbridgeError
from csbridge.models import Ticket
from csbridge.plugins import load_plugins
from csbridge.sample import DEMO_START, generate_helpdesk
from csbridge.secrets import env_name
from csbridge.simkit import FakeClock

TICKETS = 36
SOURCE = "demo"
Clock = Callable[[], datetime]

BOOK = """
[calendars.office]
timezone = "Europe/Madrid"
hours = { mon = "08:00-18:00", tue = "08:00-18:00", wed = "08:00-18:00", thu = "08:00-18:00", fri = "08:00-15:00" }
holidays = ["ES", "PL", "DE"]

[standards.response_time]
calendar = "office"
first_reply = { urgent = "1h", high = "4h", normal = "8h", low = "24h" }
next_reply = { urgent = "2h", high = "8h", normal = "16h", low = "48h" }
warn_at = 0.8
pause_on = ["pending", "on_hold"]

[standards.courtesy]
languages = ["en", "pl", "ru", "ca", "es", "de"]
require = ["greeting", "closing"]
forbid = ["rude"]
empathy_after_complaint = true

[standards.follow_up]
promises = true
pending_reminder_after = "48h"
"""


class DemoHelpdesk(Protocol):
    """A helpdesk simulator as the demo drives it (registered by adapter plugins)."""

    name: str

    def start(self, tickets: Sequence[Ticket], clock: Clock) -> tuple[dict[str, Any], str]:
        """Seed and serve on loopback; return the source options and the secret."""
        ...

    def private_notes(self, ticket_id: str) -> list[str]:
        """The ticket's private notes, as text, oldest first."""
        ...

    def tags(self, ticket_id: str) -> list[str]: ...

    def requests(self) -> tuple[int, int]:
        """Requests served so far: (all, writes)."""
        ...

    def stop(self) -> None: ...


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def run_demo(helpdesk: str = "zendesk", out: IO[str] | None = None) -> int:
    """Run the demo against the simulator of ``helpdesk``, printing to ``out``
    (default: standard output); returns the exit status."""
    out = out or sys.stdout
    started = time.monotonic()
    host = load_plugins()
    simulator: DemoHelpdesk | None = host.simulators.get(helpdesk)
    if simulator is None:
        raise CsbridgeError(f"no simulator for {helpdesk!r} is installed (have: {', '.join(host.simulators) or 'none'});"
                            f" install its plugin, e.g. pip install -e plugins/{helpdesk}")
    tickets = list(generate_helpdesk(TICKETS, seed=7, start=DEMO_START, source=SOURCE))
    last = max(m.created_at for t in tickets for m in t.messages)
    clock = FakeClock(last + timedelta(hours=2))
    out.write(f"csbridge demo: a simulated {helpdesk} helpdesk on loopback with {len(tickets)} tickets in six "
              f"languages ({sum(len(t.messages) for t in tickets)} messages)\n")
    with tempfile.TemporaryDirectory(prefix="csbridge-demo-") as tmp:
        options, secret = simulator.start(tickets, clock)
        try:
            config_path = Path(tmp) / "csbridge.toml"
            source = "\n".join(f"{k} = {_toml_value(v)}" for k, v in options.items())
            config_path.write_text(f'[daemon]\nstate = "sqlite:///{tmp}/state.db"\n{BOOK}\n'
                                   f'[sources.{SOURCE}]\nadapter = "{helpdesk}"\n{source}\n')
            os.environ[env_name(SOURCE)] = secret
            config = load_config(config_path, host.adapter_options, host.extra_standards)
            daemon = Daemon(config, host, clock)
            first = daemon.poll(SOURCE)
            out.write(f"cycle 1 at {clock.now:%a %Y-%m-%d %H:%M} UTC: {first.tickets} tickets read, "
                      f"{first.findings} findings, {first.notes_written} notes, {first.reminders_sent} reminders"
                      + (f"; error: {first.error}" if first.error else "") + "\n")
            upcoming = [d for d in daemon.store.deadlines(SOURCE) if not d["reminded"]]
            if upcoming:
                clock.now = max(clock.now, min(d["warn_at"] for d in upcoming))
                sent = daemon.remind(SOURCE)
                out.write(f"at {clock.now:%a %H:%M} UTC the next deadline reaches warn_at: {sent} reminder(s) sent "
                          "before the deadline\n")
            clock.now += timedelta(days=1)
            second = daemon.poll(SOURCE)
            out.write(f"cycle 2 at {clock.now:%a %Y-%m-%d %H:%M} UTC: {second.tickets} ticket(s) changed or past a deadline, "
                      f"{second.notes_written} new notes (findings are reported once), "
                      f"{second.reminders_sent} reminders\n\n")
            show(daemon, simulator, tickets, out)
            total, writes = simulator.requests()
            daemon.close()
        finally:
            simulator.stop()
            os.environ.pop(env_name(SOURCE), None)
    out.write(f"\n{total} API requests ({writes} writes) in {time.monotonic() - started:.1f}s. "
              "Nothing was sent anywhere but 127.0.0.1.\n")
    return 0


def show(daemon: Daemon, simulator: DemoHelpdesk, tickets: Sequence[Ticket], out: IO[str]) -> None:
    """Print each ticket's csbridge notes and tags, as the owning agent sees them."""
    from csbridge.marker import find_marker

    shown = 0
    for ticket in tickets:
        notes = [n for n in simulator.private_notes(ticket.id) if find_marker(n)]
        if not notes:
            continue
        shown += 1
        agent = ticket.assignee.name if ticket.assignee else "unassigned"
        out.write(f"=== ticket {ticket.id} \"{ticket.subject}\" ({ticket.priority.value}, owner {agent})\n")
        out.write(f"    tags: {', '.join(simulator.tags(ticket.id))}\n")
        for note in notes:
            out.write("".join(f"    | {line}\n" for line in note.strip().splitlines()))
    findings = daemon.store.findings(SOURCE)
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    out.write(f"\n{shown} of {len(tickets)} tickets got a note. Findings by rule: "
              + ", ".join(f"{rule} {n}" for rule, n in sorted(by_rule.items())) + "\n")
