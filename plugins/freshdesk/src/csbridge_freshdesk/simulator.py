"""A local Freshdesk API v2 for tests, benchmarks and the demo.

:class:`FreshdeskSimulator` serves on 127.0.0.1 (a free port) the endpoints the
adapter uses, in the shapes of the recorded answers: basic auth with the API key
as user name (a wrong key gets 401 and Freshdesk's body), ``link`` pagination
(``rel="next"``, absent on the last page), the tickets list's 30-day default
window and 300-page ceiling, credits per window with per-endpoint shares and
include costs in the ``X-RateLimit-*`` headers, 429 with ``Retry-After``,
Freshdesk's error body, and faults on demand. Time comes from ``clock``.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from csbridge.models import Ticket
from csbridge.simkit import FaultPlan, LocalServer
from csbridge_freshdesk.mapping import parse_time
from csbridge_freshdesk.sim_limits import RateLimits, credits
from csbridge_freshdesk.sim_store import SimTicket, Store, to_text

MAX_PAGE = 300
DEFAULT_WINDOW = timedelta(days=30)
INCLUDES = ("requester", "stats", "company", "description")
ROUTES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(pattern), name)
    for method, pattern, name in (
        ("GET", r"^/api/v2/tickets$", "GET /api/v2/tickets"),
        ("GET", r"^/api/v2/tickets/(\d+)$", "GET /api/v2/tickets/{id}"),
        ("PUT", r"^/api/v2/tickets/(\d+)$", "PUT /api/v2/tickets/{id}"),
        ("GET", r"^/api/v2/tickets/(\d+)/conversations$", "GET /api/v2/tickets/{id}/conversations"),
        ("POST", r"^/api/v2/tickets/(\d+)/notes$", "POST /api/v2/tickets/{id}/notes"),
        ("GET", r"^/api/v2/agents$", "GET /api/v2/agents"),
        ("GET", r"^/api/v2/agents/(\d+)$", "GET /api/v2/agents/{id}"),
        ("GET", r"^/api/v2/contacts$", "GET /api/v2/contacts"),
        ("GET", r"^/api/v2/contacts/(\d+)$", "GET /api/v2/contacts/{id}"),
        ("GET", r"^/api/v2/ticket_fields$", "GET /api/v2/ticket_fields"),
    )
)
UNAUTHORIZED = {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."}


def validation(field: str, message: str, code: str = "invalid_value") -> dict[str, Any]:
    """Freshdesk's error body for one invalid field."""
    return {"description": "Validation failed", "errors": [{"field": field, "message": message, "code": code}]}


