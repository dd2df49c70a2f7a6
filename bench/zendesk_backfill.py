"""A backfill of 100,000 tickets through the Zendesk adapter and the local simulator:
tickets/s (wall clock), simulated API time (the 10-a-minute export limit, on a fake
clock), requests, and peak memory (RSS) of the process, simulator included, next to
the RSS after seeding so the adapter's share shows.

    python bench/zendesk_backfill.py [TICKETS]
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from datetime import timedelta

from csbridge_zendesk.adapter import ZendeskAdapter
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.sample import DEMO_START, generate_helpdesk
from csbridge.secrets import Secret


class Clock:
    def __init__(self) -> None:
        self.now = DEMO_START + timedelta(days=60)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def main(count: int = 100_000) -> None:
    clock = Clock()
    with ZendeskSimulator(clock=clock) as sim:
        t0 = time.perf_counter()
        sim.seed(generate_helpdesk(count, seed=2, start=DEMO_START))
        gc.collect()
        seeded = current_rss_mb()
        print(f"seeded {count} tickets in {time.perf_counter() - t0:.1f}s; RSS after seeding {seeded:.0f} MB")
        adapter = ZendeskAdapter(sim.base_url, "bot@acme.example", Secret("t"), clock=clock, sleep=clock.sleep,
                                 backfill_days=90, max_cached_tickets=count)
        start_virtual = clock()
        t1 = time.perf_counter()
        read = 0
        for page in adapter.fetch_changes(None):
            read += len(page.tickets)
            assert not page.skipped
        wall = time.perf_counter() - t1
        peak = rss_mb()
    assert read == count, read
    print(f"read {read} tickets in {wall:.1f}s wall: {read / wall:.0f} tickets/s")
    print(f"simulated API time (export limit 10/min): {(clock() - start_virtual).total_seconds() / 60:.1f} min")
    print(f"requests: {sum(sim.requests.values())} ({dict(sim.requests)})")
    print(f"peak RSS {peak:.0f} MB; after seeding {seeded:.0f} MB; "
          f"peak/after-seeding ratio {peak / seeded:.2f} (the difference is the adapter and HTTP buffers)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
