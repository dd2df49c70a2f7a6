"""HTTP requests per 1,000 changed tickets for a full cycle (read + write-back) through
the Zendesk adapter against the local simulator, next to the naive count (one list
call, plus one comments call and one update per ticket). Goal: <= 30.

    python bench/zendesk_requests.py [TICKETS]
"""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta

from csbridge_zendesk.adapter import ZendeskAdapter
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.models import Note
from csbridge.sample import DEMO_START, generate_helpdesk
from csbridge.secrets import Secret
from csbridge.simkit import FakeClock


def main(count: int = 1000) -> None:
    clock = FakeClock(DEMO_START + timedelta(days=40))
    with ZendeskSimulator(clock=clock) as sim:
        sim.seed(generate_helpdesk(count, seed=1, start=DEMO_START))
        adapter = ZendeskAdapter(sim.base_url, "bot@acme.example", Secret("t"), clock=clock, sleep=clock.sleep,
                                 backfill_days=60)
        tickets = [t for page in adapter.fetch_changes(None) for t in page.tickets]
        read = sum(sim.requests.values())
        notes = [Note("acme", t.id, uuid.uuid4().hex, "note", "<p>note</p>", ("csbridge_checked",)) for t in tickets]
        results = adapter.post_notes(notes)
        total = sum(sim.requests.values())
    assert len(tickets) == count and all(r.ok for r in results)
    naive = 1 + 2 * count
    per_k = total * 1000 / count
    print(f"changed tickets: {count}, notes written: {len(notes)} (every ticket: the worst case)")
    for endpoint, n in sorted(sim.requests.items()):
        print(f"  {n:6d}  {endpoint}")
    print(f"read requests: {read}, write requests: {total - read}, total: {total}")
    print(f"requests per 1,000 changed tickets: {per_k:.1f} (goal <= 30)")
    print(f"naive (1 list + 1 comments + 1 update per ticket): {naive * 1000 / count:.0f} per 1,000")
    print(f"ratio naive / adapter: {naive / total:.0f}x fewer requests")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
