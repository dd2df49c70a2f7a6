"""One check cycle of one source: read what changed, judge it, store, write back.

The order is what makes writing exactly-once:

1. For each page the adapter reads, the new findings, the note that gathers them
   (as a *pending action*), the ticket's running deadlines and the advanced cursor
   are stored in one transaction. A crash before the commit re-reads the page;
   after it, nothing is lost.
2. The sender marks a batch *in flight*, writes it, then marks each action done.
   Actions found in flight at the start of a send were cut short by a crash: the
   sender first asks the helpdesk which markers the ticket already carries and
   only writes what is missing.
3. A ticket with a running deadline is kept as read; when the deadline passes
   and nothing brought the ticket back, it is judged again from that copy.
4. Deadlines whose ``warn_at`` has come get one reminder action each, stored in
   the same transaction that marks the deadline reminded, then sent the same way.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from csbridge.adapter import Adapter, WriteResult
from csbridge.errors import AdapterError
from csbridge.jsonl import ticket_from_dict, ticket_to_dict
from csbridge.models import Deadline, Finding, FindingStatus, Note, Person, Reminder, Role, Ticket
from csbridge.render import render_note, render_reminder
from csbridge.standards import Engine
from csbridge.state import DONE, FAILED, IN_FLIGHT, PENDING, Action, Store, deadline_of

log = logging.getLogger(__name__)
BATCH = 100
PROGRESS_EVERY = 5.0
Clock = Callable[[], datetime]


@dataclass
class CycleReport:
    """What one cycle did; the dry-run lists what it would write."""

    source: str
    tickets: int = 0
    skipped: int = 0
    findings: int = 0
    notes_written: int = 0
    reminders_sent: int = 0
    failed: int = 0
    backlog: int | None = None
    error: str | None = None
    busy: bool = False  # another process held the source: nothing was done
    planned_notes: list[Note] = field(default_factory=list)
    planned_reminders: list[Reminder] = field(default_factory=list)


@dataclass
class Observers:
    """Callbacks of the daemon: plugin events and reminder scheduling."""

    finding_made: Callable[[Finding], None] = lambda finding: None
    action_written: Callable[[Note | Reminder, bool, str], None] = lambda action, ok, error: None
    deadlines_changed: Callable[[str, list[str], list[Deadline]], None] = lambda source, dropped, changed: None


def note_payload(note: Note) -> dict[str, Any]:
    return {"source": note.source, "ticket_id": note.ticket_id, "marker": note.marker, "text": note.text,
            "html": note.html, "tags": list(note.tags)}


def reminder_payload(reminder: Reminder) -> dict[str, Any]:
    data = asdict(reminder)
    data["due_at"] = reminder.due_at.isoformat()
    if reminder.agent:
        data["agent"]["role"] = reminder.agent.role.value
    return data


def note_from_payload(data: dict[str, Any]) -> Note:
    return Note(data["source"], data["ticket_id"], data["marker"], data["text"], data["html"], tuple(data["tags"]))


def reminder_from_payload(data: dict[str, Any]) -> Reminder:
    agent = data.get("agent")
    person = Person(agent["id"], Role(agent["role"]), agent.get("name", ""), agent.get("email", "")) if agent else None
    return Reminder(data["source"], data["ticket_id"], data["marker"], person, data["rule"],
                    datetime.fromisoformat(data["due_at"]), data["text"], data["html"])


def _people(ticket: Ticket) -> dict[str, dict[str, str]]:
    """Agents of the ticket by id, to address reminders."""
    people: dict[str, dict[str, str]] = {}
    for person in [m.author for m in ticket.messages] + ([ticket.assignee] if ticket.assignee else []):
        if person.role is Role.AGENT:
            people[person.id] = {"id": person.id, "role": person.role.value, "name": person.name,
                                 "email": person.email}
    return people


class Cycle:
    """Runs cycles of one source. ``dry_run`` stores and writes nothing and
    collects what would be written in the report instead."""

    def __init__(self, source: str, adapter: Adapter, engine: Engine, store: Store, clock: Clock,
                 observers: Observers | None = None, dry_run: bool = False,
                 should_stop: Callable[[], bool] = lambda: False) -> None:
        self.source = source
        self.adapter = adapter
        self.engine = engine
        self.store = store
        self.clock = clock
        self.observers = observers or Observers()
        self.dry_run = dry_run
        self.should_stop = should_stop
        self._last_progress = -PROGRESS_EVERY

    def run(self) -> CycleReport:
        """Read, judge, store and write back everything that changed since the
        stored cursor. Adapter failures end the cycle early (recorded as
        ``error``); what was stored stays, and the next cycle resumes."""
        started = time.monotonic()
        report = CycleReport(self.source)
        now = self.clock()
        try:
            if not self.dry_run:
                self.send(report)  # what a previous run left pending goes first
            self.read(report, now)
            self.recheck(report, now)
            if not self.dry_run:
                self.plan_reminders(now)
                self.send(report)
        except AdapterError as exc:
            report.error = str(exc)
            log.error("source %s: %s", self.source, exc)
        if not self.dry_run:
            self.store.record_cycle(self.source, now, time.monotonic() - started, report.error)
        return report

    # -- reading and judging ----------------------------------------------------------

    def read(self, report: CycleReport, now: datetime) -> None:
        cursor = self.store.cursor(self.source)
        backfill = cursor is None
        for page in self.adapter.fetch_changes(cursor):
            for skipped in page.skipped:
                log.warning("source %s: ticket %s skipped: %s", self.source, skipped.ticket_id, skipped.reason)
            report.skipped += len(page.skipped)
            self.store_page(page.tickets, page.cursor, page.backlog, now, report)
            report.tickets += len(page.tickets)
            report.backlog = page.backlog
            if self.should_stop():
                log.info("source %s: stopping after this page; the next run resumes from the cursor", self.source)
                break
            if backfill:
                self.progress(report, page.tickets, page.backlog)

    def progress(self, report: CycleReport, tickets: Sequence[Ticket], backlog: int | None) -> None:
        """On a first backfill, say how far it got: tickets read, up to which time,
        and how many are left where the adapter can tell (at most a line every 5 s)."""
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_EVERY and backlog != 0:
            return
        self._last_progress = now
        times = [t.updated_at or t.created_at for t in tickets]
        upto = f" (changes up to {max(times):%Y-%m-%d %H:%M} UTC)" if times else ""
        left = f", about {backlog} to go" if backlog else ""
        log.info("source %s: backfill: %d tickets read%s%s", self.source, report.tickets, upto, left)

    def recheck(self, report: CycleReport, now: datetime) -> None:
        """Judge again the tickets not read this cycle whose deadline has passed:
        nothing changed on them, so no change feed brings them, yet time alone
        turned a running target into a breach."""
        due = [ticket_from_dict(data) for data in self.store.due_snapshots(self.source, now)]
        if due:
            log.info("source %s: %d unchanged tickets passed a deadline; judging them again", self.source, len(due))
            self.store_page(due, None, None, now, report)

    def judge(self, ticket: Ticket, now: datetime) -> tuple[list[Finding], list[Deadline]] | None:
        try:
            evaluation = self.engine.evaluate(ticket, now)
        except Exception:  # a bug on one ticket must not stop the cycle
            log.exception("source %s: ticket %s could not be evaluated; skipped", self.source, ticket.id)
            return None
        shortfalls = [f for f in evaluation.findings if f.status is not FindingStatus.MET]
        return shortfalls, evaluation.deadlines

    def store_page(self, tickets: Sequence[Ticket], cursor: str | None, backlog: int | None, now: datetime,
                   report: CycleReport) -> None:
        """Judge ``tickets`` and store, in one transaction, their new findings, the
        note gathering them, their running deadlines and (when given) the cursor."""
        made: list[Finding] = []
        deadline_changes: list[tuple[list[str], list[Deadline]]] = []
        with self.store.engine.connect() if self.dry_run else self.store.transaction() as conn:
            for ticket in tickets:
                judged = self.judge(ticket, now)
                if judged is None:
                    report.skipped += 1
                    continue
                found, running = judged
                fresh = self.store.new_findings(conn, found)
                breached = [f for f in fresh if f.status is FindingStatus.BREACHED]
                note = render_note(self.source, ticket.id, breached, ticket) if breached else None
                if self.dry_run:
                    if note:
                        report.planned_notes.append(note)
                    report.findings += len(fresh)
                    people = _people(ticket)
                    for d in running:
                        if d.warn_at <= now < d.due_at:
                            data = people.get(d.agent_id or "")
                            agent = Person(data["id"], Role.AGENT, data["name"], data["email"]) if data else None
                            report.planned_reminders.append(render_reminder(d, agent))
                    continue
                if note:
                    self.store.add_action(conn, note.marker, self.source, ticket.id, "note", note_payload(note), now)
                self.store.add_findings(conn, fresh, now, note.marker if note else None)
                deadline_changes.append(
                    self.store.replace_deadlines(conn, self.source, ticket.id, running, _people(ticket))
                )
                due = min((d.due_at for d in running), default=None)
                self.store.keep_snapshot(conn, self.source, ticket.id, due, ticket_to_dict(ticket) if due else None)
                made += fresh
            if not self.dry_run and cursor is not None:
                self.store.set_cursor(conn, self.source, cursor, len(tickets), backlog)
        report.findings += len(made)
        for finding in made:
            self.observers.finding_made(finding)
        for dropped, changed in deadline_changes:
            if dropped or changed:
                self.observers.deadlines_changed(self.source, dropped, changed)

    # -- reminders --------------------------------------------------------------------

    def plan_reminders(self, now: datetime, only: str | None = None) -> int:
        """Turn each stored deadline whose ``warn_at`` has come (and whose
        ``due_at`` has not) into one reminder action. Returns how many."""
        planned = 0
        for row in self.store.deadlines(self.source):
            if only and row["key"] != only:
                continue
            if row["reminded"] or not row["warn_at"] <= now < row["due_at"]:
                continue
            with self.store.transaction() as conn:
                current = self.store.deadline(conn, row["key"])
                if current is None or current["reminded"]:
                    continue
                agent_data = json.loads(current["agent"]) if current["agent"] else None
                agent = Person(agent_data["id"], Role.AGENT, agent_data.get("name", ""), agent_data.get("email", "")) \
                    if agent_data else None
                reminder = render_reminder(deadline_of(current), agent)
                self.store.add_action(conn, reminder.marker, self.source, reminder.ticket_id, "reminder",
                                      reminder_payload(reminder), now)
                self.store.set_reminded(conn, row["key"], reminder.marker)
                planned += 1
        return planned

    # -- writing ----------------------------------------------------------------------

    def send(self, report: CycleReport) -> None:
        """Write every open action of this source, exactly once."""
        for kind in ("note", "reminder"):
            actions = self.store.open_actions(self.source, kind)
            if not actions:
                continue
            actions = self.reconcile(actions)
            for start in range(0, len(actions), BATCH):
                if self.should_stop():
                    return
                self.write_batch(kind, actions[start:start + BATCH], report)

    def reconcile(self, actions: list[Action]) -> list[Action]:
        """Drop the in-flight actions whose marker is already on the ticket."""
        remaining = [a for a in actions if a.state == PENDING]
        seen: dict[str, set[str]] = {}
        for action in (a for a in actions if a.state == IN_FLIGHT):
            if action.ticket_id not in seen:
                seen[action.ticket_id] = self.adapter.written_markers(action.ticket_id)
            if action.marker in seen[action.ticket_id]:
                log.info("source %s: %s %s was written before a restart; not writing it again", self.source,
                         action.kind, action.marker)
                self.store.mark(action.marker, DONE, self.clock())
            else:
                remaining.append(action)
        return remaining

    def write_batch(self, kind: str, batch: list[Action], report: CycleReport) -> None:
        self.store.mark_in_flight([a.marker for a in batch])
        results: list[WriteResult]
        items: list[Note | Reminder]
        if kind == "note":
            notes = [note_from_payload(a.payload) for a in batch]
            items = list(notes)
            results = self.adapter.post_notes(notes)
        else:
            reminders = [reminder_from_payload(a.payload) for a in batch]
            items = list(reminders)
            results = self.adapter.deliver_reminders(reminders)
        by_marker = {r.marker: r for r in results}
        now = self.clock()
        for action, item in zip(batch, items, strict=True):
            result = by_marker.get(action.marker)
            if result is None:  # the adapter did not say: reconcile next time
                continue
            if result.ok:
                if result.error:  # written, with a part that was not (tags refused, say)
                    log.warning("source %s: ticket %s: %s written, but: %s", self.source, action.ticket_id, kind,
                                result.error)
                self.store.mark(action.marker, DONE, now, result.error or None)
                if kind == "note":
                    report.notes_written += 1
                else:
                    report.reminders_sent += 1
            elif result.retry:  # it may have reached the helpdesk: reconcile before writing again
                self.store.mark(action.marker, IN_FLIGHT, now, result.error)
                log.warning("source %s: ticket %s: %s not written, will retry: %s", self.source, action.ticket_id,
                            kind, result.error)
            else:
                self.store.mark(action.marker, FAILED, now, result.error)
                report.failed += 1
                log.warning("source %s: ticket %s: %s given up: %s", self.source, action.ticket_id, kind,
                            result.error)
            self.observers.action_written(item, result.ok, result.error)
