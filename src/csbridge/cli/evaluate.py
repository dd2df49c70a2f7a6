"""``csbridge evaluate``: judge tickets from a JSON Lines file, write findings as JSON Lines."""

from __future__ import annotations

import argparse
import gc
import sys
from datetime import UTC, datetime
from typing import IO, Any

from csbridge.errors import CsbridgeError


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "evaluate",
        help="check tickets (JSON Lines) against the standards book; print findings (JSON Lines)",
        description="Reads tickets one JSON object a line and writes one finding a line to stdout. "
        "A malformed line is reported on stderr with its number and skipped.",
    )
    parser.add_argument("--config", required=True, help="the TOML config file with the standards book")
    parser.add_argument("--input", required=True, help="tickets as JSON Lines, or - for standard input")
    parser.add_argument("--now", help="the instant to judge at (ISO-8601; default: the current time)")
    parser.add_argument("--all", action="store_true", help="also print standards that were met")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Judge every ticket of ``--input`` at ``--now``; print shortfalls (and, with
    ``--all``, met standards) one JSON object a line. Exit status 0, or a
    :class:`CsbridgeError` when nothing could be read."""
    # Start-up makes many long-lived objects (modules, regexes, calendars) and next
    # to no garbage: the cyclic collector's passes over them were ~8% of start-up.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # imported here, so that other commands do not pay for the standards engine
        from csbridge.cli.config import load
        from csbridge.jsonl import finding_to_json, parse_time, read_tickets
        from csbridge.standards import Engine

        config, host = load(args.config, standards_only=True)
        now = parse_time(args.now, "--now") if args.now else datetime.now(UTC)
        engine = Engine(config.book, host.standards.values(), include_met=args.all)
    finally:
        if collecting:
            gc.enable()
    errors: list[str] = []
    read = 0
    stream: IO[str] | IO[bytes]
    # A file is read as bytes, which read_tickets reads as UTF-8 text, only faster;
    # 64 KiB reads (not 8) take a third of the time per line.
    try:
        stream = sys.stdin if args.input == "-" else open(args.input, "rb", buffering=1 << 16)  # noqa: SIM115
    except OSError as exc:
        raise CsbridgeError(f"{args.input}: cannot read ({exc.strerror})") from None
    write = sys.stdout.write
    evaluate = engine.evaluate
    with stream:
        for ticket in read_tickets(stream, errors):
            read += 1
            try:
                findings = evaluate(ticket, now).findings
            except Exception as exc:  # a bug on one ticket must not stop an audit (the daemon does the same)
                errors.append(f"ticket {ticket.id!r} could not be judged ({type(exc).__name__}: {exc}); skipped")
                findings = []
            if findings:
                write("".join([finding_to_json(f) + "\n" for f in findings]))
            while errors:
                print(f"{args.input}: {errors.pop(0)}", file=sys.stderr)
        while errors:
            print(f"{args.input}: {errors.pop(0)}", file=sys.stderr)
    if read == 0:
        raise CsbridgeError(f"{args.input}: no ticket could be read")
    return 0
