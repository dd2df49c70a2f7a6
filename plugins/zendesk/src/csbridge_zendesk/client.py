"""HTTP to one Zendesk account: token auth, a request budget, bounded retries.

Every request goes through :meth:`ZendeskClient.call`. Waiting (budget, back-off,
``Retry-After``) goes through the injected ``sleep`` and time comes from the
injected ``clock``, so tests run on a fake clock without sleeping.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from csbridge.adapter import RequestStats
from csbridge.errors import AdapterError, AuthError
from csbridge.secrets import Secret
from csbridge_zendesk.limiter import Budget

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
EXPORT_PREFIX = "/api/v2/incremental/"
EXPORTS_PER_MINUTE = 10


class Transient(Exception):
    """A failure worth retrying; ``retry_after`` is the server's exact wait, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ApiError(AdapterError):
    """A 4xx answer that retrying cannot fix; ``status`` and ``error`` as Zendesk sent them."""

    def __init__(self, status: int, error: str, description: str, *, ticket_id: str | None = None) -> None:
        self.status = status
        self.error = error
        self.description = description
        super().__init__(f"HTTP {status} {error}: {description}".rstrip(": "), ticket_id=ticket_id, retry=status == 409)


class ZendeskClient:
    """A session to ``base_url`` (``https://SUBDOMAIN.zendesk.com`` or a simulator).

    ``requests_per_minute`` is the client-side budget for the whole account; the
    incremental exports get their own budget of 10 a minute. ``max_tries`` bounds
    every request (first try included).
    """

    def __init__(
        self,
        base_url: str,
        email: str,
        token: Secret,
        *,
        clock: Clock,
        sleep: Sleep = time.sleep,
        requests_per_minute: int = 400,
        timeout: float = 30.0,
        max_tries: int = 6,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.stats = RequestStats()
        self.timeout = timeout
        self.max_tries = max_tries
        self._clock = clock
        self._sleep = sleep
        self._session = session or requests.Session()
        self._session.auth = (f"{email}/token", token.reveal())
        self._session.headers.update({"Accept": "application/json", "User-Agent": "csbridge-zendesk/0.1"})
        self.budget = Budget(requests_per_minute, self._seconds)
        self.export_budgets: dict[str, Budget] = {}
        self._backoff = wait_exponential_jitter(initial=1, max=60, jitter=1)

    def _seconds(self) -> float:
        return self._clock().timestamp()

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, endpoint: str = "", max_tries: int | None = None
    ) -> dict[str, Any]:
        """GET ``path`` and return the JSON object (see :meth:`call`)."""
        return self.call("GET", path, params=params, endpoint=endpoint, max_tries=max_tries)

    def put(self, path: str, body: Mapping[str, Any], *, endpoint: str = "") -> dict[str, Any]:
        """PUT ``body`` as JSON to ``path`` and return the JSON object (see :meth:`call`)."""
        return self.call("PUT", path, body=body, endpoint=endpoint)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        endpoint: str = "",
        max_tries: int | None = None,
    ) -> dict[str, Any]:
        """Send one request, retrying 429/503 after exactly ``Retry-After``, other 5xx,
        timeouts, dropped connections and unparsable answers with jittered
        exponential back-off, at most ``max_tries`` times (the client's unless given).

        Raises :class:`AuthError` on 401/403, :class:`ApiError` on any other 4xx
        (never retried, except 409 and 429), :class:`AdapterError` (``retry``
        True) when the tries are used up.
        """
        name = endpoint or f"{method} {path}"
        tries = max_tries or self.max_tries
        retrying = Retrying(
            stop=stop_after_attempt(tries),
            wait=self._wait,
            retry=retry_if_exception_type(Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            result: dict[str, Any] = retrying(self._once, method, path, params, body, name)
        except Transient as exc:
            raise AdapterError(f"{name}: gave up after {tries} tries ({exc})") from None
        return result

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return exc.retry_after
        return float(self._backoff(state))

    def _once(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Mapping[str, Any] | None, name: str
    ) -> dict[str, Any]:
        budgets = [self.budget]
        if path.startswith(EXPORT_PREFIX):  # each export endpoint allows 10 requests a minute
            budgets.append(self.export_budgets.setdefault(path, Budget(EXPORTS_PER_MINUTE, self._seconds)))
        while (delay := max(b.delay() for b in budgets)) > 0:
            self._sleep(delay)
        for b in budgets:
            b.record()
        self.stats.count(name)
        try:
            response = self._session.request(
                method, self.base_url + path, params=params, json=body, timeout=self.timeout
            )
        except requests.Timeout:
            raise Transient("timed out") from None
        except requests.ConnectionError as exc:
            raise Transient(f"connection failed ({type(exc).__name__})") from None
        self._read_limits(response)
        status = response.status_code
        if status in (429, 503) or status == 409 or status >= 500:
            retry_after = _retry_after(response)
            if status == 429:
                self.stats.rate_limited += 1
                for b in budgets:
                    b.block_for(retry_after if retry_after is not None else 60.0)
            log.info("%s answered %s (retry after %s)", name, status, retry_after)
            raise Transient(f"HTTP {status}", retry_after)
        if status in (401, 403):
            raise AuthError(f"{name}: Zendesk refused the credentials (HTTP {status} {_error(response)[0]})")
        if status >= 400:
            error, description = _error(response)
            raise ApiError(status, error, description)
        try:
            data = response.json()
        except ValueError:
            raise Transient("the answer is not valid JSON") from None
        if not isinstance(data, dict):
            raise Transient("the answer is not a JSON object")
        return data

    def _read_limits(self, response: requests.Response) -> None:
        remaining = _int_header(response, "X-Rate-Limit-Remaining")
        reset = _int_header(response, "ratelimit-reset")
        self.budget.server_said(remaining, float(reset) if reset is not None else None)

    def close(self) -> None:
        """Close the connection pool."""
        self._session.close()


def _int_header(response: requests.Response, name: str) -> int | None:
    value = response.headers.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _error(response: requests.Response) -> tuple[str, str]:
    """Zendesk's ``{"error": ..., "description": ...}`` (or a short excerpt of the text)."""
    try:
        data = response.json()
    except ValueError:
        return response.reason or "", response.text[:200]
    if not isinstance(data, dict):
        return response.reason or "", ""
    error = data.get("error")
    if isinstance(error, dict):  # some endpoints nest {"error": {"title", "message"}}
        return str(error.get("title", "")), str(error.get("message", ""))
    description = data.get("description", "")
    details = data.get("details")
    if details:
        description = f"{description} {json.dumps(details, ensure_ascii=False)}".strip()
    return str(error or response.reason or ""), str(description)
