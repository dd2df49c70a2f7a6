"""The daemon's scheduling: reminder jobs in APScheduler's SQLAlchemy job store at warn_at,
moved or dropped when the ticket changes, kept across a restart, sent once."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest

from csbridge import daemon as daemon_module
from csbridge.config import SourceConfig, load_config
from csbridge.daemon import Daemon, reminder_job, reminder_job_id
from csbridge.hookspecs import hookimpl
from csbridge.plugins import PluginHost, load_plugins
from csbridge.simkit import FakeClock
from tests.fakes import AGENT, FakeAdapter, FakeHelpdesk, Unanswered, ticket

# In the future of the wall clock, so that APScheduler never finds these jobs due by itself.
T0 = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)


class FakeFactory:
    name: ClassVar[str] = "fake"
    options: ClassVar[dict[str, Any]] = {}
    needs_secret: ClassVar[bool] = False

    @classmethod
    def create(cls, source: SourceConfig, secret: object, clock: object) -> FakeAdapter:
        raise AssertionError("the tests hand the daemon its adapter")


@pytest.fixture
def host() -> Iterator[PluginHost]:
    host = load_plugins()
    plugin = types.ModuleType("fake_plugin")
    plugin.register_adapters = hookimpl(lambda register: register(FakeFactory))  # type: ignore[attr-defined]
    plugin.register_standards = hookimpl(lambda register: register(Unanswered()))  # type: ignore[attr-defined]
    info = host.register(plugin, "fake_plugin")
    assert not info.error
    yield host
    host.unregister("fake_plugin")


def make_daemon(tmp_path: Path, host: PluginHost, desk: FakeHelpdesk, clock: Callable[[], datetime]) -> Daemon:
    path = tmp_path / "csbridge.toml"
    path.write_text(f'[daemon]\nstate = "sqlite:///{tmp_path}/state.db"\n\n[standards.unanswered]\n\n'
                    '[sources.fake]\nadapter = "fake"\n')
    config = load_config(path, host.adapter_options, host.extra_standards)
    daemon = Daemon(config, host, clock, adapters={"fake": FakeAdapter(desk)})
    daemon.scheduler = daemon.build_scheduler()
    daemon.scheduler.start(paused=True)
    return daemon


def test_reminder_job_at_warn_at_survives_restart_and_fires_once(tmp_path: Path, host: PluginHost,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    desk = FakeHelpdesk()
    desk.put(ticket("1", T0))
    desk.put(ticket("2", T0))
    clock = FakeClock(T0 + timedelta(hours=1))
    first = make_daemon(tmp_path, host, desk, clock)
    first.poll("fake")
    key1, key2 = (f"fake:{i}:test.unanswered:m1" for i in "12")
    job = first.scheduler.get_job(reminder_job_id("fake", key1))
    assert job is not None and job.next_run_time == T0 + timedelta(hours=3)
    # ticket 2 answered: its job goes
    desk.add_message("2", AGENT, T0 + timedelta(hours=1, minutes=5), "Hello, fixed. Best regards")
    clock.now = T0 + timedelta(hours=1, minutes=10)
    first.poll("fake")
    assert first.scheduler.get_job(reminder_job_id("fake", key2)) is None
    first.scheduler.shutdown(wait=False)

    # restart: a new daemon and scheduler on the same state database still has the job
    clock.now = T0 + timedelta(hours=3, minutes=2)  # fires late, within the grace time
    second = make_daemon(tmp_path, host, desk, clock)
    assert second.scheduler.get_job(reminder_job_id("fake", key1)) is not None
    monkeypatch.setattr(daemon_module, "_CURRENT", second)
    reminder_job("fake", key1)
    reminder_job("fake", key1)  # a duplicate firing sends nothing more
    second.poll("fake")
    assert [(r.ticket_id, r.agent) for r in desk.reminders] == [("1", AGENT)]
    second.scheduler.shutdown(wait=False)


def test_poll_jobs_one_per_enabled_source(tmp_path: Path, host: PluginHost) -> None:
    daemon = make_daemon(tmp_path, host, FakeHelpdesk(), FakeClock(T0))
    daemon.schedule_polls()
    [job] = [j for j in daemon.scheduler.get_jobs() if j.id.startswith("poll:")]
    assert job.id == "poll:fake" and job.max_instances == 1 and job.coalesce
    assert job.trigger.interval == timedelta(minutes=2)
    daemon.scheduler.shutdown(wait=False)


def test_a_source_may_poll_at_its_own_interval(tmp_path: Path, host: PluginHost) -> None:
    path = tmp_path / "csbridge.toml"
    path.write_text(f'[daemon]\nstate = "sqlite:///{tmp_path}/state.db"\n[sources.fake]\nadapter = "fake"\n'
                    'poll_interval = "30m"\n')
    config = load_config(path, host.adapter_options, host.extra_standards)
    daemon = Daemon(config, host, FakeClock(T0), adapters={"fake": FakeAdapter(FakeHelpdesk())})
    daemon.scheduler = daemon.build_scheduler()
    daemon.scheduler.start(paused=True)
    daemon.schedule_polls()
    assert daemon.scheduler.get_job("poll:fake").trigger.interval == timedelta(minutes=30)
    daemon.scheduler.shutdown(wait=False)


def test_reminder_job_after_restart_sends_nothing_when_the_ticket_was_answered(
    tmp_path: Path, host: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = FakeHelpdesk()
    desk.put(ticket("1", T0))
    clock = FakeClock(T0 + timedelta(hours=1))
    first = make_daemon(tmp_path, host, desk, clock)
    first.poll("fake")
    first.scheduler.shutdown(wait=False)
    # while csbridge is down the agent answers; the job fires late after the restart
    desk.add_message("1", AGENT, T0 + timedelta(hours=2), "Hello Jan, it is fixed. Kind regards")
    clock.now = T0 + timedelta(hours=3, minutes=5)
    second = make_daemon(tmp_path, host, desk, clock)
    monkeypatch.setattr(daemon_module, "_CURRENT", second)
    reminder_job("fake", "fake:1:test.unanswered:m1")
    assert desk.reminders == []
    assert second.scheduler.get_job(reminder_job_id("fake", "fake:1:test.unanswered:m1")) is None
    second.scheduler.shutdown(wait=False)


def test_metrics_endpoint_serves_findings_and_cycles(tmp_path: Path, host: PluginHost) -> None:
    import requests

    from csbridge.metrics import Metrics

    desk = FakeHelpdesk()
    desk.put(ticket("1", T0))
    daemon = make_daemon(tmp_path, host, desk, FakeClock(T0 + timedelta(hours=5)))
    daemon.metrics = Metrics("127.0.0.1:0")
    daemon.poll("fake")
    port = daemon.metrics.server.server_address[1]
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    assert 'csbridge_findings_total{rule="test.unanswered",source="fake",status="breached"} 1.0' in text
    assert 'csbridge_cycle_seconds_count{source="fake"} 1.0' in text
    daemon.metrics.server.shutdown()
    daemon.scheduler.shutdown(wait=False)


def test_an_adapter_that_reports_changes_wakes_the_next_cycle(tmp_path: Path, host: PluginHost) -> None:
    desk = FakeHelpdesk()
    daemon = make_daemon(tmp_path, host, desk, FakeClock(T0))
    waits: list[float] = []

    def wait_for_changes(timeout: float) -> bool:
        waits.append(timeout)
        return True

    daemon.adapters["fake"].wait_for_changes = wait_for_changes  # type: ignore[attr-defined]
    daemon.schedule_polls()
    daemon.scheduler.modify_job("poll:fake", next_run_time=T0 + timedelta(minutes=2))
    daemon.poll("fake")
    assert waits == [25.0]  # half the 2m interval, at most 25 s
    assert daemon.scheduler.get_job("poll:fake").next_run_time == T0
    daemon.scheduler.shutdown(wait=False)
