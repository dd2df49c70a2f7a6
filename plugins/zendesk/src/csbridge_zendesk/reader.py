"""Reading changed tickets: the cursor-based ticket export plus the ticket events
export (``include=comment_events``), which brings the comments of up to 1,000
ticket updates per request instead of one request per ticket.

The cursor is a small JSON object: ``tickets`` (Zendesk's ``after_cursor``),
``start`` (the first run's ``start_time``) and ``events`` (where the events
export resumes). A page's cursor only moves past the tickets in that page.
"""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from csbridge.adapter import Page, Skipped
from csbridge.errors import AdapterError, TicketError
from csbridge.jsonl import parse_time
from csbridge.models import Person, Status, Ticket
from csbridge_zendesk import mapping
from csbridge_zendesk.client import ZendeskClient
from csbridge_zendesk.history import HistoryStore

log = logging.getLogger(__name__)

TICKETS = "/api/v2/incremental/tickets/cursor.json"
EVENTS = "/api/v2/incremental/ticket_events.json"
USERS = "/api/v2/users/show_many.json"
EXPORT_LAG = 60  # the exports want start_time at least a minute in the past
MAX_PEOPLE = 20_000  # users kept between pages; page users come side-loaded again


@dataclass
class Cursor:
    """Where reading resumes; see the module docstring."""

    tickets: str | None
    start: int
    events: int

    def encode(self) -> str:
        return json.dumps({"v": 1, "tickets": self.tickets, "start": self.start, "events": self.events})

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            data = json.loads(text)
            return cls(data.get("tickets"), int(data["start"]), int(data["events"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise AdapterError(f"not a zendesk cursor: {text[:80]!r}", retry=False) from None


class Reader:
    """Reads changes for one source; keeps users and histories between cycles."""

    def __init__(
        self,
        client: ZendeskClient,
        source: str,
        clock: Callable[[], datetime],
        *,
        backfill_seconds: int,
        history: HistoryStore,
    ) -> None:
        self.client = client
        self.source = source
        self.clock = clock
        self.backfill_seconds = backfill_seconds
        self.history = history
        self.people: dict[str, Person] = {}
        self.fallback_reads = 0

    def _now(self) -> int:
        return int(self.clock().timestamp())

    def fetch(self, cursor: str | None) -> Iterator[Page]:
        """Yield pages of changed tickets; see :meth:`csbridge.adapter.Adapter.fetch_changes`."""
        if cursor is None:
            start = max(0, self._now() - EXPORT_LAG - self.backfill_seconds)
            state = Cursor(None, start, start)
        else:
            state = Cursor.decode(cursor)
        events = _EventStream(self, state.events)
        seen: dict[str, int] = {}  # ticket id -> version yielded, for the last two pages
        reached = 0  # the newest ticket version read in this fetch
        while True:
            params: dict[str, Any] = {"include": "users"}
            if state.tickets:
                params["cursor"] = state.tickets
            else:
                params["start_time"] = min(state.start, self._now() - EXPORT_LAG)
            data = self.client.get(TICKETS, params, endpoint=f"GET {TICKETS}")
            self._learn_users(data.get("users"))
            raw = data.get("tickets")
            if not isinstance(raw, list):
                raise AdapterError(f"{TICKETS}: the answer has no ticket list")
            fresh = self._fresh(raw, seen)
            stamps = [_stamp(t) for t in fresh]
            horizon = max(stamps, default=0)
            reached = max(reached, horizon)
            events.read_until(horizon)
            tickets, skipped = self._build(fresh, events.covered)
            if stamps:  # the export only goes forward: older versions cannot come again
                oldest = min(stamps)
                seen = {tid: stamp for tid, stamp in seen.items() if stamp >= oldest}
            after = data.get("after_cursor")
            if isinstance(after, str) and after:
                state.tickets = after
            state.events = events.position
            done = bool(data.get("end_of_stream", True))
            if done:  # events of tickets the export did not bring (up to its end): evictable
                self.history.settle(reached)
            yield Page(tickets=tickets, cursor=state.encode(), skipped=skipped, done=done)
            if done:
                return

    def _fresh(self, raw: Sequence[Any], seen: dict[str, int]) -> list[Any]:
        """Drop deleted tickets and tickets already yielded in this read at the same version."""
        fresh: list[Any] = []
        for item in raw:
            if not isinstance(item, Mapping) or "id" not in item:
                fresh.append(item)
                continue
            ticket_id = str(item["id"])
            if item.get("status") == "deleted":
                self.history.drop(ticket_id)
                continue
            stamp = _stamp(item)
            if seen.get(ticket_id, -1) >= stamp:
                continue
            seen[ticket_id] = stamp
            fresh.append(item)
        return fresh

    def _build(self, raw: Sequence[Any], covered: int) -> tuple[list[Ticket], list[Skipped]]:
        tickets: list[Ticket] = []
        skipped: list[Skipped] = []
        wanted: list[tuple[Any, Any]] = []
        for item in raw:
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), int):
                skipped.append(Skipped(str(item.get("id", "?")) if isinstance(item, Mapping) else "?", "not a ticket object"))
                continue
            ticket_id = str(item["id"])
            history = self.history.get(ticket_id)
            if history is None or not history.complete or _stamp(item) > covered:
                try:
                    self._read_audits(ticket_id)
                except AdapterError as exc:
                    if exc.retry:
                        raise
                    skipped.append(Skipped(ticket_id, str(exc)))
                    self.history.yielded(ticket_id)
                    continue
                history = self.history.get(ticket_id)
            wanted.append((item, history))
        self._learn_authors(h.comments.values() for _, h in wanted if h is not None)
        for item, history in wanted:
            ticket_id = str(item["id"])
            try:
                if history is None:
                    raise TicketError("no history")
                messages = tuple(mapping.message(c, self.people) for c in history.comments.values())
                tickets.append(
                    mapping.ticket(
                        item,
                        source=self.source,
                        messages=messages,
                        status_changes=history.status_changes(),
                        people=self.people,
                    )
                )
            except TicketError as exc:
                log.warning("zendesk ticket %s skipped: %s", ticket_id, exc)
                skipped.append(Skipped(ticket_id, str(exc)))
            self.history.yielded(ticket_id)
        return tickets, skipped

    def _read_audits(self, ticket_id: str) -> None:
        """The whole history of one ticket (the fallback: one request per 100 updates)."""
        self.fallback_reads += 1
        comments: list[Mapping[str, Any]] = []
        statuses: dict[datetime, Status] = {}
        path = f"/api/v2/tickets/{ticket_id}/audits.json"
        params: dict[str, Any] = {"page[size]": 100}
        while True:
            try:
                data = self.client.get(path, params, endpoint="GET /api/v2/tickets/{id}/audits.json")
            except AdapterError as exc:
                raise AdapterError(str(exc), ticket_id=ticket_id, retry=exc.retry) from None
            for audit in data.get("audits") or []:
                if not isinstance(audit, Mapping):
                    continue
                for event in audit.get("events") or []:
                    if not isinstance(event, Mapping):
                        continue
                    if event.get("type") == "Comment" and "id" in event:
                        comments.append({"created_at": audit.get("created_at"), **event})
                    elif event.get("field_name") == "status" and event.get("value") in mapping.STATUSES:
                        try:
                            at = parse_time(audit.get("created_at"), "audit created_at")
                        except TicketError:
                            continue
                        statuses[at] = mapping.STATUSES[event["value"]]
            meta = data.get("meta")
            if isinstance(meta, Mapping) and meta.get("has_more") and meta.get("after_cursor"):
                params = {"page[size]": 100, "page[after]": meta["after_cursor"]}
                continue
            break
        self.history.replace(ticket_id, comments, statuses)

    def _learn_users(self, users: Any) -> None:
        """Remember users (most recently seen last); beyond ``MAX_PEOPLE`` the oldest
        half is forgotten (fetched again with ``show_many`` if a comment needs them)."""
        people = self.people
        for user in users or []:
            if isinstance(user, Mapping) and "id" in user:
                key = str(user["id"])
                people.pop(key, None)
                people[key] = mapping.person(user)
        if len(people) > MAX_PEOPLE:
            for key in list(itertools.islice(people, len(people) - MAX_PEOPLE // 2)):
                del people[key]

    def _learn_authors(self, groups: Any) -> None:
        """Fetch the users the side-load did not bring, 100 a request, once each."""
        missing = sorted({str(c["author_id"]) for group in groups for c in group if "author_id" in c} - set(self.people))
        for i in range(0, len(missing), 100):
            chunk = missing[i : i + 100]
            data = self.client.get(USERS, {"ids": ",".join(chunk)}, endpoint=f"GET {USERS}")
            self._learn_users(data.get("users"))


class _EventStream:
    """The time-based ticket events export, read lazily up to what a page needs."""

    def __init__(self, reader: Reader, position: int) -> None:
        self.reader = reader
        self.position = position
        self.covered = position
        self.done = False
        self._seen_last: set[str] = set()

    def read_until(self, horizon: int) -> None:
        """Read event pages until every event up to ``horizon`` is in the history store."""
        reader = self.reader
        while not self.done and self.covered < horizon:
            now = reader._now()
            if self.position > now - EXPORT_LAG:
                self.done = True
                return
            data = reader.client.get(
                EVENTS, {"start_time": self.position, "include": "comment_events"}, endpoint=f"GET {EVENTS}"
            )
            events = data.get("ticket_events")
            if not isinstance(events, list):
                raise AdapterError(f"{EVENTS}: the answer has no ticket_events list")
            seen: set[str] = set()
            for event in events:
                if not isinstance(event, Mapping):
                    continue
                key = str(event.get("id"))
                seen.add(key)
                if key in self._seen_last:  # pages overlap on their boundary second
                    continue
                try:
                    reader.history.add_event(mapping.ticket_event(event))
                except TicketError as exc:
                    log.warning("zendesk ticket event %s skipped: %s", key, exc)
            self._seen_last = seen
            end_time = data.get("end_time")
            end = int(end_time) if isinstance(end_time, int | float) else self.position
            if data.get("end_of_stream"):
                self.done = True
                self.covered = max(end, now - EXPORT_LAG - 1)
            else:
                if end <= self.position and len(events) > 0:
                    end = self.position + 1  # never loop on one second
                self.covered = end
            self.position = max(self.position, end)


def _stamp(item: Any) -> int:
    if isinstance(item, Mapping):
        value = item.get("generated_timestamp")
        if isinstance(value, int):
            return value
        try:
            return int(parse_time(item.get("updated_at"), "updated_at").timestamp())
        except TicketError:
            return 0
    return 0


def utc(ts: int) -> datetime:
    """A unix time as an aware datetime."""
    return datetime.fromtimestamp(ts, UTC)
