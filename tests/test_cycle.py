"""The check cycle: one note per ticket, exactly once across crashes; dry-run writes nothing;
reminders at warn_at, before the breach, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from csbridge.config import StandardsBook
from csbridge.cycle import Cycle
from csbridge.simkit import FakeClock
from csbridge.standards import Engine
from csbridge.state import Store
from tests.fakes import AGENT, Crash, FakeAdapter, FakeHelpdesk, Unanswered, ticket

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'state.db'}")


def cycle(desk: FakeHelpdesk, store: Store, clock: FakeClock, dry_run: bool = False) -> Cycle:
    engine = Engine(StandardsBook(), [Unanswered()])
    return Cycle("fake", FakeAdapter(desk), engine, store, clock, dry_run=dry_run)


def helpdesk(count: int) -> FakeHelpdesk:
    desk = FakeHelpdesk()
    for i in range(1, count + 1):
        desk.put(ticket(str(i), T0 + timedelta(minutes=i)))
    return desk


def test_full_cycle_writes_one_note_per_ticket_and_the_second_writes_nothing(store: Store) -> None:
    desk = helpdesk(5)
    clock = FakeClock(T0 + timedelta(hours=5))
    report = cycle(desk, store, clock).run()
    assert (report.tickets, report.notes_written, report.error) == (5, 5, None)
    assert {t: len(n) for t, n in desk.notes.items()} == {str(i): 1 for i in range(1, 6)}
    note = desk.notes["1"][0]
    assert note.tags == ("csb_unanswered", "csbridge")
    assert "&lt;b&gt;" in note.html and "<b>" not in note.html  # ticket text escaped
    desk.add_message("2", AGENT, T0 + timedelta(hours=5, minutes=1), "Sorry, here it is")
    clock.now += timedelta(hours=1)
    again = cycle(desk, store, clock).run()
    assert (again.tickets, again.findings, again.notes_written) == (1, 0, 0)
    assert sum(len(n) for n in desk.notes.values()) == 5
    assert len(store.findings("fake")) == 5


@pytest.mark.parametrize("crash_before_write", [True, False])
@pytest.mark.parametrize("crash_at", [0, 1, 2, 4])
def test_a_kill_during_writes_never_duplicates_or_loses_a_note(
    store: Store, crash_at: int, crash_before_write: bool
) -> None:
    desk = helpdesk(5)
    desk.crash_after_writes, desk.crash_before_write = crash_at, crash_before_write
    clock = FakeClock(T0 + timedelta(hours=5))
    with pytest.raises(Crash):
        cycle(desk, store, clock).run()
    desk.crash_after_writes = None
    cycle(desk, store, clock).run()
    assert {t: len(n) for t, n in desk.notes.items()} == {str(i): 1 for i in range(1, 6)}
    assert all(a.state == "done" for a in store.actions("fake"))


def test_dry_run_writes_and_stores_nothing(store: Store) -> None:
    desk = helpdesk(3)
    clock = FakeClock(T0 + timedelta(hours=5))
    report = cycle(desk, store, clock, dry_run=True).run()
    assert len(report.planned_notes) == 3 and desk.writes == 0 and not desk.notes
    assert store.cursor("fake") is None and store.findings() == [] and store.actions() == []
    real = cycle(desk, store, clock).run()
    assert real.notes_written == 3


def test_reminder_at_warn_at_before_the_breach_and_only_once(store: Store) -> None:
    desk = helpdesk(2)
    clock = FakeClock(T0 + timedelta(hours=1))
    cycle(desk, store, clock).run()
    warn_at = {d["ticket_id"]: d["warn_at"] for d in store.deadlines("fake")}
    assert warn_at == {"1": T0 + timedelta(minutes=1, hours=3), "2": T0 + timedelta(minutes=2, hours=3)}
    # ticket 2 is answered in time: its deadline goes
    desk.add_message("2", AGENT, T0 + timedelta(hours=1, minutes=30), "Hello Jan, done. Best regards")
    clock.now = T0 + timedelta(hours=2)
    cycle(desk, store, clock).run()
    assert [d["ticket_id"] for d in store.deadlines("fake")] == ["1"]
    clock.now = warn_at["1"] - timedelta(seconds=1)
    assert cycle(desk, store, clock).plan_reminders(clock.now) == 0
    clock.now = warn_at["1"]
    report = cycle(desk, store, clock).run()
    assert report.reminders_sent == 1 and report.notes_written == 0
    [reminder] = desk.reminders
    assert reminder.agent == AGENT and reminder.ticket_id == "1" and reminder.due_at > clock.now
    # a restart (a fresh cycle on the same state) repeats nothing
    clock.now += timedelta(minutes=10)
    assert cycle(desk, store, clock).run().reminders_sent == 0
    assert len(desk.reminders) == 1


def test_a_kill_while_sending_a_reminder_sends_it_once(store: Store) -> None:
    desk = helpdesk(1)
    clock = FakeClock(T0 + timedelta(hours=3, minutes=30))
    desk.crash_after_writes, desk.crash_before_write = 0, False
    with pytest.raises(Crash):
        cycle(desk, store, clock).run()
    desk.crash_after_writes = None
    cycle(desk, store, clock).run()
    assert len(desk.reminders) == 1


def test_a_ticket_nobody_touches_is_judged_again_when_its_deadline_passes(store: Store) -> None:
    desk = helpdesk(2)
    clock = FakeClock(T0 + timedelta(hours=1))
    assert cycle(desk, store, clock).run().notes_written == 0
    desk.add_message("2", AGENT, T0 + timedelta(hours=2), "Hello, done. Regards")
    clock.now = T0 + timedelta(hours=4, minutes=30)  # ticket 1 breached by time alone; its feed is silent
    report = cycle(desk, store, clock).run()
    assert report.tickets == 1 and report.notes_written == 1
    assert list(desk.notes) == ["1"]
    clock.now += timedelta(hours=1)
    assert cycle(desk, store, clock).run().notes_written == 0  # reported once, the copy is gone


def test_schema_is_versioned_and_migrates_an_old_database(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from csbridge.state import MIGRATIONS, schema_version

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a database as version 1 left it
        sa.MetaData().create_all(conn)
        from csbridge import state

        state.metadata.create_all(conn, tables=[schema_version])
        conn.execute(schema_version.insert().values(version=1))
        MIGRATIONS[0](conn)
    Store(url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(schema_version.c.version)).scalar() == len(MIGRATIONS) == 3
        assert "csbridge_snapshots" in sa.inspect(conn).get_table_names()
        assert {"lease_owner", "lease_until"} <= {c["name"] for c in sa.inspect(conn).get_columns("csbridge_sources")}


def test_a_first_backfill_logs_its_progress(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    desk = helpdesk(5)
    with caplog.at_level("INFO", logger="csbridge.cycle"):
        cycle(desk, store, FakeClock(T0 + timedelta(hours=1))).run()
    lines = [r.getMessage() for r in caplog.records if "backfill" in r.getMessage()]
    assert lines == [
        "source fake: backfill: 2 tickets read (changes up to 2026-11-02 08:02 UTC), about 3 to go",
        "source fake: backfill: 5 tickets read (changes up to 2026-11-02 08:05 UTC)",
    ]


def test_one_process_at_a_time_works_on_a_source(store: Store, tmp_path: Path) -> None:
    other = Store(store.url)  # a second csbridge process on the same state database
    assert store.acquire_lease("fake", "daemon-1", 600)
    assert store.acquire_lease("fake", "daemon-1", 600)  # renewing is fine
    assert not other.acquire_lease("fake", "cron-2", 600)
    assert other.acquire_lease("other-source", "cron-2", 600)
    store.release_lease("fake", "daemon-1")
    assert other.acquire_lease("fake", "cron-2", 600)
    assert other.acquire_lease("fake", "cron-2", -1)  # a lease that ran out (the holder was killed)...
    assert store.acquire_lease("fake", "daemon-1", 600)  # ...is taken over


def test_a_lease_of_a_killed_process_on_this_machine_is_taken_at_once(store: Store) -> None:
    import socket
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    dead = f"{socket.gethostname()}:{gone.stdout.strip()}:abc"
    assert store.acquire_lease("fake", dead, 600)
    assert store.acquire_lease("fake", "someone-else", 600)
    alive = f"{socket.gethostname()}:{__import__('os').getpid()}:abc"
    assert store.acquire_lease("other", alive, 600)
    assert not store.acquire_lease("other", "someone-else", 600)
