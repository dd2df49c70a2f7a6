"""A backfill of 100,000 tickets through the Zendesk adapter with its default settings
(max_cached_tickets 20,000 ...) except ``backfill_days``, set to just cover the sample
(tickets created over 21 days, the last ones updated ~36 days after the first: a
30-day window would read the oldest from their audits by design), against the local
simulator, which runs
in a child process so the figures are the adapter's process alone: wall time,
tickets/s, simulated API time (the 10-a-minute export limit, on a shared fake clock),
requests by endpoint (audits fallbacks: goal 0), peak RSS of the adapter's process,
and the most histories held at once (pending: waiting for their page).

    python bench/zendesk_backfill.py [TICKETS]
"""

from __future__ import annotations

import gc
import math
import multiprocessing as mp
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import Synchronized

from csbridge_zendesk.adapter import ZendeskAdapter
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.sample import DEMO_START, generate_helpdesk
from csbridge.secrets import Secret

AUDITS = "GET /api/v2/tickets/{id}/audits.json"


class SharedClock:
    """A fake clock both processes read; the adapter's waits move it (no real sleeping)."""

    def __init__(self, value: Synchronized) -> None:  # type: ignore[type-arg]
        self.value = value

    def __call__(self) -> datetime:
        return datetime.fromtimestamp(self.value.value, UTC)

    def sleep(self, seconds: float) -> None:
        self.value.value += seconds


def serve(count: int, value: Synchronized, conn: Connection) -> None:  # type: ignore[type-arg]
    """The child: seed, serve, report the request counts when told to stop."""
    with ZendeskSimulator(clock=SharedClock(value)) as sim:
        t0 = time.perf_counter()
        sim.seed(generate_helpdesk(count, seed=2, start=DEMO_START))
        last = max(sim.ticket(str(n))["generated_timestamp"] for n in range(1, count + 1))
        value.value = last + 120.0  # "now": two minutes after the last change
        conn.send((sim.base_url, time.perf_counter() - t0))
        conn.recv()
        conn.send(dict(sim.requests))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main(count: int = 100_000) -> None:
    ctx = mp.get_context("spawn")
    value = ctx.Value("d", DEMO_START.timestamp(), lock=False)
    clock = SharedClock(value)
    here, there = ctx.Pipe()
    child = ctx.Process(target=serve, args=(count, value, there), daemon=True)
    child.start()
    base_url, seeding = here.recv()
    print(f"simulator (child process {child.pid}) seeded {count} tickets in {seeding:.1f}s")
    gc.collect()
    before = current_rss_mb()
    backfill_days = math.ceil((clock() - DEMO_START) / timedelta(days=1)) + 1
    adapter = ZendeskAdapter(base_url, "csbridge@acme.example", Secret("t"), clock=clock, sleep=clock.sleep,
                             backfill_days=backfill_days)
    pending_peak = held_peak = 0
    read = 0
    start_virtual = clock()
    t1 = time.perf_counter()
    for page in adapter.fetch_changes(None):
        read += len(page.tickets)
        assert not page.skipped, page.skipped[:3]
        pending_peak = max(pending_peak, adapter.reader.history.pending)
        held_peak = max(held_peak, len(adapter.reader.history))
    wall = time.perf_counter() - t1
    peak = rss_mb()
    here.send("stop")
    requests = here.recv()
    child.join(10)
    total = sum(requests.values())
    assert read == count, read
    print(f"adapter settings: defaults (max_cached_tickets {adapter.reader.history.max_tickets}) "
          f"but backfill_days {backfill_days} (the sample's span)")
    print(f"read {read} tickets in {wall:.1f}s wall: {read / wall:.0f} tickets/s")
    print(f"simulated API time (export limit 10/min): {(clock() - start_virtual).total_seconds() / 60:.1f} min")
    print(f"requests: {total} ({total * 1000 / count:.1f} per 1,000 tickets)")
    for endpoint, n in sorted(requests.items()):
        print(f"  {n:7d}  {endpoint}")
    print(f"audits requests (fallback reads): {requests.get(AUDITS, 0)} (goal 0)")
    print(f"histories held at once: at most {held_peak} (pending, waiting for their page: at most {pending_peak}); "
          f"evicted after their page: {adapter.reader.history.evicted}")
    print(f"adapter process RSS: {before:.0f} MB before reading, peak {peak:.0f} MB "
          f"(ratio {peak / before:.2f}); the simulator runs in another process")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
