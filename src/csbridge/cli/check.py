"""``csbridge check --once [--dry-run]``: one cycle of every enabled source."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from csbridge.cli.config import add_config_option, load


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("check", help="run one cycle of every enabled source and exit")
    add_config_option(parser)
    parser.add_argument("--once", action="store_true", required=True, help="one cycle (the only mode; required)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the notes, tags and reminders it would write; write and store nothing")
    parser.add_argument("--source", action="append", help="only this source (repeatable)")
    parser.add_argument("--now", help="judge as if it were this instant (ISO-8601; for audits and tests)")
    parser.set_defaults(run=run)


def print_plan(report: Any, out: Any = None) -> None:
    """What a dry run would have written, as an agent would read it."""
    out = out or sys.stdout
    for note in report.planned_notes:
        out.write(f"--- note on {report.source} ticket {note.ticket_id} (private) tags: {', '.join(note.tags)}\n")
        out.write(note.text + "\n")
    for reminder in report.planned_reminders:
        to = reminder.agent.email or reminder.agent.name if reminder.agent else "(no owning agent)"
        out.write(f"--- reminder on {report.source} ticket {reminder.ticket_id} to {to}\n{reminder.text}\n")


def run(args: argparse.Namespace) -> int:
    from csbridge import logs
    from csbridge.daemon import Daemon
    from csbridge.jsonl import parse_time

    config, host = load(args.config)
    logs.setup(config.daemon.log_format)
    daemon = Daemon(config, host)
    if args.now:
        fixed = parse_time(args.now, "--now")
        daemon.clock = lambda: fixed
    failed = False
    try:
        for source in daemon.sources:
            if args.source and source.name not in args.source:
                continue
            report = daemon.poll(source.name, dry_run=args.dry_run)
            failed |= report.error is not None
            if report.busy:
                print(f"=== {source.name}: skipped, another csbridge process is checking it right now")
                continue
            if args.dry_run:
                print_plan(report)
                print(f"=== {source.name}: {report.tickets} tickets read, {len(report.planned_notes)} notes and "
                      f"{len(report.planned_reminders)} reminders would be written (dry run: nothing written)")
            else:
                print(f"=== {source.name}: {report.tickets} tickets read, {report.findings} new findings, "
                      f"{report.notes_written} notes written, {report.reminders_sent} reminders sent"
                      + (f"; error: {report.error}" if report.error else ""))
    finally:
        daemon.close()
    return 1 if failed else 0
