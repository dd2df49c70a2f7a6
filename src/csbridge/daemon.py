"""The daemon: APScheduler polls every enabled source and fires reminders on time.

One interval job per source (``max_instances=1``: never two cycles of one source
at once; ``coalesce``: one run after a pause, not a burst) and one date job per
running deadline at its ``warn_at``, both in APScheduler's SQLAlchemy job store on
the state database, so a restart keeps them. A reminder job that fires late after
a restart (within ``daemon.reminder_grace``) still goes out, once: the reminder is
a stored action keyed by a deterministic marker.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from csbridge.adapter import Adapter
from csbridge.config import Config, SourceConfig
from csbridge.cycle import Cycle, CycleReport, Observers
from csbridge.errors import CsbridgeError
from csbridge.models import Deadline, Finding, Note, Reminder
from csbridge.plugins import PluginHost
from csbridge.secrets import Secret, get_secret
from csbridge.standards import Engine
from csbridge.state import Store, deadline_of, lease_owner_id

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
_CURRENT: Daemon | None = None
LEASE = 600.0  # seconds a cycle may go without renewing its claim on a source (renewed every page)


def utcnow() -> datetime:
    return datetime.now(UTC)


def reminder_job_id(source: str, key: str) -> str:
    return "remind:" + hashlib.sha256(f"{source}\x1f{key}".encode()).hexdigest()[:24]


def poll_job(source: str) -> None:
    """APScheduler entry point (importable, so the job store can persist it)."""
    if _CURRENT is not None:
        _CURRENT.poll(source)


def reminder_job(source: str, key: str) -> None:
    """APScheduler entry point for one deadline's reminder (``key`` names the
    deadline in the job store; the cycle sends every reminder that is due)."""
    if _CURRENT is not None:
        _CURRENT.remind(source)


@dataclass
class Daemon:
    """Sources, engine and store for one config; cycles run through :meth:`poll`.

    ``adapters`` may be given (tests, the demo); otherwise each enabled source's
    adapter is created from its config with its secret on first use.
    """

    config: Config
    host: PluginHost
    clock: Clock = utcnow
    adapters: dict[str, Adapter] = field(default_factory=dict)
    scheduler: Any = None
    metrics: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.owner = lease_owner_id()
        self.store = Store(self.config.daemon.state)
        self.engine = Engine(self.config.book, self.host.standards.values())
        self.source_locks = {name: threading.Lock() for name in self.config.sources}

    @property
    def sources(self) -> list[SourceConfig]:
        return [s for s in self.config.sources.values() if s.enabled]

    def adapter(self, name: str) -> Adapter:
        """The connected adapter of source ``name``, created on first use."""
        with self.lock:
            if name not in self.adapters:
                self.adapters[name] = create_adapter(self.config.sources[name], self.host, self.clock)
            return self.adapters[name]

    def observers(self) -> Observers:
        def finding_made(finding: Finding) -> None:
            _announce(self.host, "finding_made", finding=finding)
            if self.metrics:
                self.metrics.finding(finding)

        def action_written(action: Note | Reminder, ok: bool, error: str) -> None:
            _announce(self.host, "action_written", action=action, ok=ok, error=error)
            if self.metrics and ok and isinstance(action, Reminder):
                self.metrics.reminder(action.source)

        return Observers(finding_made, action_written, self.schedule_deadlines)

    def cycle(self, source: str, dry_run: bool = False) -> Cycle:
        def should_stop() -> bool:  # called between pages and batches: also renews the lease
            return self.stopping.is_set() or not (dry_run or self.store.acquire_lease(source, self.owner, LEASE))

        return Cycle(source, self.adapter(source), self.engine, self.store, self.clock, self.observers(), dry_run,
                     should_stop)

    def poll(self, source: str, dry_run: bool = False) -> CycleReport:
        """Run one cycle of ``source``. Never two at once for one source."""
        lock = self.source_locks.setdefault(source, threading.Lock())
        if not lock.acquire(blocking=False):
            log.info("source %s: a cycle is still running; this one is skipped", source)
            return CycleReport(source, error="a cycle is still running")
        if not dry_run and not self.store.acquire_lease(source, self.owner, LEASE):
            lock.release()
            log.info("source %s: another csbridge process is checking it; this cycle is skipped", source)
            return CycleReport(source, busy=True)
        try:
            started = self.clock()
            try:
                report = self.cycle(source, dry_run).run()
            except CsbridgeError as exc:  # credentials, config of the source
                log.error("source %s: %s", source, exc)
                if not dry_run:
                    self.store.record_cycle(source, started, 0.0, str(exc))
                return CycleReport(source, error=str(exc))
            finally:  # the lease covers the cycle only, not the wait for changes below
                if not dry_run:
                    self.store.release_lease(source, self.owner)
            log.info(
                "source %s: cycle done: %d tickets, %d new findings, %d notes, %d reminders%s",
                source, report.tickets, report.findings, report.notes_written, report.reminders_sent,
                f", error: {report.error}" if report.error else "",
            )
            if self.metrics:
                self.metrics.cycle(source, report, (self.clock() - started).total_seconds(), self.adapter(source))
            if not dry_run:
                self.watch(source)
            return report
        finally:
            lock.release()

    def watch(self, source: str) -> None:
        """For adapters that can wait for a change (IMAP IDLE): wait a while after
        the cycle, on this job's thread, and run the next cycle at once when the
        helpdesk reports one. Bounded so that SIGTERM is answered promptly."""
        wait = getattr(self.adapter(source), "wait_for_changes", None)
        if wait is None or self.scheduler is None or self.stopping.is_set():
            return
        interval = self.config.sources[source].poll_interval or self.config.daemon.poll_interval
        timeout = min(interval.total_seconds() / 2, 25.0)
        try:
            changed = wait(timeout)
        except CsbridgeError as exc:
            log.warning("source %s: waiting for changes failed: %s", source, exc)
            return
        if changed and not self.stopping.is_set():
            log.info("source %s: the helpdesk reported a change; checking now", source)
            self.scheduler.modify_job(f"poll:{source}", next_run_time=self.clock())

    def remind(self, source: str) -> int:
        """A reminder job fired: run a cycle first, so that a ticket answered,
        paused or reassigned meanwhile (say, while csbridge was down) is seen
        before anything is sent; the cycle then sends the reminders now due.
        Returns how many were sent."""
        return self.poll(source).reminders_sent

    # -- scheduling -------------------------------------------------------------------

    def schedule_deadlines(self, source: str, dropped: list[str], changed: list[Deadline]) -> None:
        """Keep one reminder job per running deadline, at its ``warn_at``."""
        if self.scheduler is None:
            return
        from apscheduler.jobstores.base import JobLookupError

        for key in dropped:
            with contextlib.suppress(JobLookupError):
                self.scheduler.remove_job(reminder_job_id(source, key))
        now = self.clock()
        for deadline in changed:
            job_id = reminder_job_id(source, deadline.key)
            if deadline.warn_at <= now:
                continue  # due already: the cycle sends it
            self.scheduler.add_job(
                reminder_job, "date", run_date=deadline.warn_at, args=[source, deadline.key], id=job_id,
                replace_existing=True, misfire_grace_time=int(self.config.daemon.reminder_grace.total_seconds()),
            )

    def build_scheduler(self) -> Any:
        """An APScheduler 3 background scheduler with the SQLAlchemy job store on the state database."""
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        return BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.store.engine, tablename="csbridge_jobs")},
            executors={"default": ThreadPoolExecutor(max(2, len(self.sources) + 1))},
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": int(self.config.daemon.reminder_grace.total_seconds())},
            timezone=UTC,
        )

    def schedule_polls(self) -> None:
        """One interval job per enabled source; jobs of removed sources go."""
        wanted = {f"poll:{s.name}": s for s in self.sources}
        for job in self.scheduler.get_jobs():
            if job.id.startswith("poll:") and job.id not in wanted:
                job.remove()
        for job_id, source in wanted.items():
            interval = source.poll_interval or self.config.daemon.poll_interval
            self.scheduler.add_job(poll_job, "interval", seconds=interval.total_seconds(), args=[source.name], id=job_id,
                                   replace_existing=True, next_run_time=self.clock())

    def reschedule_stored_deadlines(self) -> None:
        """Make sure every stored, not yet reminded deadline has its job (after a
        restart the job store has them already; this also heals a lost store)."""
        for row in self.store.deadlines():
            if row["reminded"] is None:
                deadline = deadline_of(row)
                if self.scheduler.get_job(reminder_job_id(row["source"], deadline.key)) is None:
                    self.schedule_deadlines(row["source"], [], [deadline])

    def close(self) -> None:
        for adapter in self.adapters.values():
            adapter.close()


def create_adapter(source: SourceConfig, host: PluginHost, clock: Clock) -> Adapter:
    """Create the adapter of ``source`` with its secret."""
    factory = host.adapters.get(source.adapter)
    if factory is None:
        raise source.error("adapter", f"unknown adapter {source.adapter!r}")
    secret: Secret | None = get_secret(source.name) if factory.needs_secret else None
    adapter: Adapter = factory.create(source, secret, clock)
    return adapter


def _announce(host: PluginHost, hook: str, **kwargs: Any) -> None:
    try:
        getattr(host.pm.hook, hook)(**kwargs)
    except Exception:  # observers must not break the daemon
        log.exception("a plugin's %s hook failed", hook)


def run_forever(config_path: str, load: Callable[[str, PluginHost | None], tuple[Config, PluginHost]],
                metrics_factory: Callable[[Config], Any] | None = None) -> int:
    """``csbridge run``: schedule and run until SIGTERM/SIGINT; SIGHUP reloads the config.

    SIGTERM lets the cycle in flight finish its request and exits cleanly.
    """
    global _CURRENT
    config, host = load(config_path, None)
    daemon = Daemon(config, host)
    daemon.metrics = metrics_factory(config) if metrics_factory else None
    scheduler = daemon.build_scheduler()
    daemon.scheduler = scheduler
    _CURRENT = daemon

    stopping = threading.Event()

    def stop(signum: int, _frame: Any) -> None:
        log.info("received %s: finishing the request in flight, then stopping", signal.Signals(signum).name)
        stopping.set()

    def reload(_signum: int, _frame: Any) -> None:
        global _CURRENT
        try:
            new_config, new_host = load(config_path, None)
        except CsbridgeError as exc:
            log.error("config not reloaded, the old one stays in force: %s", exc)
            return
        new = Daemon(new_config, new_host, scheduler=scheduler, metrics=daemon.metrics, stopping=stopping)
        _CURRENT = new
        new.schedule_polls()
        log.info("config reloaded from %s: %d sources", config_path, len(new.sources))

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    daemon.stopping = stopping
    scheduler.start(paused=True)
    daemon.schedule_polls()
    daemon.reschedule_stored_deadlines()
    log.info("csbridge running: %d sources, state %s", len(daemon.sources), _redact_url(config.daemon.state))
    scheduler.resume()
    while not stopping.wait(1.0):
        pass
    scheduler.shutdown(wait=True)
    (_CURRENT or daemon).close()
    log.info("csbridge stopped")
    return 0


def _redact_url(url: str) -> str:
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(invalid URL)"
