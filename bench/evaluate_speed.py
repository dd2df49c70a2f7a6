"""How fast ``csbridge evaluate`` judges messages, and whether its memory grows with input.

Run: ``python bench/evaluate_speed.py [--sizes 100000,300000] [--no-profile]``

Writes sample tickets (``csbridge.sample.generate_helpdesk``) as JSON Lines with
at least N messages for each size, then runs ``csbridge evaluate`` on them in a
subprocess pinned to one core (``taskset -c 0``) with three standards books:

- ``parse``: no standards, so only reading and building tickets is measured;
- ``time``: response_time and follow_up only (the calendar side);
- ``full``: tests/data/example.toml, every standard.

It first times start-up on one ticket, with an empty cache of the lexicons'
literal analysis and with it (``CSBRIDGE_CACHE_DIR``, in the bench's own folder);
the runs after start with the cache. For each run it prints messages per second (wall clock, and by the child's own
CPU time, which other load on a shared machine disturbs less), the ratio of the
wall-clock rate to the 20,000 msg/s goal, and the child's peak RSS (from
``os.wait4``, so each run is measured alone).
Last, a cProfile of the full engine in this process on the smallest input shows
where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "data" / "example.toml"
NOW = "2026-12-15T12:00:00Z"
GOAL = 20_000
START = datetime(2026, 11, 2, 8, tzinfo=UTC)


def write_tickets(path: Path, messages: int) -> tuple[int, int]:
    """Write tickets until at least ``messages`` messages; return (tickets, messages)."""
    from csbridge.jsonl import ticket_to_dict
    from csbridge.sample import generate_helpdesk

    tickets = written = 0
    with path.open("w", encoding="utf-8") as out:
        for ticket in generate_helpdesk(10**9, seed=7, start=START, source="acme"):
            out.write(json.dumps(ticket_to_dict(ticket), ensure_ascii=False) + "\n")
            tickets += 1
            written += len(ticket.messages)
            if written >= messages:
                break
    return tickets, written


def books(folder: Path) -> dict[str, Path]:
    """The three standards books, derived from the example config."""
    text = EXAMPLE.read_text(encoding="utf-8")
    parse = without(text, {"standards.response_time", "standards.courtesy", "standards.follow_up"})
    time_only = without(text, {"standards.courtesy"})
    result = {"parse": folder / "parse.toml", "time": folder / "time.toml", "full": EXAMPLE}
    result["parse"].write_text(parse, encoding="utf-8")
    result["time"].write_text(time_only, encoding="utf-8")
    return result


def without(text: str, tables: set[str]) -> str:
    """``text`` (TOML) without the named top-level tables."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        header = re.match(r"^\[([^\]]+)\]\s*(#.*)?$", line)
        if header:
            skipping = header.group(1).strip() in tables
        if not skipping:
            kept.append(line)
    return "".join(kept)


def run(config: Path, source: Path, cache: Path) -> tuple[float, float, float, int]:
    """Run the CLI once on one core with its cache in ``cache``; return (seconds, CPU
    seconds, peak RSS in MB, findings printed)."""
    command = [sys.executable, "-m", "csbridge.cli", "evaluate", "--config", str(config),
               "--input", str(source), "--now", NOW]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    with tempfile.TemporaryFile() as out:
        began = time.perf_counter()
        env = {**os.environ, "CSBRIDGE_CACHE_DIR": str(cache)}
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
        child.returncode = os.waitstatus_to_exitcode(status)
        err = child.stderr.read().decode() if child.stderr else ""
        if child.returncode != 0:
            raise SystemExit(f"evaluate failed ({child.returncode}): {err[-2000:]}")
        out.seek(0)
        findings = sum(1 for _ in out)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, findings


def profile(config: Path, source: Path, top: int = 18) -> str:
    """cProfile of the engine in this process, as the CLI runs it without ``--all``
    (no ``met`` findings): the functions with the most own time."""
    from csbridge.cli.config import load
    from csbridge.jsonl import parse_time, read_tickets
    from csbridge.standards import Engine

    cfg, host = load(str(config))
    engine = Engine(cfg.book, host.standards.values(), include_met=False)
    now = parse_time(NOW, "now")
    profiler = cProfile.Profile()
    with source.open("rb") as stream:  # as the CLI reads a file
        profiler.enable()
        for ticket in read_tickets(stream, []):
            engine.evaluate(ticket, now)
        profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000", help="message counts, comma-separated")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile part")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="csbridge-bench-") as tmp:
        folder = Path(tmp)
        configs = books(folder)
        inputs = []
        for size in sizes:
            path = folder / f"tickets-{size}.jsonl"
            tickets, messages = write_tickets(path, size)
            inputs.append((path, tickets, messages))
            print(f"input {path.name}: {tickets} tickets, {messages} messages, {path.stat().st_size / 2**20:.1f} MiB")
        cache = folder / "cache"
        one = folder / "one-ticket.jsonl"
        with inputs[0][0].open(encoding="utf-8") as first:
            one.write_text(first.readline(), encoding="utf-8")
        cold = run(configs["full"], one, cache)[0]  # the first start works out the lexicons' literals
        warm = min(run(configs["full"], one, cache)[0] for _ in range(3))
        print(f"start-up (full book, one ticket): {cold:.2f} s with an empty cache, {warm:.2f} s with it "
              f"({warm / cold:.2f}x); the runs below start with it")
        print(f"\n{'book':<6} {'messages':>9} {'seconds':>8} {'msg/s':>9} {'cpu msg/s':>9} {'x goal':>7} {'peak MB':>8} "
              f"{'findings':>9}")
        rates: dict[tuple[str, int], float] = {}
        cpu_rates: dict[tuple[str, int], float] = {}
        peaks: dict[tuple[str, int], float] = {}
        for name, config in configs.items():
            for path, _, messages in inputs:
                seconds, cpu, peak, findings = run(config, path, cache)
                rate = messages / seconds
                rates[(name, messages)] = rate
                cpu_rates[(name, messages)] = messages / cpu
                peaks[(name, messages)] = peak
                print(f"{name:<6} {messages:>9} {seconds:>8.2f} {rate:>9.0f} {messages / cpu:>9.0f} {rate / GOAL:>7.2f} "
                      f"{peak:>8.1f} {findings:>9}")
        small, large = inputs[0][2], inputs[-1][2]
        print()
        for name in configs:
            print(f"{name}: peak RSS {large} vs {small} messages = {peaks[(name, large)] / peaks[(name, small)]:.2f}x; "
                  f"msg/s {rates[(name, large)] / rates[(name, small)]:.2f}x")
        parse_cost = 1 / rates[("parse", large)]
        for name in ("time", "full"):
            share = 1 - parse_cost / (1 / rates[(name, large)])
            judging = (1 / cpu_rates[(name, large)] - 1 / cpu_rates[("parse", large)]) * 1e6
            print(f"{name}: {share:.0%} of its run time is judging (the rest reading JSON and building tickets); "
                  f"{name}/parse time {rates[('parse', large)] / rates[(name, large)]:.2f}x; "
                  f"judging {judging:.1f} µs/msg of CPU time")
        if not args.no_profile:
            print(f"\ncProfile, full book, {inputs[0][2]} messages, in process (top own time):")
            print(profile(configs["full"], inputs[0][0]))


if __name__ == "__main__":
    main()
