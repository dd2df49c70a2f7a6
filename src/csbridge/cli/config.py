"""``csbridge config check FILE``: validate a config file against installed plugins."""

from __future__ import annotations

import argparse
from typing import Any

from csbridge.config import Config, load_config
from csbridge.plugins import PluginHost, load_plugins


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("config", help="work with the config file")
    inner = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = inner.add_parser("check", help="validate a config file; prints one line naming file, key and problem")
    check.add_argument("file", help="the TOML config file")
    check.set_defaults(run=run_check)


def default_config_path() -> str:
    """``$CSBRIDGE_CONFIG``, else ``$XDG_CONFIG_HOME/csbridge/csbridge.toml``."""
    import os
    from pathlib import Path

    if os.environ.get("CSBRIDGE_CONFIG"):
        return os.environ["CSBRIDGE_CONFIG"]
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return str(base / "csbridge" / "csbridge.toml")


def add_config_option(parser: Any) -> None:
    """The ``--config FILE`` option shared by the daemon's commands."""
    parser.add_argument("--config", default=None, metavar="FILE",
                        help="the TOML config file (default: $CSBRIDGE_CONFIG or ~/.config/csbridge/csbridge.toml)")


def load(path: str | None, host: PluginHost | None = None, standards_only: bool = False) -> tuple[Config, PluginHost]:
    """Load ``path`` validated against the installed adapters and standards; with
    ``standards_only`` the sources are not checked against adapters (none loaded)."""
    host = host or load_plugins(adapters=not standards_only)
    path = path or default_config_path()
    return load_config(path, None if standards_only else host.adapter_options, host.extra_standards), host


def run_check(args: argparse.Namespace) -> int:
    config, _ = load(args.file)
    sources = ", ".join(f"{s.name} ({s.adapter})" for s in config.sources.values()) or "none"
    standards = [n for n in ("response_time", "courtesy", "follow_up") if getattr(config.book, n)]
    standards += list(config.book.extra)
    print(f"{args.file}: OK; standards: {', '.join(standards) or 'none'}; sources: {sources}")
    return 0
