"""The state store: cursors, reported findings, pending and written actions, deadlines.

SQLite by default, any SQLAlchemy URL (PostgreSQL) otherwise. Every change of a
cycle goes through :meth:`Store.transaction` so that findings, the actions they
call for and the source's cursor move together: a crash leaves either all of them
or none. The schema is versioned; :data:`MIGRATIONS` brings any older database
up to date on open.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from csbridge.errors import CsbridgeError
from csbridge.models import Deadline, Finding

metadata = sa.MetaData()

schema_version = sa.Table("csbridge_schema", metadata, sa.Column("version", sa.Integer, nullable=False))

sources = sa.Table(
    "csbridge_sources",
    metadata,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("cursor", sa.Text),
    sa.Column("last_cycle_at", sa.DateTime(timezone=True)),
    sa.Column("last_cycle_seconds", sa.Float),
    sa.Column("last_error", sa.Text),
    sa.Column("backlog", sa.Integer),
    sa.Column("tickets_read", sa.Integer, nullable=False, default=0),
    sa.Column("lease_owner", sa.String(200)),
    sa.Column("lease_until", sa.Float),
)

findings = sa.Table(
    "csbridge_findings",
    metadata,
    sa.Column("key", sa.String(400), primary_key=True),
    sa.Column("source", sa.String(200), nullable=False, index=True),
    sa.Column("ticket_id", sa.String(200), nullable=False),
    sa.Column("rule", sa.String(100), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("agent_id", sa.String(200)),
    sa.Column("message_id", sa.String(400)),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(100)),
)

actions = sa.Table(
    "csbridge_actions",
    metadata,
    sa.Column("marker", sa.String(100), primary_key=True),
    sa.Column("source", sa.String(200), nullable=False, index=True),
    sa.Column("ticket_id", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("done_at", sa.DateTime(timezone=True)),
)

deadlines = sa.Table(
    "csbridge_deadlines",
    metadata,
    sa.Column("key", sa.String(400), primary_key=True),
    sa.Column("source", sa.String(200), nullable=False, index=True),
    sa.Column("ticket_id", sa.String(200), nullable=False, index=True),
    sa.Column("rule", sa.String(100), nullable=False),
    sa.Column("message_id", sa.String(400)),
    sa.Column("agent_id", sa.String(200)),
    sa.Column("warn_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("agent", sa.Text),
    sa.Column("reminded", sa.String(100)),
)


snapshots = sa.Table(
    "csbridge_snapshots",
    metadata,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("ticket_id", sa.String(200), primary_key=True),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("ticket", sa.Text, nullable=False),
)


def _v1(conn: Connection) -> None:
    # The sources table as version 1 made it; later columns come with their migrations.
    sa.Table(
        "csbridge_sources",
        sa.MetaData(),
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("cursor", sa.Text),
        sa.Column("last_cycle_at", sa.DateTime(timezone=True)),
        sa.Column("last_cycle_seconds", sa.Float),
        sa.Column("last_error", sa.Text),
        sa.Column("backlog", sa.Integer),
        sa.Column("tickets_read", sa.Integer, nullable=False, default=0),
    ).create(conn)
    metadata.create_all(conn, tables=[findings, actions, deadlines])


def _v2(conn: Connection) -> None:
    metadata.create_all(conn, tables=[snapshots])


def _v3(conn: Connection) -> None:
    conn.execute(sa.text("ALTER TABLE csbridge_sources ADD COLUMN lease_owner VARCHAR(200)"))
    conn.execute(sa.text("ALTER TABLE csbridge_sources ADD COLUMN lease_until FLOAT"))


MIGRATIONS: Sequence[Callable[[Connection], None]] = (_v1, _v2, _v3)
"""Migration ``i`` brings a database at version ``i`` to ``i + 1``. Append, never edit."""

PENDING, IN_FLIGHT, DONE, FAILED = "pending", "in_flight", "done", "failed"


@dataclass(frozen=True)
class Action:
    """A note or reminder to write, as stored."""

    marker: str
    source: str
    ticket_id: str
    kind: str
    payload: dict[str, Any]
    state: str
    attempts: int
    error: str | None


@dataclass(frozen=True)
class SourceState:
    """What the store knows of one source, for ``csbridge status``."""

    source: str
    cursor: str | None
    last_cycle_at: datetime | None
    last_cycle_seconds: float | None
    last_error: str | None
    backlog: int | None
    tickets_read: int


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def create_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, WAL mode is used."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise CsbridgeError(f"cannot open the state database: {exc}") from None
    if url.startswith("sqlite"):

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


class Store:
    """The state database. Methods taking ``conn`` run inside :meth:`transaction`."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or create_engine(url)
        try:
            self.migrate()
        except sa.exc.OperationalError as exc:
            raise CsbridgeError(f"cannot open the state database {_safe_url(url)}: {exc.orig}") from None

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Serialise migrations between processes starting at once on one SQLite
        file (PostgreSQL takes an advisory lock inside the migration's transaction)."""
        database = self.engine.url.database
        if self.engine.dialect.name != "sqlite" or not database or database == ":memory:":
            yield
            return
        import fcntl

        with open(f"{database}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def migrate(self) -> int:
        """Apply missing migrations; returns the schema version. Safe when several
        processes open a new database at the same time."""
        with self._exclusive(), self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(7461726)"))
            metadata.create_all(conn, tables=[schema_version])
            current = conn.execute(sa.select(schema_version.c.version)).scalar()
            if current is None:
                conn.execute(schema_version.insert().values(version=0))
                current = 0
            if current > len(MIGRATIONS):
                raise CsbridgeError(
                    f"the state database has schema version {current}, newer than this csbridge knows "
                    f"({len(MIGRATIONS)}); upgrade csbridge"
                )
            for step in MIGRATIONS[current:]:
                step(conn)
            conn.execute(schema_version.update().values(version=len(MIGRATIONS)))
        return len(MIGRATIONS)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit of work."""
        with self.engine.begin() as conn:
            yield conn

    # -- cursors and cycles ----------------------------------------------------------

    def source_state(self, source: str) -> SourceState:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(sources).where(sources.c.source == source)).first()
        if row is None:
            return SourceState(source, None, None, None, None, None, 0)
        return SourceState(
            source, row.cursor, _utc(row.last_cycle_at), row.last_cycle_seconds, row.last_error, row.backlog,
            row.tickets_read or 0,
        )

    def cursor(self, source: str) -> str | None:
        """The stored cursor of ``source``; ``None`` before the first cycle."""
        return self.source_state(source).cursor

    def _upsert_source(self, conn: Connection, source: str, **values: Any) -> None:
        updated = conn.execute(sources.update().where(sources.c.source == source).values(**values)).rowcount
        if not updated:
            conn.execute(sources.insert().values(**{"source": source, "tickets_read": 0, **values}))

    def set_cursor(self, conn: Connection, source: str, cursor: str, read: int, backlog: int | None) -> None:
        """Advance ``source``'s cursor (inside the transaction that stored what was read)."""
        previous = conn.execute(sa.select(sources.c.tickets_read).where(sources.c.source == source)).scalar() or 0
        self._upsert_source(conn, source, cursor=cursor, backlog=backlog, tickets_read=previous + read)

    def acquire_lease(self, source: str, owner: str, seconds: float) -> bool:
        """Take or renew the right to run ``source``'s cycles for ``seconds``.

        False while another process holds an unexpired lease: two csbridge
        processes on one state database (a daemon and a cron ``check --once``, or
        replicas) never work on one source at once. Wall-clock time, on purpose.
        """
        now = time.time()
        try:
            with self.transaction() as conn:
                if conn.execute(sa.select(sources.c.source).where(sources.c.source == source)).first() is None:
                    conn.execute(sources.insert().values(source=source, tickets_read=0))
        except sa.exc.IntegrityError:
            pass  # another process created the row at the same moment
        with self.transaction() as conn:
            holder = conn.execute(sa.select(sources.c.lease_owner).where(sources.c.source == source)).scalar()
            free = [sources.c.lease_owner.is_(None), sources.c.lease_owner == owner, sources.c.lease_until < now]
            if holder and _dead_here(holder):  # killed on this machine: no need to wait for the lease to run out
                free.append(sources.c.lease_owner == holder)
            taken = conn.execute(
                sources.update().where(sources.c.source == source).where(sa.or_(*free))
                .values(lease_owner=owner, lease_until=now + seconds)
            ).rowcount
        return bool(taken)

    def release_lease(self, source: str, owner: str) -> None:
        with self.transaction() as conn:
            conn.execute(sources.update().where(sources.c.source == source, sources.c.lease_owner == owner)
                         .values(lease_owner=None, lease_until=None))

    def record_cycle(self, source: str, at: datetime, seconds: float, error: str | None) -> None:
        with self.transaction() as conn:
            self._upsert_source(conn, source, last_cycle_at=at, last_cycle_seconds=seconds, last_error=error)

    # -- findings ---------------------------------------------------------------------

    def new_findings(self, conn: Connection, found: Iterable[Finding]) -> list[Finding]:
        """The findings of ``found`` not reported before (by :attr:`Finding.key`)."""
        found = list(found)
        if not found:
            return []
        keys = [f.key for f in found]
        known = set(conn.execute(sa.select(findings.c.key).where(findings.c.key.in_(keys))).scalars())
        fresh: dict[str, Finding] = {}
        for finding in found:
            if finding.key not in known:
                fresh.setdefault(finding.key, finding)
        return list(fresh.values())

    def add_findings(self, conn: Connection, found: Iterable[Finding], at: datetime, action: str | None) -> None:
        rows = [
            {
                "key": f.key, "source": f.source, "ticket_id": f.ticket_id, "rule": f.rule, "status": f.status.value,
                "agent_id": f.agent_id, "message_id": f.message_id, "due_at": f.due_at, "detail": f.detail,
                "found_at": at, "action": action,
            }
            for f in found
        ]
        if rows:
            conn.execute(findings.insert(), rows)

    def findings(self, source: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(findings).order_by(findings.c.found_at, findings.c.key)
        if source:
            query = query.where(findings.c.source == source)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # -- actions ----------------------------------------------------------------------

    def add_action(self, conn: Connection, marker: str, source: str, ticket_id: str, kind: str,
                   payload: dict[str, Any], at: datetime) -> bool:
        """Plan a write; False when an action with this marker exists already."""
        exists = conn.execute(sa.select(actions.c.marker).where(actions.c.marker == marker)).first()
        if exists:
            return False
        conn.execute(actions.insert().values(
            marker=marker, source=source, ticket_id=ticket_id, kind=kind, payload=json.dumps(payload),
            state=PENDING, attempts=0, created_at=at,
        ))
        return True

    def open_actions(self, source: str, kind: str | None = None) -> list[Action]:
        """Actions not yet done (pending, or in flight when a run was cut short), oldest first."""
        query = (
            sa.select(actions)
            .where(actions.c.source == source, actions.c.state.in_([PENDING, IN_FLIGHT]))
            .order_by(actions.c.created_at, actions.c.marker)
        )
        if kind:
            query = query.where(actions.c.kind == kind)
        with self.engine.connect() as conn:
            return [_action(r) for r in conn.execute(query)]

    def actions(self, source: str | None = None) -> list[Action]:
        query = sa.select(actions).order_by(actions.c.created_at, actions.c.marker)
        if source:
            query = query.where(actions.c.source == source)
        with self.engine.connect() as conn:
            return [_action(r) for r in conn.execute(query)]

    def mark_in_flight(self, markers: Sequence[str]) -> None:
        """Record that these writes are about to be sent: after a crash they are
        reconciled against the helpdesk before being sent again."""
        with self.transaction() as conn:
            conn.execute(
                actions.update().where(actions.c.marker.in_(markers))
                .values(state=IN_FLIGHT, attempts=actions.c.attempts + 1)
            )

    def mark(self, marker: str, state: str, at: datetime, error: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                actions.update().where(actions.c.marker == marker)
                .values(state=state, error=error, done_at=at if state in (DONE, FAILED) else None)
            )

    # -- deadlines --------------------------------------------------------------------

    def replace_deadlines(self, conn: Connection, source: str, ticket_id: str,
                          running: Sequence[Deadline], agents: dict[str, Any]) -> tuple[list[str], list[Deadline]]:
        """Make the stored deadlines of one ticket equal ``running``.

        Returns the keys dropped (answered, paused, moved elsewhere) and the
        deadlines that are new or moved, whose reminder must be (re)scheduled. A
        deadline already reminded keeps that mark when it has not moved.
        """
        rows = {
            r.key: r for r in conn.execute(
                sa.select(deadlines).where(deadlines.c.source == source, deadlines.c.ticket_id == ticket_id)
            )
        }
        wanted = {d.key: d for d in running}
        dropped = [key for key in rows if key not in wanted]
        if dropped:
            conn.execute(deadlines.delete().where(deadlines.c.key.in_(dropped)))
        changed: list[Deadline] = []
        for key, d in wanted.items():
            agent = json.dumps(agents.get(d.agent_id or "")) if d.agent_id in agents else None
            values = {"warn_at": d.warn_at, "due_at": d.due_at, "detail": d.detail, "agent_id": d.agent_id,
                      "agent": agent}
            row = rows.get(key)
            if row is None:
                conn.execute(deadlines.insert().values(key=key, source=source, ticket_id=ticket_id, rule=d.rule,
                                                       message_id=d.message_id, reminded=None, **values))
                changed.append(d)
            elif _utc(row.warn_at) != d.warn_at or _utc(row.due_at) != d.due_at or row.agent_id != d.agent_id:
                conn.execute(deadlines.update().where(deadlines.c.key == key).values(reminded=None, **values))
                changed.append(d)
        return dropped, changed

    def deadlines(self, source: str | None = None) -> list[dict[str, Any]]:
        query = sa.select(deadlines).order_by(deadlines.c.warn_at)
        if source:
            query = query.where(deadlines.c.source == source)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        for row in rows:
            row["warn_at"], row["due_at"] = _utc(row["warn_at"]), _utc(row["due_at"])
        return rows

    def deadline(self, conn: Connection, key: str) -> dict[str, Any] | None:
        row = conn.execute(sa.select(deadlines).where(deadlines.c.key == key)).first()
        if row is None:
            return None
        data = dict(row._mapping)
        data["warn_at"], data["due_at"] = _utc(data["warn_at"]), _utc(data["due_at"])
        return data

    # -- snapshots of tickets with running deadlines ----------------------------------

    def keep_snapshot(self, conn: Connection, source: str, ticket_id: str, due_at: datetime | None,
                      ticket: dict[str, Any] | None) -> None:
        """Keep the last read form of a ticket whose earliest running deadline is
        ``due_at`` (``None``: it has none, forget it). A ticket nobody touches again
        is judged from this copy when that deadline passes, since no change feed
        will bring it back."""
        conn.execute(snapshots.delete().where(snapshots.c.source == source, snapshots.c.ticket_id == ticket_id))
        if due_at is not None and ticket is not None:
            conn.execute(snapshots.insert().values(source=source, ticket_id=ticket_id, due_at=due_at,
                                                   ticket=json.dumps(ticket)))

    def due_snapshots(self, source: str, now: datetime) -> list[dict[str, Any]]:
        """The kept tickets of ``source`` whose earliest deadline has passed at ``now``."""
        query = sa.select(snapshots.c.ticket).where(snapshots.c.source == source, snapshots.c.due_at <= now)
        with self.engine.connect() as conn:
            return [json.loads(row.ticket) for row in conn.execute(query.order_by(snapshots.c.due_at))]

    def set_reminded(self, conn: Connection, key: str, marker: str) -> None:
        conn.execute(deadlines.update().where(deadlines.c.key == key).values(reminded=marker))


def deadline_of(row: Mapping[str, Any]) -> Deadline:
    """The :class:`Deadline` a row of :meth:`Store.deadlines` stands for."""
    return Deadline(row["source"], row["ticket_id"], row["rule"], row["warn_at"], row["due_at"], row["agent_id"],
                    row["message_id"], row["detail"])


def lease_owner_id() -> str:
    """``host:pid:nonce``, the owner of a lease taken by this process."""
    import os
    import socket
    import uuid

    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead_here(owner: str) -> bool:
    """True when ``owner`` was a process of this machine that no longer runs."""
    import os
    import socket

    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _action(row: Any) -> Action:
    return Action(row.marker, row.source, row.ticket_id, row.kind, json.loads(row.payload), row.state,
                  row.attempts, row.error)


def _safe_url(url: str) -> str:
    """The URL without a password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(invalid URL)"
