"""``csbridge doctor``: config, credentials, each source reachable, clock sanity."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from csbridge.cli.config import add_config_option, load
from csbridge.errors import CsbridgeError
from csbridge.secrets import get_secret


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("doctor", help="check the config, credentials, each source's access and the clock")
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from csbridge.daemon import create_adapter
    from csbridge.state import Store

    problems = 0

    def say(ok: bool, what: str) -> None:
        nonlocal problems
        problems += not ok
        print(f"[{'ok' if ok else 'FAIL'}] {what}")

    config, host = load(args.config)
    say(True, f"config {config.path}: valid")
    for info in host.failed():
        say(False, f"plugin {info.name} failed to load: {info.error}")
    try:
        Store(config.daemon.state)
        say(True, "state database opens and is up to date")
    except CsbridgeError as exc:
        say(False, str(exc))
    now = datetime.now(UTC)
    say(abs(time.time() - now.timestamp()) < 1 and now.year >= 2024, f"clock: {now.isoformat(timespec='seconds')}")
    for source in config.sources.values():
        if not source.enabled:
            print(f"[--] source {source.name}: disabled")
            continue
        factory = host.adapters.get(source.adapter)
        if factory is None:
            say(False, f"source {source.name}: adapter {source.adapter!r} is not installed")
            continue
        try:
            if factory.needs_secret:
                get_secret(source.name)
                say(True, f"source {source.name}: credentials found")
            adapter = create_adapter(source, host, lambda: datetime.now(UTC))
            check = getattr(adapter, "check_access", None)
            detail = check() if check else "adapter has no access check"
            say(True, f"source {source.name}: reachable ({detail})")
            adapter.close()
        except CsbridgeError as exc:
            say(False, f"source {source.name}: {exc}")
    print("all good" if not problems else f"{problems} problem(s)")
    return 1 if problems else 0
