"""The history cache on a backfill larger than it: histories waiting for their page are
never evicted (no audits reads), yielded ones are dropped least recently used first and
read again from their audits only when they change."""

from __future__ import annotations

from datetime import timedelta

from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.models import Ticket
from csbridge.sample import DEMO_START, generate_helpdesk

from .conftest import TOKEN, FakeClock, make_adapter

AUDITS = "GET /api/v2/tickets/{id}/audits.json"


def test_backfill_beyond_the_cache_reads_no_audits_and_keeps_only_the_newest(clock: FakeClock) -> None:
    with ZendeskSimulator(clock=clock, token=TOKEN, page_size=25) as sim:
        sim.seed(generate_helpdesk(150, seed=3, start=DEMO_START))
        adapter = make_adapter(sim, clock, max_cached_tickets=5)
        history = adapter.reader.history
        tickets: list[Ticket] = []
        cursor = None
        pending_seen = []
        for page in adapter.fetch_changes(None):
            assert not page.skipped
            tickets.extend(page.tickets)
            cursor = page.cursor
            pending_seen.append(history.pending)
        assert sorted(int(t.id) for t in tickets) == list(range(1, 151))
        assert sim.requests[AUDITS] == 0
        assert sim.requests["GET /api/v2/incremental/tickets/cursor.json"] == 6  # 25 a page
        assert max(pending_seen) > 5  # more waited for their page than the cache keeps...
        assert history.pending == 0 and len(history) == 5  # ...and only the newest 5 stay
        assert history.evicted == 145

        clock.sleep(3600)
        old, recent = tickets[0], tickets[-1]  # the first yielded was evicted, the last is kept
        for ticket in (old, recent):
            sim.add_comment(ticket.id, ticket.requester.id if ticket.requester else "1", "Any news?", True,
                            clock() - timedelta(minutes=30))
        again = [t for page in adapter.fetch_changes(cursor) for t in page.tickets]
        assert {t.id for t in again} == {old.id, recent.id}
        assert sim.requests[AUDITS] == 1  # only the evicted one is read whole
        for ticket in again:
            before = next(t for t in tickets if t.id == ticket.id)
            assert [m.body for m in ticket.messages][:-1] == [m.body for m in before.messages]
            assert ticket.messages[-1].body == "Any news?"
