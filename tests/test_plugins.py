"""The plugin host: entry points found, a broken plugin reported by name while the others load."""

from __future__ import annotations

import subprocess
import sys
import types
from typing import ClassVar

import pytest

from csbridge.hookspecs import hookimpl
from csbridge.plugins import load_plugins


def test_installed_plugins_are_found_through_entry_points() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "csbridge.cli", "plugins"], capture_output=True, text=True, check=False
    ).stdout
    for adapter, dist in (("zendesk", "csbridge-zendesk"), ("freshdesk", "csbridge-freshdesk"),
                          ("email_imap", "csbridge-email-imap")):
        assert any(line.split()[:3] == ["adapter", adapter, dist] for line in out.splitlines()), out
    for standard in ("response_time", "courtesy", "follow_up"):
        assert any(line.split()[:2] == ["standard", standard] for line in out.splitlines()), out


def _plugin(name: str, **hooks: object) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook, fn in hooks.items():
        setattr(module, hook, hookimpl(fn))  # type: ignore[arg-type]
    return module


class _Adapter:
    options: ClassVar[dict[str, object]] = {}
    needs_secret = False

    def __init__(self, name: str) -> None:
        self.name = name


def test_broken_plugin_does_not_stop_the_others() -> None:
    host = load_plugins()

    def boom(register: object) -> None:
        raise RuntimeError("lexicon file missing")

    def good(register: types.FunctionType) -> None:
        register(_Adapter("helpdesk_x"))

    broken = host.register(_plugin("broken", register_adapters=boom), "broken")
    fine = host.register(_plugin("fine", register_adapters=good), "fine")
    assert broken.error == "RuntimeError: lexicon file missing"
    assert fine.error == "" and fine.adapters == ("helpdesk_x",)
    assert "helpdesk_x" in host.adapters and "zendesk" in host.adapters
    assert [p.name for p in host.failed()] == ["broken"]
    host.unregister("fine")
    assert "helpdesk_x" not in host.adapters


def test_plugin_that_fails_to_import_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    real = metadata.entry_points

    def entry_points(**kwargs: str) -> object:
        found = list(real(**kwargs))
        if kwargs.get("group") == "csbridge":
            found.append(metadata.EntryPoint("ghost", "csbridge_ghost_plugin_that_is_not_there", "csbridge"))
        return found

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    host = load_plugins()
    ghost = [p for p in host.plugins if p.name == "ghost"]
    assert ghost and "ModuleNotFoundError" in ghost[0].error
    assert {"zendesk", "freshdesk", "email_imap"} <= set(host.adapters)


def test_duplicate_adapter_name_is_refused() -> None:
    host = load_plugins()
    info = host.register(_plugin("dup", register_adapters=lambda register: register(_Adapter("zendesk"))), "dup")
    assert "already registered" in info.error


def test_every_hook_is_documented() -> None:
    from csbridge import hookspecs

    for name in ("register_adapters", "register_standards", "finding_made", "action_written"):
        assert (getattr(hookspecs, name).__doc__ or "").strip(), name


def test_evaluate_needs_no_adapter_stack() -> None:
    """``csbridge evaluate`` loads standards only: adapter plugins import nothing heavy."""
    code = ("import sys; from csbridge.plugins import load_plugins; host = load_plugins(adapters=False); "
            "print(sorted(host.standards), sorted(host.adapters), 'requests' in sys.modules, "
            "'imapclient' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['courtesy', 'follow_up', 'response_time'] [] False False"
