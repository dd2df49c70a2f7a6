"""HTTP to Freshdesk API v2: basic auth, the credit budget, 429s and bounded retries.

Every request names its endpoint (``"GET /api/v2/tickets/{id}"``) for the request
counts. A 429 is obeyed exactly: nothing is sent before its ``Retry-After`` has
elapsed. 5xx answers, timeouts, dropped connections and unreadable JSON are
retried with exponential back-off and jitter (tenacity), a bounded number of
times; other 4xx answers are not retried. Time passes only through the injected
``clock`` and ``sleep``, so tests never wait.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from csbridge.adapter import RequestStats
from csbridge.errors import AdapterError, AuthError
from csbridge.secrets import Secret
from csbridge_freshdesk.limiter import Budget
from csbridge_freshdesk.mapping import error_text

MAX_RATE_LIMITED = 8
"""429s in a row for one request before giving up until the next cycle."""


class BudgetSpent(Exception):
    """This minute's credits are spent; raised instead of waiting when asked to."""


class Transient(Exception):
    """A failure worth retrying: 5xx, timeout, dropped connection, unreadable JSON."""


class ApiError(AdapterError):
    """Freshdesk refused the request (4xx other than 401/403/429); ``status`` is the HTTP
    status and the message is ``field: message`` from Freshdesk's error body."""

    def __init__(self, message: str, *, status: int, ticket_id: str | None = None) -> None:
        self.status = status
        super().__init__(message, ticket_id=ticket_id, retry=False)


class NotFound(ApiError):
    """404: the ticket was deleted or merged meanwhile."""


@dataclass
class Answer:
    """A successful answer: parsed JSON body, headers and the ``link`` relations."""

    status: int
    body: Any
    headers: Mapping[str, str]
    links: Mapping[str, str] = field(default_factory=dict)


class FreshdeskClient:
    """A session to one Freshdesk account.

    ``base_url`` is ``https://DOMAIN.freshdesk.com`` or a simulator's URL; the API
    key is sent as the basic-auth user name with ``X`` as password and never
    appears in errors or logs.
    """

    def __init__(
        self,
        base_url: str,
        secret: Secret,
        *,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None],
        budget: Budget,
        stats: RequestStats,
        timeout: float = 30.0,
        attempts: int = 5,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.sleep = sleep
        self.budget = budget
        self.stats = stats
        self.timeout = timeout
        self.attempts = attempts
        self.session = session or requests.Session()
        self.session.auth = (secret.reveal(), "X")
        self.session.headers["Accept"] = "application/json"

    def close(self) -> None:
        """Close the HTTP connections."""
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        cost: int = 1,
        listing: bool = False,
        wait: bool = True,
        ticket_id: str | None = None,
    ) -> Answer:
        """Send one request (``path`` relative to the base URL, or a full ``link`` URL).

        With ``wait`` False, raises :class:`BudgetSpent` when this minute's credits
        are spent instead of sleeping until the next minute. Raises
        :class:`NotFound` for 404, :class:`ApiError` for other refusals,
        :class:`AuthError` for 401/403 and :class:`AdapterError` once retries are
        exhausted.
        """
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential_jitter(initial=1, max=30, jitter=1),
            retry=retry_if_exception_type(Transient),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._send(method, url, endpoint, params, body, cost, listing, wait, ticket_id)
        except Transient as exc:
            raise AdapterError(f"{endpoint}: {exc} (gave up after {self.attempts} attempts)", ticket_id=ticket_id) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        url: str,
        endpoint: str,
        params: Mapping[str, Any] | None,
        body: Any,
        cost: int,
        listing: bool,
        wait: bool,
        ticket_id: str | None,
    ) -> Answer:
        for _ in range(MAX_RATE_LIMITED):
            self._await_budget(cost, listing, wait)
            self.budget.spend(cost, listing)
            self.stats.count(endpoint)
            try:
                response = self.session.request(method, url, params=params, json=body, timeout=self.timeout)
            except requests.Timeout:
                raise Transient("timed out") from None
            except requests.ConnectionError:
                raise Transient("connection failed") from None
            self.budget.observe(response.headers, cost, listing)
            if response.status_code == 429:
                self.stats.rate_limited += 1
                self.budget.block(_retry_after(response.headers))
                continue
            return self._answer(response, endpoint, ticket_id)
        raise AdapterError(f"{endpoint}: still rate limited after {MAX_RATE_LIMITED} waits", ticket_id=ticket_id)

    def _await_budget(self, cost: int, listing: bool, wait: bool) -> None:
        # A Retry-After is always waited out; a spent minute only when asked to.
        retry = self.budget.retry_wait()
        if retry > 0:
            self.sleep(retry)
        while not self.budget.fits(cost, listing):
            if not wait and self.budget.retry_wait() == 0:
                raise BudgetSpent()
            self.sleep(self.budget.wait_seconds(cost, listing))

    def _answer(self, response: requests.Response, endpoint: str, ticket_id: str | None) -> Answer:
        status = response.status_code
        if status >= 500:
            raise Transient(f"HTTP {status}")
        parsed: Any = None
        if response.content:
            try:
                parsed = response.json()
            except (json.JSONDecodeError, ValueError):
                if status < 400:
                    raise Transient("unreadable JSON") from None
        if status in (401, 403):
            raise AuthError(f"Freshdesk refused the API key ({endpoint}: {error_text(status, parsed)})")
        if status == 404:
            raise NotFound(f"not found ({endpoint}): deleted or merged", status=status, ticket_id=ticket_id)
        if status >= 400:
            raise ApiError(f"{endpoint}: {error_text(status, parsed)}", status=status, ticket_id=ticket_id)
        links = {rel: value["url"] for rel, value in response.links.items() if "url" in value}
        return Answer(status, parsed, response.headers, links)


def _retry_after(headers: Mapping[str, str]) -> float:
    value = headers.get("Retry-After", "")
    try:
        return max(float(value), 0.0)
    except ValueError:
        return 60.0  # an HTTP date or garbage: a whole window is the safe wait
