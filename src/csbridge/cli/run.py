"""``csbridge run``: the daemon in the foreground."""

from __future__ import annotations

import argparse
from typing import Any

from csbridge.cli.config import add_config_option, load


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "run", help="run the daemon in the foreground (logs to stderr; SIGTERM stops cleanly, SIGHUP reloads)"
    )
    add_config_option(parser)
    parser.add_argument("--log-format", choices=("text", "json"), help="override daemon.log_format")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from csbridge import logs
    from csbridge.daemon import run_forever
    from csbridge.metrics import metrics_for

    config, _ = load(args.config)
    logs.setup(args.log_format or config.daemon.log_format)
    return run_forever(args.config, load, metrics_for)
