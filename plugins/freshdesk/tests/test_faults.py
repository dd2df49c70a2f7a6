"""Rate limits and faults: 429 storms, 5xx, timeouts, dropped connections, malformed pages."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from csbridge.errors import AdapterError, AuthError
from csbridge.secrets import Secret

LIST = "GET /api/v2/tickets"
CONVERSATIONS = "GET /api/v2/tickets/{id}/conversations"
NOTES = "POST /api/v2/tickets/{id}/notes"


def read_all(adapter, cursor=None):
    ids, last = [], None
    for page in adapter.fetch_changes(cursor):
        ids.extend(t.id for t in page.tickets)
        last = page
    return ids, last


def read_until_done(adapter, clock, cycles=10):
    """Cycles two minutes apart, each from the last cursor, until all is read."""
    ids, cursor = [], None
    for _ in range(cycles):
        got, last = read_all(adapter, cursor)
        ids.extend(got)
        cursor = last.cursor
        if last.done:
            return ids
        clock.sleep(120)
    raise AssertionError("not done")


def test_429_storm_waits_out_every_retry_after(sim, make_adapter, tickets, clock):
    seeded = tickets(10)
    sim.seed(seeded)
    sim.faults.add(CONVERSATIONS, status=429, retry_after=7, times=3)
    sim.faults.add(LIST, status=429, retry_after=31, times=1)
    adapter = make_adapter()
    ids, last = read_all(adapter)
    assert sorted(ids) == sorted(t.id for t in seeded) and last.done
    assert sim.limits.early_requests == 0
    assert adapter.stats.rate_limited == 4
    assert clock.slept.count(7.0) == 3 and clock.slept.count(31.0) == 1  # exactly as told
    answers = [(at, status) for at, endpoint, status in sim.log]
    for (at, status), (next_at, _) in itertools.pairwise(answers):
        if status == 429:
            assert next_at - at >= timedelta(seconds=7)


def test_429s_caused_by_another_integration_are_obeyed(sim, make_adapter, tickets, clock):
    seeded = tickets(120)
    sim.seed(seeded)
    adapter = make_adapter()
    ids: list[str] = []
    cursor = None
    for _ in range(20):
        pages = adapter.fetch_changes(cursor)
        for page in pages:
            ids.extend(t.id for t in page.tickets)
            cursor = page.cursor
            # Another app spends the account's credits behind our back.
            sim.limits.charge("GET /api/v2/contacts/{id}", max(sim.limits.total - sim.limits.used, 0), clock())
        if page.done:
            break
        clock.sleep(120)
    assert sorted(ids) == sorted(t.id for t in seeded)
    assert adapter.stats.rate_limited > 0
    assert sim.limits.early_requests == 0


def test_budget_keeps_a_cycle_clear_of_429s_and_reports_the_backlog(sim, make_adapter, tickets, clock):
    seeded = tickets(400)
    sim.seed(seeded)
    adapter = make_adapter()
    ids, last = read_all(adapter)
    assert not last.done and last.backlog and last.backlog > 0
    assert 0 < len(ids) < 400
    cursor = last.cursor
    while not last.done:
        clock.sleep(120)
        more, last = read_all(adapter, cursor)
        ids.extend(more)
        cursor = last.cursor
    assert sorted(ids) == sorted(t.id for t in seeded)
    assert sim.limits.rate_limited == 0 and adapter.stats.rate_limited == 0


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "times": 3},
        {"status": 500, "times": 1},
        {"drop": True, "times": 2},
        {"malformed": True, "times": 2},
    ],
    ids=["503x3", "500", "dropped", "malformed"],
)
@pytest.mark.parametrize("endpoint", [LIST, CONVERSATIONS])
def test_transient_faults_are_retried_with_backoff_and_nothing_is_lost(sim, make_adapter, tickets, clock, fault, endpoint):
    seeded = tickets(5)
    sim.seed(seeded)
    sim.faults.add(endpoint, **fault)
    adapter = make_adapter()
    ids = read_until_done(adapter, clock)
    assert sorted(ids) == sorted(t.id for t in seeded)
    assert len(sim.faults) == 0
    backoffs = [s for s in clock.slept if s != 120]
    assert len(backoffs) == fault["times"] and all(0 < s <= 31 for s in backoffs)


def test_slow_answers_time_out_and_are_retried(sim, make_adapter, tickets, clock):
    seeded = tickets(2)
    sim.seed(seeded)
    sim.faults.add(CONVERSATIONS, delay=0.6, times=1)
    adapter = make_adapter(timeout=0.2)
    ids, last = read_all(adapter)
    assert sorted(ids) == sorted(t.id for t in seeded) and last.done
    assert sim.requests[CONVERSATIONS] == 3


def test_failure_mid_cycle_resumes_from_the_stored_cursor(sim, make_adapter, tickets, clock):
    seeded = tickets(60)
    sim.seed(seeded)
    adapter = make_adapter(attempts=3)
    pages = adapter.fetch_changes(None)
    first = next(pages)
    assert first.tickets
    sim.faults.add(CONVERSATIONS, status=502, times=3)
    with pytest.raises(AdapterError):
        next(pages)
    clock.sleep(120)
    rest, last = read_all(make_adapter(), first.cursor)
    ids = [t.id for t in first.tickets] + rest
    assert last.done
    assert sorted(ids) == sorted(t.id for t in seeded)  # none skipped, none twice


def test_client_errors_are_not_retried(sim, make_adapter, make_note, tickets, clock):
    seeded = tickets(1)
    sim.seed(seeded)
    sim.faults.add(NOTES, status=400, times=1)
    adapter = make_adapter()
    [result] = adapter.post_notes([make_note(seeded[0], [])])
    assert not result.ok and result.retry is False and "ticket 1000" in result.error
    assert sim.requests[NOTES] == 1 and clock.slept == []


def test_a_malformed_ticket_is_skipped_and_the_page_goes_on(sim, make_adapter, tickets, clock):
    seeded = tickets(5)
    sim.seed(seeded)
    sim.store.tickets[1003].priority = 9
    adapter = make_adapter()
    pages = list(adapter.fetch_changes(None))
    ids = [t.id for p in pages for t in p.tickets]
    skipped = [s for p in pages for s in p.skipped]
    assert sorted(ids) == ["1000", "1001", "1002", "1004"]
    assert [s.ticket_id for s in skipped] == ["1003"] and "priority" in skipped[0].reason


def test_wrong_api_key_is_an_auth_error_without_retries(sim, make_adapter, tickets, clock):
    sim.seed(tickets(1))
    adapter = make_adapter(secret=Secret("wrong-key"))
    with pytest.raises(AuthError) as caught:
        read_all(adapter)
    assert "wrong-key" not in str(caught.value)
    assert sum(sim.requests.values()) == 1
