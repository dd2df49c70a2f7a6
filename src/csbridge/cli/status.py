"""``csbridge status``: per source, the last cycle, cursor, backlog, next reminders, last error."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from csbridge.cli.config import add_config_option, load


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("status", help="show each source's last cycle, cursor, backlog, next reminders, errors")
    add_config_option(parser)
    parser.set_defaults(run=run)


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "never"


def run(args: argparse.Namespace) -> int:
    from csbridge.state import DONE, FAILED, Store

    config, _ = load(args.config)
    store = Store(config.daemon.state)
    for name, source in config.sources.items():
        state = store.source_state(name)
        actions = store.actions(name)
        waiting = sum(1 for a in actions if a.state not in (DONE, FAILED))
        failed = sum(1 for a in actions if a.state == FAILED)
        cursor = state.cursor if state.cursor is None or len(state.cursor) < 60 else state.cursor[:57] + "..."
        print(f"{name} ({source.adapter}{'' if source.enabled else ', disabled'})")
        took = f" (took {state.last_cycle_seconds:.1f}s)" if state.last_cycle_seconds is not None else ""
        print(f"  last cycle:   {_when(state.last_cycle_at)}{took}")
        print(f"  cursor:       {cursor or '(none yet: the first cycle backfills)'}")
        backlog = "none" if state.backlog == 0 else "unknown" if state.backlog is None else f"about {state.backlog}"
        print(f"  tickets read: {state.tickets_read}; backlog: {backlog} (changed tickets left for the next cycle)")
        print(f"  writes:       {waiting} waiting, {failed} given up")
        upcoming = [d for d in store.deadlines(name) if not d["reminded"]][:5]
        print(f"  next reminders: {'none' if not upcoming else ''}")
        for d in upcoming:
            print(f"    {_when(d['warn_at'])}  ticket {d['ticket_id']}  {d['rule']} due {_when(d['due_at'])}")
        print(f"  last error:   {state.last_error or 'none'}")
    return 0
