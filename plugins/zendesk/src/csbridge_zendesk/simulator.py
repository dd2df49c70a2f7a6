"""A local Zendesk Support API for tests, benchmarks and the demo.

It answers the endpoints the adapter uses with the JSON shapes, pagination and
headers of the recorded answers in ``shared/fixtures/zendesk``, keeps tickets,
comments, users and tags in memory, counts requests per endpoint, enforces the
per-minute rate limits (700 a minute, 10 a minute per incremental export) on its
own injectable clock and injects faults on demand (:class:`csbridge.simkit.FaultPlan`).
"""

from __future__ import annotations

import base64
import bisect
import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from csbridge.models import Person, Role, Ticket
from csbridge.simkit import Fault, FaultPlan, LocalServer
from csbridge_zendesk.simstate import Audit, State, cursor_token, iso, read_cursor, users_of

Answer = tuple[int, dict[str, str], bytes]
_ID = re.compile(r"/\d+(?=[/.])")
EXPORT_LIMIT = 10
DROP = -1


def endpoint_of(method: str, path: str) -> str:
    """The counting key of a request: ``"GET /api/v2/tickets/{id}/comments.json"``."""
    return f"{method} {_ID.sub('/{id}', path)}"


class _Handler(BaseHTTPRequestHandler):
    sim: ZendeskSimulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        (status, headers, payload), delay = self.sim.handle(self.command, self.path, body, self.headers.get("Authorization"))
        if delay:
            time.sleep(delay)  # a slow answer, in real time, to trip the client's timeout
        if status == DROP:
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = _serve


