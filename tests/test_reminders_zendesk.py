"""Issue: a reminder reaches the owning agent at warn_at of the target, before the breach;
none for a ticket answered in time; exactly one across a restart (injected clock,
the real daemon path against the Zendesk simulator)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.config import load_config
from csbridge.daemon import Daemon
from csbridge.marker import find_marker
from csbridge.models import Message, Person, Priority, Role, Status, Ticket
from csbridge.plugins import load_plugins
from csbridge.simkit import FakeClock

TOKEN = "reminder-test-token"
EMAIL = "csbridge@acme.example"
T0 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)  # a Tuesday morning
ANNA = Person("a1", Role.AGENT, "Anna Nowak", "anna@acme.example")
JAN = Person("c1", Role.CUSTOMER, "Jan Kowalski", "jan@example.com")


def ticket(ticket_id: str) -> Ticket:
    body = "Dzień dobry, zamówienie nie dotarło. Pozdrawiam, Jan"
    return Ticket(ticket_id, "acme", "Zamówienie", Status.OPEN, Priority.HIGH, T0,
                  (Message("m1", JAN, True, T0, body),), assignee=ANNA, requester=JAN, updated_at=T0)


def reminders(sim: ZendeskSimulator, ticket_id: str) -> list[dict[str, object]]:
    return [c for c in sim.comments(ticket_id)
            if find_marker(str(c.get("plain_body") or "")) and "deadline" in str(c.get("plain_body"))]


def test_reminder_at_warn_at_before_breach_once_across_restart(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSBRIDGE_ACME_TOKEN", TOKEN)
    clock = FakeClock(T0 + timedelta(minutes=30))
    sim = ZendeskSimulator(clock=clock, token=TOKEN, email=EMAIL, export_requests_per_minute=10_000)
    sim.seed([ticket("1"), ticket("2")])
    url = sim.start()
    config_path = tmp_path / "csbridge.toml"
    config_path.write_text(
        f'[daemon]\nstate = "sqlite:///{tmp_path}/state.db"\n'
        '[standards.response_time]\ncalendar = "24/7"\nfirst_reply = { high = "4h" }\nnext_reply = { high = "8h" }\n'
        f'warn_at = 0.75\n[sources.acme]\nadapter = "zendesk"\nurl = "{url}"\nemail = "{EMAIL}"\n')
    host = load_plugins()
    config = load_config(config_path, host.adapter_options, host.extra_standards)
    try:
        daemon = Daemon(config, host, clock)
        daemon.poll("acme")
        [deadline] = [d for d in daemon.store.deadlines("acme") if d["ticket_id"] == "1"]
        assert deadline["warn_at"] == T0 + timedelta(hours=3) and deadline["due_at"] == T0 + timedelta(hours=4)
        # ticket 2 is answered in time
        clock.now = T0 + timedelta(hours=1)
        sim.add_comment("2", "a1", "Dzień dobry Panie Janie, paczka jest w drodze. Pozdrawiam, Anna", True, clock.now)
        clock.now = T0 + timedelta(hours=2, minutes=59)
        assert daemon.remind("acme") == 0 and reminders(sim, "1") == []
        clock.now = T0 + timedelta(hours=3)
        assert daemon.remind("acme") == 1
        [sent] = reminders(sim, "1")
        assert sent["public"] is False and "Anna Nowak" in str(sent["plain_body"])
        assert reminders(sim, "2") == []
        daemon.close()
        # a restart before the breach: nothing more
        clock.now = T0 + timedelta(hours=3, minutes=30)
        again = Daemon(load_config(config_path, host.adapter_options, host.extra_standards), host, clock)
        assert again.remind("acme") == 0
        assert len(reminders(sim, "1")) == 1 and reminders(sim, "2") == []
        again.close()
    finally:
        sim.stop()
