"""``csbridge credentials set SOURCE``: store a source's secret in the OS keyring."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

from csbridge.errors import CredentialError
from csbridge.secrets import env_name, set_secret


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("credentials", help="store secrets in the OS keyring")
    inner = parser.add_subparsers(dest="credentials_command", metavar="ACTION", required=True)
    setp = inner.add_parser("set", help="ask for SOURCE's API token or password (hidden) and store it")
    setp.add_argument("source", help="the source name, as in [sources.NAME]")
    setp.set_defaults(run=run_set)


def run_set(args: argparse.Namespace) -> int:
    value = getpass.getpass(f"Secret for source {args.source!r} (input hidden): ")
    if not value:
        raise CredentialError(f"nothing entered; the secret of {args.source!r} was not changed")
    set_secret(args.source, value)
    print(f"Stored the secret of {args.source!r} in the OS keyring (or use {env_name(args.source)}).")
    return 0
