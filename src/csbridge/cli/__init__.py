"""The ``csbridge`` command line. Each sub-command lives in its own module with an
``add_parser(subparsers)`` that registers it; any :class:`CsbridgeError` is
printed as one line ``csbridge: error: ...`` and exits with status 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from csbridge import __version__
from csbridge.errors import CsbridgeError

COMMANDS = ("run", "check", "status", "doctor", "evaluate", "demo", "plugins", "config", "credentials")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, every sub-command with its ``--help``."""
    import importlib

    parser = argparse.ArgumentParser(
        prog="csbridge",
        description="Checks every helpdesk ticket against your service standards and writes what fell short "
        "back to the owning agent.",
    )
    parser.add_argument("--version", action="version", version=f"csbridge {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"csbridge.cli.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
    except CsbridgeError as exc:
        print(f"csbridge: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
