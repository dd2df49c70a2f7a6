"""A 30,500-ticket Freshdesk backfill past the tickets list's 300-page ceiling.

The simulator runs in a child process (its 30,500 tickets do not count toward
this process's memory) on a clock shared with this process. The adapter reads
every ticket with its conversations from a first run (``backfill_days = 0``),
cycle after cycle within the Enterprise plan's credits, and the script checks
that no ticket was skipped or read twice, that no request hit the page ceiling,
and reports peak memory of the reading process.

    python bench/freshdesk_backfill.py [--tickets 30500] [--plan enterprise]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
import tracemalloc
from datetime import UTC, datetime

from csbridge_freshdesk.adapter import FreshdeskAdapter
from csbridge_freshdesk.simulator import FreshdeskSimulator

from csbridge.models import Status
from csbridge.sample import generate_helpdesk
from csbridge.secrets import Secret

START = datetime(2026, 6, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def serve(conn, shared, count: int, plan: str) -> None:
    sim = FreshdeskSimulator(clock=lambda: datetime.fromtimestamp(shared.value, UTC), plan=plan, api_key="bench")
    sim.seed(generate_helpdesk(count, seed=5, start=START, source="fd"))
    conn.send(sim.start())
    conn.recv()
    ceiling = sum(1 for _, endpoint, status in sim.log if endpoint == "GET /api/v2/tickets" and status == 400)
    conn.send({"requests": dict(sim.requests), "429": sim.limits.rate_limited, "ceiling": ceiling,
               "early": sim.limits.early_requests})
    sim.stop()


class SharedClock:
    def __init__(self, shared) -> None:
        self.shared = shared

    def __call__(self) -> datetime:
        return datetime.fromtimestamp(self.shared.value, UTC)

    def sleep(self, seconds: float) -> None:
        self.shared.value += seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=30_500)
    parser.add_argument("--plan", default="enterprise")
    parser.add_argument("--trace", action="store_true", help="also trace Python allocations (about 2x slower)")
    args = parser.parse_args()
    shared = mp.Value("d", NOW.timestamp(), lock=False)
    parent, child = mp.Pipe()
    process = mp.Process(target=serve, args=(child, shared, args.tickets, args.plan), daemon=True)
    process.start()
    url = parent.recv()
    clock = SharedClock(shared)
    if args.trace:
        tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    adapter = FreshdeskAdapter(source="fd", base_url=url, secret=Secret("bench"), clock=clock, sleep=clock.sleep,
                               backfill_days=0, custom_statuses={"7": Status.ON_HOLD})
    started = time.perf_counter()
    seen: set[str] = set()
    twice = pages = cycles = 0
    cursor, done, began = None, False, clock()
    while not done:
        cycles += 1
        for page in adapter.fetch_changes(cursor):
            pages += 1
            for ticket in page.tickets:
                twice += ticket.id in seen
                seen.add(ticket.id)
            cursor, done = page.cursor, page.done
        if not done:
            clock.sleep(60)
    wall = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parent.send("stop")
    server = parent.recv()
    process.join(5)
    adapter.close()
    list_pages = server["requests"].get("GET /api/v2/tickets", 0)
    print(f"Freshdesk backfill: {args.tickets} tickets ({args.tickets / 100:.0f} list pages of 100; the ceiling is 300)")
    print(f"  read {len(seen)} distinct tickets, {twice} twice, {args.tickets - len(seen)} skipped")
    print(f"  {list_pages} tickets-list requests, {server['ceiling']} refused at the page ceiling, "
          f"{server['429']} 429s, {server['early']} requests before a Retry-After")
    print(f"  {sum(server['requests'].values())} requests = {sum(server['requests'].values()) / len(seen):.3f} per ticket; "
          f"{cycles} cycles over {(clock() - began).total_seconds() / 60:.0f} simulated minutes; wall {wall:.0f}s")
    traced = f"{peak / 2**20:.1f} MiB traced by Python, " if args.trace else ""
    print(f"  peak memory of the reading process: {traced}"
          f"{rss / 1024:.0f} MiB max RSS ({(rss - rss_before) / 1024:.0f} MiB above the start)")
    assert len(seen) == args.tickets and twice == 0 and server["ceiling"] == 0


if __name__ == "__main__":
    main()