class ZendeskSimulator(LocalServer):
    """The simulated account; see the module docstring. Use as a context manager or
    call :meth:`start` and :meth:`stop`."""

    handler = _Handler
    thread_name = "zendesk-simulator"

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        requests_per_minute: int = 700,
        subdomain: str = "acme",
        token: str | None = None,
        email: str | None = None,
        export_requests_per_minute: int = EXPORT_LIMIT,
        page_size: int = 1000,
        api_role: str = "admin",
    ) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.requests_per_minute = requests_per_minute
        self.export_requests_per_minute = export_requests_per_minute
        self.subdomain = subdomain
        self.token = token
        self.email = email
        self.page_size = page_size
        self.api_role = api_role
        self.requests: Counter[str] = Counter()
        self.writes = 0
        self.rate_limited = 0
        self.log: list[tuple[datetime, str, int]] = []
        self.faults = FaultPlan()
        self._state = State(f"https://{subdomain}.zendesk.com")
        self._lock = threading.RLock()
        self._window: deque[float] = deque()
        self._export_windows: dict[str, deque[float]] = {}
        self._job_ids = 0
        self._bot = self._state.user_id(Person("csbridge-api", Role.SYSTEM, "csbridge", "csbridge@acme.example"))

    # -- data ----------------------------------------------------------------

    def seed(self, tickets: Iterable[Ticket]) -> None:
        """Add tickets (ids must be numeric strings) with their users, comments, tags
        and status history; each message becomes a comment, the first the description."""
        with self._lock:
            for ticket in tickets:
                self._state.add_ticket(ticket)

    def user_id(self, person: Person) -> int:
        """The Zendesk user id given to ``person`` (created on first use)."""
        with self._lock:
            return self._state.user_id(person)

    def add_comment(self, ticket_id: str, author_id: str, body: str, public: bool, at: datetime) -> None:
        """An agent or customer writes on a ticket. ``author_id`` is a seeded person's
        id (``"c1"``) or a Zendesk user id."""
        with self._lock:
            uid = self._state.user_ids.get(author_id) or int(author_id)
            self._state.comment(int(ticket_id), uid, body, public, at)

    def set_status(self, ticket_id: str, status: str, at: datetime) -> None:
        """Change a ticket's status (Zendesk names: new, open, pending, hold, solved, closed, deleted)."""
        with self._lock:
            self._state.set_status(int(ticket_id), status, at, self._bot)

    def comments(self, ticket_id: str) -> list[dict[str, Any]]:
        """The ticket's comments as ``/comments.json`` shows them, oldest first."""
        with self._lock:
            return [self._state.show_comment(a) for a in self._state.audits[int(ticket_id)] if a.comment]

    def tags(self, ticket_id: str) -> list[str]:
        """The ticket's tags."""
        with self._lock:
            return list(self._state.tickets[int(ticket_id)]["tags"])

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        """The ticket object as the API shows it."""
        with self._lock:
            return dict(self._state.tickets[int(ticket_id)])

    def api_user(self, email: str) -> dict[str, Any]:
        """The user an API token of ``email`` authenticates as (created on first use
        with the role ``api_role``: ``"admin"``, ``"agent"`` or ``"end-user"``)."""
        with self._lock:
            s = self._state
            uid = next((uid for uid, u in s.users.items() if u["email"] == email), None)
            if uid is None:
                uid = s.user_id(Person(f"api:{email}", Role.SYSTEM, email.partition("@")[0], email))
            s.users[uid]["role"] = self.api_role
            s.users[uid]["moderator"] = self.api_role != "end-user"
            s.users[uid]["ticket_restriction"] = "requested" if self.api_role == "end-user" else None
            s.users[uid]["restricted_agent"] = self.api_role == "end-user"
            return s.users[uid]

    # -- serving -------------------------------------------------------------

    def handle(self, method: str, target: str, body: bytes, auth: str | None) -> tuple[Answer, float]:
        """Answer one request: ``(status, headers, body)`` and the delay to stall first."""
        parts = urlsplit(target)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        key = endpoint_of(method, path)
        with self._lock:
            now = self.clock()
            self.requests[key] += 1
            if method in ("PUT", "POST", "DELETE"):
                self.writes += 1
            fault = self.faults.take(key)
            answer = self._answer(method, path, query, body, auth, key, now, fault)
            self.log.append((now, key, answer[0]))
        return answer, fault.delay if fault else 0.0

    def _answer(
        self, method: str, path: str, query: dict[str, str], body: bytes, auth: str | None, key: str,
        now: datetime, fault: Fault | None,
    ) -> Answer:
        who = self._authenticated(auth)
        if who is None:
            return _json(401, {"error": "Couldn't authenticate you"})
        limited = self._rate_limit(path, now)
        if limited is not None:
            self.rate_limited += 1
            return limited
        headers = self._limit_headers(now)
        if fault is not None:
            if fault.drop:
                return DROP, {}, b""
            if fault.status is not None:
                extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                error = {"error": "APIRateLimitExceeded", "description": "Rate limit exceeded"} if fault.status == 429 \
                    else {"error": "ServiceUnavailable", "description": "Server error"}
                return _json(fault.status, error, {**headers, **extra})
            if fault.malformed:
                return 200, {**headers, "Content-Type": "application/json; charset=utf-8"}, b'{"tickets": [{"id": 1,'
        try:
            status, data = self._route(method, path, query, body, now, who)
        except _Fail as fail:
            status, data = fail.status, fail.data
        if key == "PUT /api/v2/tickets/{id}.json":  # the per-ticket update limit Zendesk reports
            headers["zendesk-rate-limit-tickets-update"] = f"total=30; remaining=29; resets={headers['ratelimit-reset']}"
        return _json(status, data, headers)

    def _authenticated(self, auth: str | None) -> str | None:
        """The e-mail address of a valid ``{email}/token`` Basic credential, else ``None``."""
        if not auth or not auth.startswith("Basic "):
            return None
        try:
            user, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            return None
        if not user.endswith("/token") or not secret:
            return None
        if self.email is not None and user != f"{self.email}/token":
            return None
        if self.token is not None and secret != self.token:
            return None
        return user.removesuffix("/token")

    def _rate_limit(self, path: str, now: datetime) -> Answer | None:
        t = now.timestamp()
        windows = [(self._window, self.requests_per_minute)]
        if path.startswith("/api/v2/incremental/"):
            windows.append((self._export_windows.setdefault(path, deque()), self.export_requests_per_minute))
        for window, limit in windows:
            while window and window[0] <= t - 60:
                window.popleft()
            if len(window) >= limit:
                retry = max(1, int(window[0] + 60 - t + 0.999))
                return _json(
                    429,
                    {"error": "APIRateLimitExceeded", "description": "Number of allowed API requests per minute exceeded"},
                    {**self._limit_headers(now), "Retry-After": str(retry)},
                )
        for window, _ in windows:
            window.append(t)
        return None

    def _limit_headers(self, now: datetime) -> dict[str, str]:
        remaining = max(0, self.requests_per_minute - len(self._window))
        reset = str(60 - int(now.timestamp()) % 60)
        return {
            "x-rate-limit": str(self.requests_per_minute),
            "x-rate-limit-remaining": str(remaining),
            "ratelimit-limit": str(self.requests_per_minute),
            "ratelimit-remaining": str(remaining),
            "ratelimit-reset": reset,
        }

    # -- endpoints -----------------------------------------------------------

    def _route(
        self, method: str, path: str, query: dict[str, str], body: bytes, now: datetime, who: str
    ) -> tuple[int, Any]:
        s = self._state
        if method == "GET" and path == "/api/v2/incremental/tickets/cursor.json":
            return 200, self._ticket_export(query, now)
        if method == "GET" and path == "/api/v2/incremental/ticket_events.json":
            return 200, self._event_export(query, now)
        if method == "GET" and path == "/api/v2/users/me.json":
            return 200, {"user": self.api_user(who)}
        if method == "GET" and path == "/api/v2/users/show_many.json":
            ids = [int(i) for i in query.get("ids", "").split(",") if i.strip().isdigit()]
            users = users_of(s, ids)
            return 200, {"users": users, "next_page": None, "previous_page": None, "count": len(users)}
        if method == "PUT" and path == "/api/v2/tickets/update_many.json":
            return 200, self._update_many(_body(body), now)
        if method == "GET" and path == "/api/v2/job_statuses/show_many.json":
            job_ids = [i for i in query.get("ids", "").split(",") if i]
            return 200, {"job_statuses": [self._job(i, now) for i in job_ids if i in s.jobs]}
        match = re.fullmatch(r"/api/v2/job_statuses/([\w-]+)\.json", path)
        if method == "GET" and match:
            if match.group(1) not in s.jobs:
                raise _Fail(404, {"error": "RecordNotFound", "description": "Not found"})
            return 200, {"job_status": self._job(match.group(1), now)}
        match = re.fullmatch(r"/api/v2/tickets/(\d+)(/comments|/audits)?\.json", path)
        if match:
            tid = int(match.group(1))
            if tid not in s.tickets or s.tickets[tid]["status"] == "deleted":
                raise _Fail(404, {"error": "RecordNotFound", "description": "Not found"})
            if method == "GET" and match.group(2) == "/comments":
                items = [s.show_comment(a) for a in s.audits[tid] if a.comment]
                return 200, _paged("comments", items, query, f"{s.base_url}{path}")
            if method == "GET" and match.group(2) == "/audits":
                items = [s.show_audit(a) for a in s.audits[tid]]
                return 200, _paged("audits", items, query, f"{s.base_url}{path}")
            if method == "GET" and match.group(2) is None:
                return 200, {"ticket": s.tickets[tid]}
            if method == "PUT" and match.group(2) is None:
                payload = _body(body).get("ticket")
                if not isinstance(payload, dict):
                    raise _Fail(400, {"error": "InvalidValue", "description": "ticket object expected"})
                error = s.update(tid, payload, now, self._bot)
                if error:
                    raise _Fail(422, {"error": "RecordInvalid", "description": "Record validation errors",
                                      "details": {"status": [{"description": error}]}})
                audit = s.show_audit(s.audits[tid][-1])
                return 200, {"ticket": s.tickets[tid], "audit": audit}
        raise _Fail(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def _ticket_export(self, query: dict[str, str], now: datetime) -> dict[str, Any]:
        s = self._state
        per_page = min(int(query.get("per_page", self.page_size)), 1000)
        if "cursor" in query:
            try:
                position = read_cursor(query["cursor"])
            except ValueError:
                raise _Fail(400, {"error": "InvalidCursor", "description": "cursor is invalid"}) from None
        elif "start_time" in query:
            start = int(query["start_time"])
            if start > now.timestamp() - 60:
                raise _Fail(400, {"error": "InvalidValue", "description": "Too recent start_time. Use a start_time "
                                  "that is more than one minute old."})
            position = (start - 1, 1 << 62)
        else:
            raise _Fail(400, {"error": "InvalidValue", "description": "start_time or cursor is required"})
        ordered = s.ticket_order()
        first = bisect.bisect_right(ordered, position)
        chosen = ordered[first : first + per_page]
        tickets = [s.tickets[tid] for _, tid in chosen]
        after = cursor_token(*chosen[-1]) if chosen else cursor_token(*position)
        data: dict[str, Any] = {
            "tickets": tickets,
            "after_url": f"{s.base_url}/api/v2/incremental/tickets/cursor.json?cursor={after}",
            "before_url": None,
            "after_cursor": after,
            "before_cursor": None,
            "end_of_stream": first + per_page >= len(ordered),
        }
        if "users" in query.get("include", "").split(","):
            ids = {i for t in tickets for i in (t["requester_id"], t["submitter_id"], t["assignee_id"]) if i}
            data["users"] = users_of(s, ids)
        return data

    def _event_export(self, query: dict[str, str], now: datetime) -> dict[str, Any]:
        s = self._state
        try:
            start = int(query["start_time"])
        except (KeyError, ValueError):
            raise _Fail(400, {"error": "InvalidValue", "description": "start_time is required"}) from None
        limit = int(now.timestamp()) - 60
        if start > limit:
            raise _Fail(400, {"error": "InvalidValue", "description": "Too recent start_time. Use a start_time "
                              "that is more than one minute old."})
        timeline = s.sorted_timeline()
        first = bisect.bisect_left(timeline, start, key=lambda a: int(a.at.timestamp()))
        chosen: list[Audit] = []
        for audit in timeline[first:]:
            ts = int(audit.at.timestamp())
            if ts > limit or (len(chosen) >= self.page_size and ts != int(chosen[-1].at.timestamp())):
                break
            chosen.append(audit)
        full = "comment_events" in query.get("include", "").split(",")
        end_of_stream = len(chosen) < self.page_size
        end_time = int(chosen[-1].at.timestamp()) if chosen else start
        if end_of_stream:
            end_time = max(end_time, min(limit, int(now.timestamp())))
        return {
            "ticket_events": [s.show_event(a, full) for a in chosen],
            "next_page": f"{s.base_url}/api/v2/incremental/ticket_events.json?start_time={end_time}",
            "count": len(chosen),
            "end_of_stream": end_of_stream,
            "end_time": end_time,
        }

    def _update_many(self, body: dict[str, Any], now: datetime) -> dict[str, Any]:
        items = body.get("tickets")
        if not isinstance(items, list) or not items or len(items) > 100:
            raise _Fail(400, {"error": "InvalidValue", "description": "tickets: between 1 and 100 tickets expected"})
        self._job_ids += 1
        job_id = f"V3-{self._job_ids:032x}"
        self._state.jobs[job_id] = {"items": items, "status": "queued", "results": None, "created": now}
        return {"job_status": self._show_job(job_id)}

    def _job(self, job_id: str, now: datetime) -> dict[str, Any]:
        """A job is queued when created and completed when first polled."""
        job = self._state.jobs[job_id]
        if job["status"] == "queued":
            results = []
            for index, item in enumerate(job["items"]):
                tid = int(item.get("id", 0)) if isinstance(item, dict) else 0
                error = self._state.update(tid, item, now, self._bot) if tid else "RecordNotFound"
                if error:
                    results.append({"index": index, "id": tid, "action": "update", "success": False,
                                    "status": "Failed", "error": "TicketUpdateFailed", "details": error})
                else:
                    results.append({"action": "update", "status": "Updated", "success": True, "id": tid})
            job["status"] = "completed"
            job["results"] = results
            job["message"] = f"Completed at {now.strftime('%Y-%m-%d %H:%M:%S +0000')}"
        return self._show_job(job_id)

    def _show_job(self, job_id: str) -> dict[str, Any]:
        job = self._state.jobs[job_id]
        done = job["status"] == "completed"
        return {
            "id": job_id,
            "job_type": "Bulk Update Ticket",
            "url": f"{self._state.base_url}/api/v2/job_statuses/{job_id}.json",
            "total": len(job["items"]),
            "progress": len(job["items"]) if done else None,
            "status": job["status"],
            "message": job.get("message"),
            "results": job["results"],
        }


class _Fail(Exception):
    def __init__(self, status: int, data: dict[str, Any]) -> None:
        self.status = status
        self.data = data


def _body(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise _Fail(400, {"error": "InvalidJSON", "description": "request body is not JSON"}) from None
    if not isinstance(data, dict):
        raise _Fail(400, {"error": "InvalidJSON", "description": "request body must be an object"})
    return data


def _paged(name: str, items: list[dict[str, Any]], query: dict[str, str], url: str) -> dict[str, Any]:
    """Cursor pagination with ``page[size]`` (``meta``/``links``), else the offset style."""
    if "page[size]" not in query:
        return {name: items[:100], "next_page": None if len(items) <= 100 else f"{url}?page=2",
                "previous_page": None, "count": len(items)}
    size = min(int(query["page[size]"]), 100)
    start = int(base64.b64decode(query["page[after]"]).decode()) if "page[after]" in query else 0
    chosen = items[start : start + size]
    after = base64.b64encode(str(start + len(chosen)).encode()).decode()
    before = base64.b64encode(str(start).encode()).decode()
    more = start + size < len(items)
    return {
        name: chosen,
        "meta": {"has_more": more, "after_cursor": after, "before_cursor": before},
        "links": {"prev": f"{url}?page%5Bbefore%5D={before}&page%5Bsize%5D={size}",
                  "next": f"{url}?page%5Bafter%5D={after}&page%5Bsize%5D={size}"},
    }


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> Answer:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return status, {**(headers or {}), "Content-Type": "application/json; charset=utf-8"}, body


__all__ = ["FaultPlan", "ZendeskSimulator", "endpoint_of", "iso"]