class HttpError(Exception):
    """An error answer: status and Freshdesk's body."""

    def __init__(self, status: int, body: Any = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class _Fault(Exception):
    def __init__(self, kind: str, status: int = 200, headers: dict[str, str] | None = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.status = status
        self.headers = headers or {}


class _Handler(BaseHTTPRequestHandler):
    sim: FreshdeskSimulator
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # one write per answer: no Nagle/delayed-ACK stalls on keep-alive

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the simulator's log is sim.log

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, headers, payload = self.sim.handle(self.command, self.path, self.headers, body,
                                                       self.headers.get("Host", "127.0.0.1"))
            data = b"" if payload is None else json.dumps(payload).encode()
        except _Fault as fault:
            if fault.kind == "drop":
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, headers, data = fault.status, fault.headers, b'[{"id": 1, "subject": "trunc'
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = _serve


class FreshdeskSimulator(LocalServer):
    """An in-memory Freshdesk account behind a local HTTP server.

    ``requests`` counts requests per endpoint (``"GET /api/v2/tickets"``), faults
    and 429s included; ``writes`` counts PUT/POST/DELETE; ``log`` lists
    ``(time, endpoint, status)``; ``limits.early_requests`` counts requests sent
    before an announced ``Retry-After`` elapsed.
    """

    handler = _Handler
    thread_name = "freshdesk-sim"

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        plan: str = "growth",
        api_key: str | None = None,
        domain: str = "acme",
    ) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.plan = plan
        self.api_key = api_key or "sim-api-key"
        self.domain = domain
        self.limits = RateLimits(plan)
        self.faults = FaultPlan()
        self.store = Store()
        self.requests: Counter[str] = Counter()
        self.writes = 0
        self.log: list[tuple[datetime, str, int]] = []
        self.lock = threading.RLock()

    @property
    def url(self) -> str:
        """The base URL while serving (the same as ``base_url``)."""
        return self.base_url

    # -- the helpdesk ------------------------------------------------------------

    def seed(self, tickets: Iterable[Ticket]) -> None:
        """Add csbridge tickets: their agents, contacts, conversations and tags."""
        with self.lock:
            self.store.seed(tickets)

    def ticket_number(self, ticket_id: str) -> int:
        """The Freshdesk id the simulator gave csbridge ticket ``ticket_id``."""
        with self.lock:
            return self.store.ticket(ticket_id).id

    def add_conversation(self, ticket_id: str, author_id: str, body: str, private: bool, incoming: bool,
                         at: datetime) -> None:
        """Someone writes on the ticket (``author_id``: a seeded person's csbridge id or a
        Freshdesk id); bumps ``updated_at``."""
        with self.lock:
            ticket = self.store.ticket(ticket_id)
            user = self._user(author_id)
            self.store.converse(ticket, user, f"<div>{body}</div>", private, incoming, at)

    def _user(self, author_id: str) -> int:
        for kind in ("agent", "contact"):
            number = self.store._ids.get((kind, author_id))
            if number is not None:
                return number
        return int(author_id)

    def set_status(self, ticket_id: str, status: int, at: datetime) -> None:
        """Change the ticket's status number at ``at``."""
        with self.lock:
            ticket = self.store.ticket(ticket_id)
            ticket.status, ticket.status_updated_at = status, at
            ticket.updated_at = max(ticket.updated_at, at)

    def conversations(self, ticket_id: str) -> list[dict[str, Any]]:
        """The ticket's conversations as the API shows them."""
        with self.lock:
            return [self.store.render_conversation(c) for c in self.store.ticket(ticket_id).conversations]

    def tags(self, ticket_id: str) -> list[str]:
        """The ticket's tags."""
        with self.lock:
            return list(self.store.ticket(ticket_id).tags)

    def set_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Someone else replaces the ticket's tags now (bumps ``updated_at``)."""
        with self.lock:
            ticket = self.store.ticket(ticket_id)
            ticket.tags = list(tags)
            ticket.updated_at = max(ticket.updated_at, self.clock())

    def delete_ticket(self, ticket_id: str) -> None:
        """Delete (or merge away) the ticket: it answers 404 from now on."""
        with self.lock:
            self.store.ticket(ticket_id).deleted = True

    # -- serving -------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Any, body: bytes, host: str) -> tuple[int, dict[str, str], Any]:
        """Answer one request: ``(status, headers, JSON body or None)``; raises
        :class:`_Fault` for faults that change the transport."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        for route_method, pattern, name in ROUTES:
            match = pattern.match(parts.path)
            if match and route_method == method:
                endpoint, args = name, match.groups()
                break
        else:
            endpoint, args = f"{method} {parts.path}", ()
        now = self.clock()
        with self.lock:
            self.requests[endpoint] += 1
            if method in ("PUT", "POST", "DELETE"):
                self.writes += 1
        status, out_headers, payload = self._answer(method, endpoint, args, query, headers, body, host, now)
        with self.lock:
            self.log.append((now, endpoint, status))
        return status, out_headers, payload

    def _answer(self, method: str, endpoint: str, args: tuple[str, ...], query: dict[str, str], headers: Any,
                body: bytes, host: str, now: datetime) -> tuple[int, dict[str, str], Any]:
        fault = self.faults.take(endpoint)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)  # a slow answer: the client's timeout must fire
            if fault.drop:
                raise _Fault("drop")
            if fault.status is not None:
                extra = {}
                if fault.retry_after is not None:
                    extra["Retry-After"] = str(int(fault.retry_after))
                    if fault.status == 429:
                        self.limits.announce(fault.retry_after, now)
                        self.limits.rate_limited += 1
                payload: dict[str, Any] = {"description": "Service unavailable" if fault.status >= 500 else "Error", "errors": []}
                if fault.status == 429:
                    payload = {"message": "You have exceeded the limit of requests per minute"}
                return fault.status, extra, payload
        if not self._authorized(headers.get("Authorization", "")):
            return 401, {}, UNAUTHORIZED
        if endpoint not in {name for _, _, name in ROUTES}:
            return 404, {}, None
        includes = [i for i in query.get("include", "").split(",") if i]
        retry, limit_headers = self.limits.charge(endpoint, credits(endpoint, len(includes)), now)
        if retry is not None:
            limit_headers["Retry-After"] = str(retry)
            return 429, limit_headers, {"message": "You have exceeded the limit of requests per minute"}
        try:
            parsed = json.loads(body) if body else {}
        except json.JSONDecodeError:
            return 400, limit_headers, {"description": "Validation failed", "errors": [
                {"field": "body", "message": "Invalid JSON", "code": "invalid_json"}]}
        try:
            with self.lock:
                status, payload, link = self._route(endpoint, args, query, includes, parsed, now, host)
        except HttpError as exc:
            return exc.status, limit_headers, exc.body
        if link:
            limit_headers["Link"] = f'<{link}>; rel="next"'
        if fault is not None and fault.malformed:
            raise _Fault("malformed", status, limit_headers)
        return status, limit_headers, payload

    def _authorized(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        try:
            user, _, _ = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == self.api_key

    def _route(self, endpoint: str, args: tuple[str, ...], query: dict[str, str], includes: list[str], body: Any,
               now: datetime, host: str) -> tuple[int, Any, str | None]:
        store = self.store
        if endpoint == "GET /api/v2/tickets":
            return self._list_tickets(query, includes, now, host)
        if endpoint == "GET /api/v2/agents":
            return self._paged(sorted(store.agents.values(), key=lambda a: a.id), store.render_agent, query, host,
                               "/api/v2/agents")
        if endpoint == "GET /api/v2/contacts":
            return self._paged(sorted(store.contacts.values(), key=lambda c: c.id), store.render_contact, query, host,
                               "/api/v2/contacts")
        if endpoint == "GET /api/v2/agents/{id}":
            agent = store.agents.get(int(args[0]))
            if agent is None:
                raise HttpError(404)
            return 200, store.render_agent(agent), None
        if endpoint == "GET /api/v2/contacts/{id}":
            contact = store.contacts.get(int(args[0]))
            if contact is None:
                raise HttpError(404)
            return 200, store.render_contact(contact), None
        if endpoint == "GET /api/v2/ticket_fields":
            return 200, [store.render_status_field()], None
        ticket = self._ticket(int(args[0]))
        if endpoint == "GET /api/v2/tickets/{id}":
            return 200, store.render_ticket(ticket, includes), None
        if endpoint == "PUT /api/v2/tickets/{id}":
            return 200, self._update(ticket, body, now), None
        if endpoint == "GET /api/v2/tickets/{id}/conversations":
            return self._paged(ticket.conversations, store.render_conversation, query, host,
                               f"/api/v2/tickets/{ticket.id}/conversations")
        return 201, self._note(ticket, body, now), None

    def _ticket(self, number: int) -> SimTicket:
        ticket = self.store.tickets.get(number)
        if ticket is None or ticket.deleted:
            raise HttpError(404)
        return ticket

    @staticmethod
    def _page_args(query: dict[str, str]) -> tuple[int, int]:
        try:
            page = int(query.get("page", "1"))
            per_page = int(query.get("per_page", "30"))
        except ValueError:
            raise HttpError(400, validation("page", "It should be a Positive Integer")) from None
        if page < 1:
            raise HttpError(400, validation("page", "It should be a Positive Integer"))
        if not 1 <= per_page <= 100:
            raise HttpError(400, validation("per_page", "It should be a Positive Integer less than or equal to 100"))
        return page, per_page

    def _paged(self, items: list[Any], render: Callable[[Any], dict[str, Any]], query: dict[str, str], host: str,
               path: str) -> tuple[int, Any, str | None]:
        page, per_page = self._page_args(query)
        chunk = items[(page - 1) * per_page : page * per_page]
        more = len(items) > page * per_page
        link = f"http://{host}{path}?{urlencode({**query, 'page': page + 1})}" if more else None
        return 200, [render(i) for i in chunk], link

    def _list_tickets(self, query: dict[str, str], includes: list[str], now: datetime, host: str) -> tuple[int, Any, str | None]:
        page, per_page = self._page_args(query)
        for name in includes:
            if name not in INCLUDES:
                raise HttpError(400, validation("include", "It should be one/more of: 'requester,stats,company,description'"))
        if page > MAX_PAGE:
            raise HttpError(400, validation(
                "page", "You cannot access tickets beyond the 300th page. Please provide a smaller page number."))
        order_by = query.get("order_by", "created_at")
        if order_by not in ("created_at", "updated_at", "due_by", "status"):
            raise HttpError(400, validation("order_by", "It should be one of these values: 'created_at,due_by,updated_at,status'"))
        order_type = query.get("order_type", "desc")
        if order_type not in ("asc", "desc"):
            raise HttpError(400, validation("order_type", "It should be one of these values: 'asc,desc'"))
        tickets = [t for t in self.store.tickets.values() if not t.deleted]
        if "updated_since" in query:
            try:
                since = parse_time(query["updated_since"], "updated_since")
            except Exception:
                raise HttpError(400, validation("updated_since", "It should be in the 'combined date and time ISO8601' format")) from None
            tickets = [t for t in tickets if t.updated_at >= since]
        else:
            tickets = [t for t in tickets if t.created_at >= now - DEFAULT_WINDOW]

        def key(t: SimTicket) -> tuple[Any, int]:
            value = {"updated_at": t.updated_at, "status": t.status}.get(order_by, t.created_at)
            return value, t.id

        tickets.sort(key=key, reverse=order_type == "desc")
        chunk = tickets[(page - 1) * per_page : page * per_page]
        link = None
        if len(tickets) > page * per_page:
            link = f"http://{host}/api/v2/tickets?{urlencode({**query, 'page': page + 1})}"
        description = "description" in includes
        return 200, [self.store.render_ticket(t, includes, description) for t in chunk], link

    def _update(self, ticket: SimTicket, body: Any, now: datetime) -> dict[str, Any]:
        if not isinstance(body, dict) or not body:
            raise HttpError(400, validation("body", "It should contain at least one field", "missing_field"))
        if "tags" in body:
            tags = body["tags"]
            if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
                raise HttpError(400, validation("tags", "It should be an Array of Strings", "datatype_mismatch"))
            ticket.tags = list(dict.fromkeys(tags))
        if "status" in body:
            if body["status"] not in (2, 3, 4, 5, 6, 7):
                raise HttpError(400, validation("status", "It should be one of these values: '2,3,4,5,6,7'"))
            ticket.status, ticket.status_updated_at = body["status"], now
        ticket.updated_at = max(ticket.updated_at, now)
        return self.store.render_ticket(ticket)

    def _note(self, ticket: SimTicket, body: Any, now: datetime) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("body"), str) or not body["body"].strip():
            raise HttpError(400, validation("body", "It should not be blank as this is a mandatory field", "missing_field"))
        notify = body.get("notify_emails") or []
        agent_emails = {a.email for a in self.store.agents.values()}
        if not isinstance(notify, list) or any(e not in agent_emails for e in notify):
            raise HttpError(400, validation("notify_emails", "There is no agent matching the given email", "invalid_value"))
        user_id = body.get("user_id") or min(self.store.agents, default=1)
        note = self.store.converse(ticket, int(user_id), body["body"], bool(body.get("private", True)),
                                   bool(body.get("incoming", False)), now, notify)
        note.body_text = to_text(body["body"])
        return self.store.render_note(note)
