"""Benchmark: read and judge a generated support mailbox from a real Dovecot.

    python bench/imap_cycle.py [--messages 10000] [--small 1000]

For each of two mailbox sizes it starts a throw-away Dovecot, delivers the
generated mailbox (in a child process, so that its memory is not counted), then
reads every conversation through the email_imap adapter and judges it with the
standards engine on the book of tests/data/example.toml. It prints messages per
second read and judged, the peak RSS of the reading process, and the IMAP
commands of a cycle on the unchanged mailbox, as a ratio between the two sizes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from csbridge_email_imap.adapter import ImapAdapter
from csbridge_email_imap.mailgen import SUPPORT, GeneratedMailbox, iter_mailbox
from csbridge_email_imap.testing import DovecotServer

from csbridge.config import SourceConfig, load_config
from csbridge.plugins import load_plugins
from csbridge.secrets import Secret
from csbridge.standards import Engine

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def deliver(port: int, username: str, password: str, messages: int) -> None:
    """Child process: APPEND ``messages`` generated mails (MULTIAPPEND batches)."""
    server = DovecotServer(username=username, password=password, port=port)
    by_folder: dict[str, list[bytes]] = {}
    for mail in iter_mailbox(messages, seed=11):
        by_folder.setdefault(mail.folder, []).append(mail.raw)
    for folder, raws in by_folder.items():
        server.append(folder, raws)


def run(messages: int, engine: Engine) -> dict[str, float]:
    with DovecotServer() as server:
        started = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(
            target=deliver, args=(server.port, server.username, server.password, messages)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit("delivering the mailbox failed")
        load_seconds = time.perf_counter() - started
        options = {"host": "127.0.0.1", "port": server.port, "security": "none", "username": server.username,
                   "support_addresses": [SUPPORT], "agents": GeneratedMailbox().agents}
        adapter = ImapAdapter.create(SourceConfig("bench", "email_imap", options), Secret(server.password),
                                     lambda: NOW)
        try:
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            read = tickets = findings = 0
            judging = 0.0
            cursor = ""
            for page in adapter.fetch_changes(None):
                for ticket in page.tickets:
                    tickets += 1
                    read += len(ticket.messages)
                    judged_at = time.perf_counter()
                    findings += len(engine.evaluate(ticket, NOW).findings)
                    judging += time.perf_counter() - judged_at
                cursor = page.cursor
            seconds = time.perf_counter() - started
            rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            first_cycle = adapter.stats.total
            adapter.stats.requests.clear()
            unchanged = list(adapter.fetch_changes(cursor))
            assert not any(p.tickets for p in unchanged)
            after_read = sum(adapter.stats.requests.values())
            adapter.stats.requests.clear()
            list(adapter.fetch_changes(unchanged[-1].cursor))
            per_cycle = Counter(adapter.stats.requests)
        finally:
            adapter.close()
    return {
        "messages": messages, "read": read, "tickets": tickets, "findings": findings, "seconds": seconds,
        "judging": judging,
        "load_seconds": load_seconds, "rss_before_mb": rss_before / 1024, "rss_peak_mb": rss_peak / 1024,
        "first_cycle_commands": first_cycle, "unchanged_commands": sum(per_cycle.values()),
        "after_read_commands": after_read,
        "unchanged_detail": " ".join(f"{k}={v}" for k, v in sorted(per_cycle.items())),  # type: ignore[dict-item]
    }


def run_isolated(messages: int) -> dict[str, float]:
    """``run`` in a fresh process, so that its peak RSS is its own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run_with_engine, args=(messages, queue))
    process.start()
    result: dict[str, float] = queue.get()
    process.join()
    return result


def _run_with_engine(messages: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    host = load_plugins()
    config = load_config(ROOT / "tests" / "data" / "example.toml", host.adapter_options, host.extra_standards)
    queue.put(run(messages, Engine(config.book, host.standards.values())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000)
    args = parser.parse_args(argv)
    results = [run_isolated(args.small), run_isolated(args.messages)]
    for r in results:
        print(f"{r['messages']:>6} messages generated, {r['read']} judged in {r['tickets']} tickets "
              f"({r['findings']} findings): {r['read'] / r['seconds']:.0f} messages/s read and judged "
              f"({r['seconds']:.1f} s, of which judging {r['judging'] / r['seconds']:.0%}; reading alone "
              f"{r['read'] / (r['seconds'] - r['judging']):.0f} messages/s); peak RSS {r['rss_peak_mb']:.0f} MB (before reading {r['rss_before_mb']:.0f} MB); "
              f"first cycle {r['first_cycle_commands']} IMAP commands; next cycle {r['after_read_commands']}; "
              f"unchanged cycle {r['unchanged_commands']} commands ({r['unchanged_detail']})")
    small, large = results
    print(f"unchanged-cycle commands, {large['messages']} vs {small['messages']} messages: "
          f"{large['unchanged_commands'] / small['unchanged_commands']:.2f}x "
          f"(mailbox {large['messages'] / small['messages']:.0f}x larger)")
    print(f"throughput ratio (large/small): {(large['read'] / large['seconds']) / (small['read'] / small['seconds']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
