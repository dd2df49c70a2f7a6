"""HTTP requests per 1,000 changed tickets for a full Freshdesk cycle, and 429s met.

Seeds the Freshdesk simulator (Growth plan: 200 credits a minute, 20 for the
tickets list) with 1,000 sample tickets in six languages, then runs daemon-like
cycles two simulated minutes apart until every ticket is read: judge each ticket
with the standards engine, write one private note plus tags per ticket that
falls short. Prints reads and writes per ticket, the 429s met (goal: none), and
the cost of the next cycle, when only csbridge's own notes changed tickets.

    python bench/freshdesk_requests.py [--tickets 1000] [--plan growth]
"""

from __future__ import annotations

import argparse
import html
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from csbridge_freshdesk.adapter import FreshdeskAdapter
from csbridge_freshdesk.simulator import FreshdeskSimulator

from csbridge.config import load_config
from csbridge.marker import marker_line
from csbridge.models import FindingStatus, Note, Status
from csbridge.plugins import load_plugins
from csbridge.sample import DEMO_START, generate_helpdesk
from csbridge.secrets import Secret
from csbridge.simkit import FakeClock
from csbridge.standards import Engine

BOOK = """
[standards.response_time]
first_reply = { urgent = "1h", high = "4h", normal = "8h", low = "24h" }
next_reply = { urgent = "2h", high = "8h", normal = "16h", low = "48h" }
[standards.courtesy]
[standards.follow_up]
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--plan", default="growth")
    args = parser.parse_args()
    tickets = list(generate_helpdesk(args.tickets, seed=3, start=DEMO_START, source="fd"))
    clock = FakeClock(max(t.updated_at or t.created_at for t in tickets) + timedelta(hours=1))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "book.toml"
        path.write_text(BOOK, encoding="utf-8")
        engine = Engine(load_config(path).book, load_plugins().standards.values())
    sim = FreshdeskSimulator(clock=clock, plan=args.plan, api_key="bench")
    sim.seed(tickets)
    sim.start()
    adapter = FreshdeskAdapter(source="fd", base_url=sim.url, secret=Secret("bench"), clock=clock,
                               sleep=clock.sleep, backfill_days=0,
                               custom_statuses={"7": Status.ON_HOLD})
    started, began = time.perf_counter(), clock()
    cursor, read, short, cycles = None, set(), 0, 0
    done = False
    while not done:
        cycles += 1
        for page in adapter.fetch_changes(cursor):
            notes = []
            for ticket in page.tickets:
                read.add(ticket.id)
                found = [f for f in engine.evaluate(ticket, clock()).findings if f.status != FindingStatus.MET]
                if found:
                    marker = uuid.uuid4().hex
                    body = "".join(f"<p>{html.escape(f.detail)}</p>" for f in found) + f"<p>{marker_line(marker)}</p>"
                    notes.append(Note("fd", ticket.id, marker, body, body, ("csbridge",), tuple(found)))
            results = adapter.post_notes(notes)
            assert all(r.ok for r in results), [r.error for r in results if not r.ok]
            short += len(notes)
            cursor, done = page.cursor, page.done
        if not done:
            clock.sleep(120)
    wall = time.perf_counter() - started
    reads = sum(n for e, n in sim.requests.items() if e.startswith("GET"))
    writes = sim.writes
    minutes = (clock() - began).total_seconds() / 60
    per = 1000 / len(read)
    print(f"Freshdesk full cycle, {len(read)} changed tickets ({short} fell short), plan {args.plan} "
          f"({sim.limits.total} credits/min)")
    print(f"  requests per 1,000 tickets: {(reads + writes) * per:.0f} = {reads * per:.0f} reads + {writes * per:.0f} writes")
    for endpoint, count in sorted(sim.requests.items()):
        print(f"    {endpoint:45} {count * per:8.0f}")
    print(f"  writes per ticket that fell short: {writes / max(short, 1):.2f}")
    print(f"  429s met: {sim.limits.rate_limited} (adapter saw {adapter.stats.rate_limited}); "
          f"requests before a Retry-After elapsed: {sim.limits.early_requests}")
    print(f"  {cycles} cycles over {minutes:.0f} simulated minutes; wall time {wall:.1f}s")
    assert len(read) == len(tickets), "tickets were skipped"
    before_reads, before_writes = reads, writes
    clock.sleep(300)
    list(adapter.fetch_changes(cursor))
    reads = sum(n for e, n in sim.requests.items() if e.startswith("GET")) - before_reads
    print(f"  next cycle (only csbridge's notes changed tickets): {reads} reads, {sim.writes - before_writes} writes, "
          f"ratio to the first cycle {reads / max(before_reads, 1):.3f}")
    adapter.close()
    sim.stop()


if __name__ == "__main__":
    main()
