"""``csbridge demo``: the real daemon code path against a local simulator (work in progress)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("demo", help="run csbridge against a simulated helpdesk seeded with sample tickets")
    parser.add_argument("--helpdesk", choices=("zendesk", "freshdesk"), default="zendesk")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from csbridge.demo import run_demo

    return run_demo(args.helpdesk)
