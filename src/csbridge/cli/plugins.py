"""``csbridge plugins``: what loaded, from which distribution, and what failed."""

from __future__ import annotations

import argparse
import json
from typing import Any

from csbridge.plugins import load_plugins


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("plugins", help="list the adapters and standards that loaded, and plugins that failed")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    host = load_plugins()
    if args.json:
        print(json.dumps([info.__dict__ for info in host.plugins], indent=2))
        return 0
    for info in host.plugins:
        origin = f"{info.distribution} {info.version}".strip() or "-"
        if info.error:
            print(f"FAILED   {info.name:<34} {origin:<26} {info.error}")
            continue
        for adapter in info.adapters:
            print(f"adapter  {adapter:<34} {origin}")
        for standard in info.standards:
            print(f"standard {standard:<34} {origin}")
    return 1 if host.failed() else 0
