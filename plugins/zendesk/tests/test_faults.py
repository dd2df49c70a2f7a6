"""Injected 429 storms, 503 with Retry-After, 5xx, slow answers, dropped connections and
malformed pages: Retry-After is obeyed on the fake clock, nothing is lost, reading
resumes from the stored cursor."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from csbridge_zendesk.adapter import ZendeskAdapter
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.errors import AdapterError, AuthError
from csbridge.models import Note, Ticket
from csbridge.secrets import Secret

from .conftest import EMAIL, FakeClock, make_adapter

TICKETS = "GET /api/v2/incremental/tickets/cursor.json"
EVENTS = "GET /api/v2/incremental/ticket_events.json"


def read_all(adapter: ZendeskAdapter, cursor: str | None = None) -> tuple[list[Ticket], str | None]:
    tickets: list[Ticket] = []
    for page in adapter.fetch_changes(cursor):
        tickets.extend(page.tickets)
        cursor = page.cursor
    return tickets, cursor


def times_of(sim: ZendeskSimulator, endpoint: str) -> list[tuple[datetime, int]]:
    return [(at, status) for at, key, status in sim.log if key == endpoint]


def assert_waited(sim: ZendeskSimulator, endpoint: str, retry_after: float) -> None:
    """Every request after a 429/503 came at least Retry-After later."""
    log = times_of(sim, endpoint)
    for (at, status), (next_at, _) in itertools.pairwise(log):
        if status in (429, 503):
            assert (next_at - at).total_seconds() >= retry_after


def test_503_with_retry_after_is_obeyed_exactly(sim: ZendeskSimulator, adapter: ZendeskAdapter, clock: FakeClock) -> None:
    sim.faults.add(TICKETS, status=503, retry_after=7, times=3)
    tickets, _ = read_all(adapter)
    assert len(tickets) == 120
    assert_waited(sim, TICKETS, 7)
    assert clock.slept[:3] == [7, 7, 7]


def test_429_storm_waits_then_gives_up_and_resumes_from_cursor(
    sim: ZendeskSimulator, clock: FakeClock
) -> None:
    adapter = make_adapter(sim, clock, max_tries=4)
    sim.faults.add(TICKETS, status=429, retry_after=30, times=4)
    with pytest.raises(AdapterError) as info:
        read_all(adapter)
    assert info.value.retry
    assert adapter.stats.rate_limited == 4
    assert_waited(sim, TICKETS, 30)
    tickets, _ = read_all(adapter)  # the next cycle starts over from the (unchanged) cursor
    assert len(tickets) == 120


def test_server_remaining_count_is_obeyed_so_no_429(sim: ZendeskSimulator, clock: FakeClock) -> None:
    adapter = make_adapter(sim, clock, requests_per_minute=1000)  # our budget is above the server's
    sim.requests_per_minute = 5
    notes = [Note("acme", str(i), f"mark-{i}", "t", "<p>t</p>") for i in range(1, 121)]
    results = adapter.post_notes(notes)
    for i in range(6):
        adapter.written_markers(str(i + 1))
    assert all(r.ok for r in results)
    assert [s for _, _, s in sim.log].count(429) == 0  # X-Rate-Limit-Remaining: 0 made the client wait
    stamps = [at.timestamp() for at, _, _ in sim.log]
    for i in range(len(stamps) - 5):
        assert stamps[i + 5] - stamps[i] >= 60


def test_client_budget_keeps_requests_under_the_limit(sim: ZendeskSimulator, clock: FakeClock) -> None:
    adapter = make_adapter(sim, clock, requests_per_minute=3)
    for i in range(1, 8):
        adapter.written_markers(str(i))
    stamps = [at.timestamp() for at, key, _ in sim.log]
    for i in range(len(stamps) - 3):
        assert stamps[i + 3] - stamps[i] >= 60
    assert all(status == 200 for _, _, status in sim.log)


def test_5xx_dropped_connections_and_malformed_pages_are_retried(
    sim: ZendeskSimulator, adapter: ZendeskAdapter, clock: FakeClock
) -> None:
    sim.faults.add(TICKETS, status=500)
    sim.faults.add(TICKETS, drop=True)
    sim.faults.add(TICKETS, malformed=True)
    sim.faults.add(EVENTS, status=502, times=2)
    tickets, _ = read_all(adapter)
    assert sorted(int(t.id) for t in tickets) == list(range(1, 121))
    assert sim.requests[TICKETS] == 4
    assert len(clock.slept) >= 5 and all(0 < s <= 61 for s in clock.slept)


def test_slow_answer_beyond_timeout_is_retried(sim: ZendeskSimulator, clock: FakeClock) -> None:
    adapter = make_adapter(sim, clock, timeout=0.2)
    sim.faults.add(TICKETS, delay=0.6)
    tickets, _ = read_all(adapter)
    assert len(tickets) == 120
    assert sim.requests[TICKETS] == 2


def test_failure_midway_keeps_cursor_of_the_pages_read(sim: ZendeskSimulator, clock: FakeClock) -> None:
    sim.page_size = 50
    adapter = make_adapter(sim, clock, max_tries=2)
    seen: list[str] = []
    cursor = None
    sim.faults.add(TICKETS, status=500, times=1)
    pages = adapter.fetch_changes(None)
    first = next(pages)
    seen += [t.id for t in first.tickets]
    cursor = first.cursor
    sim.faults.add(TICKETS, status=500, times=2)
    with pytest.raises(AdapterError):
        next(pages)
    rest, _ = read_all(make_adapter(sim, clock), cursor)  # a new process resumes from the stored cursor
    seen += [t.id for t in rest]
    assert sorted(map(int, seen)) == list(range(1, 121))
    assert len(seen) == len(set(seen))


def test_4xx_is_not_retried_and_names_the_ticket(sim: ZendeskSimulator, adapter: ZendeskAdapter) -> None:
    with pytest.raises(AdapterError) as info:
        adapter.written_markers("999999")
    assert "RecordNotFound" in str(info.value) and not info.value.retry
    assert sim.requests["GET /api/v2/tickets/{id}/comments.json"] == 1


def test_wrong_token_is_an_auth_error_without_the_token(sim: ZendeskSimulator, clock: FakeClock) -> None:
    adapter = ZendeskAdapter(sim.base_url, EMAIL, Secret("wrong-token-value"), clock=clock, sleep=clock.sleep)
    with pytest.raises(AuthError) as info:
        read_all(adapter)
    assert "wrong-token-value" not in str(info.value)
    assert "wrong-token-value" not in repr(adapter.client.__dict__.get("_session").auth[0])  # type: ignore[union-attr]
