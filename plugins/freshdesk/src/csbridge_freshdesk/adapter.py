"""The Freshdesk adapter: reads changed tickets with their conversations, writes notes and tags.

Reading lists ``GET /api/v2/tickets?updated_since=...&order_by=updated_at&order_type=asc``
and restarts that query from the cursor after every page (a keyset walk): tickets
updated while we read move to the end of the list instead of shifting an unread
ticket across a page boundary, and the 300-page ceiling is never reached. The
``link`` header says whether more pages exist; it is followed only when a whole
page shares the cursor's instant, the one case a restart cannot get past.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from csbridge.adapter import Page, RequestStats, Skipped, WriteResult
from csbridge.config import Option, SourceConfig
from csbridge.errors import AdapterError, TicketError
from csbridge.marker import find_marker, find_markers, marker_line
from csbridge.models import Note, Person, Reminder, Status, Ticket
from csbridge.secrets import Secret
from csbridge_freshdesk.client import ApiError, BudgetSpent, FreshdeskClient, NotFound
from csbridge_freshdesk.cursor import Cursor
from csbridge_freshdesk.limiter import Budget
from csbridge_freshdesk.mapping import agent_person, parse_time, ticket_of
from csbridge_freshdesk.statuses import CustomStatuses, parse_custom_statuses

log = logging.getLogger(__name__)

PER_PAGE = 100
INCLUDE = ("requester", "stats", "description")
LIST_COST = 1 + 2 * len(INCLUDE)
"""Credits of one tickets-list page: one, plus two per ``include``."""
BATCH = 25
"""Tickets per yielded page, so the core commits progress often."""
AGENTS_TTL = timedelta(hours=1)
AGENTS_RETRY = timedelta(minutes=10)
LIST = "GET /api/v2/tickets"
SHOW = "GET /api/v2/tickets/{id}"
UPDATE = "PUT /api/v2/tickets/{id}"
CONVERSATIONS = "GET /api/v2/tickets/{id}/conversations"
NOTES = "POST /api/v2/tickets/{id}/notes"
AGENTS = "GET /api/v2/agents"


class FreshdeskAdapter:
    """One Freshdesk account (API v2), for :class:`csbridge.adapter.Adapter`.

    Not thread-safe: the daemon drives one source from one thread.
    """

    name: ClassVar[str] = "freshdesk"
    options: ClassVar[Mapping[str, Option]] = {
        "domain": Option(str, help="the account's subdomain: 'acme' for acme.freshdesk.com"),
        "url": Option(str, help="base URL instead of domain (simulator or proxy)"),
        "requests_per_minute": Option(int, help="credits per minute csbridge may spend (default 80% of the plan)"),
        "custom_statuses": Option((dict, str), help="custom status number or name -> csbridge status"),
        "backfill_days": Option(int, help="first run reads tickets updated this many days back (0: all; default 30)"),
    }
    needs_secret: ClassVar[bool] = True

    def __init__(
        self,
        *,
        source: str,
        base_url: str,
        secret: Secret,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
        requests_per_minute: int | None = None,
        custom_statuses: Mapping[str, Status] | None = None,
        backfill_days: int = 30,
        timeout: float = 30.0,
        attempts: int = 5,
    ) -> None:
        self.source = source
        self.clock = clock
        self.stats = RequestStats()
        self.budget = Budget(clock, requests_per_minute)
        self.client = FreshdeskClient(
            base_url, secret, clock=clock, sleep=sleep, budget=self.budget, stats=self.stats,
            timeout=timeout, attempts=attempts,
        )
        self.backfill_days = backfill_days
        self.statuses = CustomStatuses(custom_statuses or {}, self._ticket_fields)
        self._agents: dict[str, Person] = {}
        self._agents_at: datetime | None = None
        self._own: dict[str, datetime] = {}
        self._gone: set[str] = set()

    @classmethod
    def create(
        cls, source: SourceConfig, secret: Secret | None, clock: Callable[[], datetime],
        *, sleep: Callable[[float], None] | None = None,
    ) -> FreshdeskAdapter:
        """Build the adapter of ``[sources.NAME]``; exactly one of ``domain`` and ``url``.
        Raises :class:`~csbridge.errors.ConfigError` for unusable options."""
        options = source.options
        domain, url = options.get("domain"), options.get("url")
        if bool(domain) == bool(url):
            raise source.error("domain", "set exactly one of 'domain' (e.g. 'acme') and 'url'")
        if domain and ("." in domain or "/" in domain):
            raise source.error("domain", f"expected the subdomain only, e.g. 'acme' for acme.freshdesk.com, got {domain!r}")
        if url and not str(url).startswith(("http://", "https://")):
            raise source.error("url", f"expected an http(s) URL, got {url!r}")
        rpm = options.get("requests_per_minute")
        if rpm is not None and rpm < 1:
            raise source.error("requests_per_minute", f"expected a positive number, got {rpm}")
        backfill = options.get("backfill_days", 30)
        if backfill < 0:
            raise source.error("backfill_days", f"expected 0 or more, got {backfill}")
        try:
            custom = parse_custom_statuses(options.get("custom_statuses", {}))
        except ValueError as exc:
            raise source.error("custom_statuses", str(exc)) from None
        if secret is None:
            raise source.error("adapter", "the freshdesk adapter needs the account's API key as the source's secret")
        return cls(
            source=source.name,
            base_url=str(url) if url else f"https://{domain}.freshdesk.com",
            secret=secret,
            clock=clock,
            sleep=sleep or time.sleep,
            requests_per_minute=rpm,
            custom_statuses=custom,
            backfill_days=backfill,
        )

    # -- reading -------------------------------------------------------------

    def fetch_changes(self, cursor: str | None) -> Iterator[Page]:
        """Yield pages of tickets changed since ``cursor`` with every message.

        Stops early (``done`` False, ``backlog`` set) when this minute's credits are
        spent; the next cycle resumes from the last page's cursor. A ticket whose
        only change is csbridge's own last write is passed over without a request.
        """
        state = Cursor.load(cursor)
        for ticket_id, at in self._own.items():
            state.own.setdefault(ticket_id, at)
        self._own = state.own
        if state.since is None:
            state.since = self._backfill_start()
        try:
            agents = self._agent_map()
        except BudgetSpent:
            yield Page((), state.dump(), backlog=None)
            return
        url: str | None = None
        while True:
            query_since = state.since
            try:
                answer = self._list_page(url, query_since)
            except BudgetSpent:
                yield Page((), state.dump(), backlog=None)
                return
            items = answer.body
            if not isinstance(items, list):
                raise AdapterError("tickets list: expected a JSON list")
            pending = self._fresh(items, state)
            batch: list[Ticket] = []
            skipped: list[Skipped] = [s for s in pending if isinstance(s, Skipped)]
            rows = [r for r in pending if not isinstance(r, Skipped)]
            for index, (ticket_id, updated_at, raw) in enumerate(rows):
                if state.only_own_change(ticket_id, updated_at, _stats_times(raw)):
                    state.advance(ticket_id, updated_at)
                    continue
                try:
                    conversations = self._conversations(ticket_id, wait=False)
                    batch.append(ticket_of(raw, conversations, agents, source=self.source,
                                           custom_statuses=self.statuses.lookup(raw.get("status"))))
                except BudgetSpent:
                    backlog = len(rows) - index + (PER_PAGE if "next" in answer.links else 0)
                    yield Page(batch, state.dump(), skipped, backlog=backlog)
                    return
                except NotFound:
                    skipped.append(Skipped(ticket_id, "deleted or merged while being read"))
                except TicketError as exc:
                    skipped.append(Skipped(ticket_id, str(exc)))
                state.advance(ticket_id, updated_at)
                if len(batch) >= BATCH:
                    yield Page(batch, state.dump(), skipped)
                    batch, skipped = [], []
            if "next" not in answer.links:
                yield Page(batch, state.dump(), skipped, backlog=0, done=True)
                return
            if batch or skipped:
                yield Page(batch, state.dump(), skipped)
            # Restart from the cursor unless the whole page sat at its instant.
            url = None if state.since != query_since else answer.links["next"]

    def _backfill_start(self) -> datetime:
        if self.backfill_days == 0:
            return datetime(1970, 1, 1, tzinfo=UTC)
        return self.clock() - timedelta(days=self.backfill_days)

    def _list_page(self, url: str | None, since: datetime | None) -> Any:
        if url is not None:
            return self.client.request("GET", url, LIST, cost=LIST_COST, listing=True, wait=False)
        params = {
            "updated_since": (since or self._backfill_start()).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "order_by": "updated_at",
            "order_type": "asc",
            "per_page": PER_PAGE,
            "include": ",".join(INCLUDE),
        }
        return self.client.request("GET", "/api/v2/tickets", LIST, params=params, cost=LIST_COST, listing=True, wait=False)

    @staticmethod
    def _fresh(items: list[Any], state: Cursor) -> list[tuple[str, datetime, dict[str, Any]] | Skipped]:
        rows: list[tuple[str, datetime, dict[str, Any]] | Skipped] = []
        for raw in items:
            ticket_id = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
            try:
                if not isinstance(raw, dict) or raw.get("id") is None:
                    raise TicketError("expected a ticket object with an id")
                updated_at = parse_time(raw.get("updated_at"), "updated_at")
            except TicketError as exc:
                rows.append(Skipped(ticket_id, str(exc)))
                continue
            if state.is_new(ticket_id, updated_at):
                rows.append((ticket_id, updated_at, raw))
        return rows

    def _conversations(self, ticket_id: str, wait: bool) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = []
        url: str | None = f"/api/v2/tickets/{ticket_id}/conversations"
        params: dict[str, Any] | None = {"per_page": PER_PAGE}
        while url:
            answer = self.client.request("GET", url, CONVERSATIONS, params=params, wait=wait, ticket_id=ticket_id)
            if not isinstance(answer.body, list):
                raise TicketError("conversations: expected a JSON list")
            result.extend(c for c in answer.body if isinstance(c, dict))
            url, params = answer.links.get("next"), None
        return result

    def _agent_map(self, refresh: bool = False) -> dict[str, Person]:
        """The account's agents by id, cached for an hour."""
        now = self.clock()
        stale = self._agents_at is None or now - self._agents_at > AGENTS_TTL
        if not stale and not (refresh and now - (self._agents_at or now) > AGENTS_RETRY):
            return self._agents
        agents: dict[str, Person] = {}
        url: str | None = "/api/v2/agents"
        params: dict[str, Any] | None = {"per_page": PER_PAGE}
        while url:
            answer = self.client.request("GET", url, AGENTS, params=params, wait=False)
            for raw in answer.body if isinstance(answer.body, list) else []:
                if isinstance(raw, dict) and raw.get("id") is not None:
                    person = agent_person(raw)
                    agents[person.id] = person
            url, params = answer.links.get("next"), None
        self._agents, self._agents_at = agents, now
        return agents

    def _ticket_fields(self) -> list[dict[str, Any]]:
        answer = self.client.request("GET", "/api/v2/ticket_fields", "GET /api/v2/ticket_fields")
        return [f for f in answer.body if isinstance(f, dict)] if isinstance(answer.body, list) else []

    # -- writing -------------------------------------------------------------

    def post_notes(self, notes: Sequence[Note]) -> list[WriteResult]:
        """Per note: add its tags (the ticket's current tags read right before, united
        with the note's, one ``PUT``; skipped when nothing is new), then post the note
        as a private note. A tag refusal is reported in ``error`` but the note is
        still written; a deleted or merged ticket gives ``retry=False``."""
        return [self._write(n.ticket_id, n.marker, n.html, n.tags, None) for n in notes]

    def deliver_reminders(self, reminders: Sequence[Reminder]) -> list[WriteResult]:
        """Per reminder: a private note whose ``notify_emails`` names the owning agent,
        so Freshdesk e-mails that agent (and nobody else) about it."""
        results = []
        for reminder in reminders:
            email = self._agent_email(reminder.agent)
            result = self._write(reminder.ticket_id, reminder.marker, reminder.html, (), email)
            if result.ok and not email:
                result = WriteResult(reminder.marker, True, "no agent e-mail known: note written without notification")
            results.append(result)
        return results

    def _agent_email(self, agent: Person | None) -> str:
        if agent is None:
            return ""
        if agent.email:
            return agent.email
        try:
            return self._agent_map().get(agent.id, agent).email
        except (BudgetSpent, AdapterError):
            return ""

    def _write(self, ticket_id: str, marker: str, html: str, tags: Sequence[str], notify: str | None) -> WriteResult:
        if ticket_id in self._gone:
            return WriteResult(marker, False, f"ticket {ticket_id}: deleted or merged in Freshdesk (reported before)", False)
        if find_marker(html) != marker:
            html = f"{html}<p>{marker_line(marker)}</p>"
        tag_error = ""
        try:
            if tags:
                tag_error = self._add_tags(ticket_id, tags)
            body: dict[str, Any] = {"body": html, "private": True}
            if notify:
                body["notify_emails"] = [notify]
            answer = self.client.request("POST", f"/api/v2/tickets/{ticket_id}/notes", NOTES, body=body, ticket_id=ticket_id)
        except NotFound:
            self._gone.add(ticket_id)
            return WriteResult(marker, False, f"ticket {ticket_id}: deleted or merged in Freshdesk; left alone", False)
        except ApiError as exc:
            return WriteResult(marker, False, str(exc), retry=False)
        except AdapterError as exc:
            return WriteResult(marker, False, str(exc), retry=exc.retry)
        self._remember_write(ticket_id, answer.body)
        return WriteResult(marker, True, tag_error)

    def _add_tags(self, ticket_id: str, tags: Sequence[str]) -> str:
        """Union the ticket's current tags with ``tags``; '' or the refusal's text."""
        answer = self.client.request("GET", f"/api/v2/tickets/{ticket_id}", SHOW, ticket_id=ticket_id)
        current = [str(t) for t in (answer.body or {}).get("tags") or []]
        if (answer.body or {}).get("deleted"):
            raise NotFound("deleted", status=404, ticket_id=ticket_id)
        missing = [t for t in tags if t not in current]
        if not missing:
            return ""
        try:
            self.client.request("PUT", f"/api/v2/tickets/{ticket_id}", UPDATE, body={"tags": current + missing},
                                ticket_id=ticket_id)
        except NotFound:
            raise
        except ApiError as exc:
            return f"tags not written: {exc}"
        return ""

    def _remember_write(self, ticket_id: str, note: Any) -> None:
        # Writing a note bumps the ticket's updated_at to the note's time.
        if isinstance(note, dict):
            with contextlib.suppress(TicketError):
                self._own[ticket_id] = parse_time(note.get("updated_at") or note.get("created_at"), "note.updated_at")

    def written_markers(self, ticket_id: str) -> set[str]:
        """The csbridge markers in the ticket's conversations, read now (empty for a
        deleted ticket)."""
        try:
            conversations = self._conversations(ticket_id, wait=True)
        except NotFound:
            return set()
        markers: set[str] = set()
        for conversation in conversations:
            for key in ("body_text", "body"):
                if isinstance(conversation.get(key), str):
                    markers.update(find_markers(conversation[key]))
        return markers

    def check_access(self) -> str:
        """Read the agents list, fresh: proves the key works and has agent rights
        (``csbridge doctor``). Raises ``AuthError`` for a refused key."""
        self._agents_at = None
        agents = self._agent_map()
        return f"Freshdesk {self.client.base_url}: key accepted, {len(agents)} agents visible"

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()


def _stats_times(raw: Mapping[str, Any]) -> list[datetime]:
    stats = raw.get("stats")
    times = []
    if isinstance(stats, dict):
        for key in ("agent_responded_at", "requester_responded_at", "status_updated_at"):
            try:
                if stats.get(key):
                    times.append(parse_time(stats[key], key))
            except TicketError:
                continue
    return times
