"""The plugin host: loads entry points of group ``csbridge`` and the built-in plugins.

A plugin that fails to import or to register is recorded with the reason and
left out; the others keep working. ``CSBRIDGE_LOAD_PLUGINS`` (comma-separated
entry-point names, empty for none) limits which installed plugins load.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import Any

import pluggy

from csbridge import hookspecs
from csbridge.config import Option

log = logging.getLogger(__name__)

GROUP = "csbridge"
DEFAULT_PLUGINS = (
    "csbridge.standards.response_time",
    "csbridge.standards.courtesy",
    "csbridge.standards.follow_up",
)


@dataclass(frozen=True)
class PluginInfo:
    """One plugin: where it came from and what it registered, or why it failed."""

    name: str
    distribution: str
    version: str
    adapters: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()
    error: str = ""


@dataclass
class PluginHost:
    """Everything the loaded plugins registered.

    ``adapters`` maps an adapter name to its class, ``standards`` a standard name
    to the standard object; ``plugins`` lists every plugin tried, failures too.
    """

    pm: pluggy.PluginManager
    adapters: dict[str, Any] = field(default_factory=dict)
    standards: dict[str, Any] = field(default_factory=dict)
    simulators: dict[str, Any] = field(default_factory=dict)
    plugins: list[PluginInfo] = field(default_factory=list)

    @property
    def adapter_options(self) -> Mapping[str, Mapping[str, Option]]:
        """Adapter name to the options its sources accept (for config validation)."""
        return {name: cls.options for name, cls in self.adapters.items()}

    @property
    def extra_standards(self) -> frozenset[str]:
        """Names of standards registered beyond the built-in three."""
        return frozenset(self.standards) - {"response_time", "courtesy", "follow_up"}

    def failed(self) -> list[PluginInfo]:
        return [p for p in self.plugins if p.error]

    def register(self, plugin: ModuleType | object, name: str, distribution: str = "", version: str = "",
                 adapters: bool = True) -> PluginInfo:
        """Register one plugin object and collect what it registers (without its
        adapters and simulators when ``adapters`` is False).

        Failures are recorded in the returned :class:`PluginInfo` (and in
        ``plugins``), never raised.
        """
        try:
            self.pm.register(plugin, name=name)
            found: dict[str, Any] = {}
            standards: dict[str, Any] = {}
            simulators: dict[str, Any] = {}
            if adapters:
                _call(self.pm, name, "register_adapters", lambda cls: _add(found, cls.name, cls, self.adapters))
                _call(self.pm, name, "register_simulators",
                      lambda sim: _add(simulators, sim.name, sim, self.simulators))
            _call(self.pm, name, "register_standards", lambda std: _add(standards, std.name, std, self.standards))
        except Exception as exc:  # a broken plugin must not stop the others
            if self.pm.is_registered(plugin):
                self.pm.unregister(plugin)
            info = PluginInfo(name, distribution, version, error=f"{type(exc).__name__}: {exc}")
            log.warning("plugin %s failed to load: %s", name, info.error)
        else:
            self.adapters.update(found)
            self.standards.update(standards)
            self.simulators.update(simulators)
            info = PluginInfo(name, distribution, version, tuple(found), tuple(standards))
        self.plugins.append(info)
        return info

    def unregister(self, name: str) -> None:
        """Remove a plugin and what it registered (used by tests)."""
        plugin = self.pm.get_plugin(name)
        if plugin is not None:
            self.pm.unregister(plugin)
        for info in [p for p in self.plugins if p.name == name]:
            for adapter in info.adapters:
                self.adapters.pop(adapter, None)
            for standard in info.standards:
                self.standards.pop(standard, None)
            self.plugins.remove(info)


def _add(target: dict[str, Any], name: str, obj: Any, existing: Mapping[str, Any]) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"registered {obj!r} has no name")
    if name in existing or name in target:
        raise ValueError(f"{name!r} is already registered by another plugin")
    target[name] = obj


def _call(pm: pluggy.PluginManager, plugin_name: str, hook: str, register: Any) -> None:
    """Call one plugin's implementation of a register hook only, so that one
    plugin's failure cannot hide another's registrations."""
    plugin = pm.get_plugin(plugin_name)
    for impl in getattr(pm.hook, hook).get_hookimpls():
        if impl.plugin is plugin:
            impl.function(register=register)


def _entry_points() -> Iterable[metadata.EntryPoint]:
    selected = os.environ.get("CSBRIDGE_LOAD_PLUGINS")
    for ep in metadata.entry_points(group=GROUP):
        if selected is None or ep.name in {s.strip() for s in selected.split(",") if s.strip()}:
            yield ep


def load_plugins(adapters: bool = True) -> PluginHost:
    """Build the plugin host: the hook specifications, the built-in standards and
    every installed plugin of entry-point group ``csbridge``. With ``adapters``
    False only standards are registered (what ``csbridge evaluate`` needs), so
    adapter plugins do not import their HTTP and IMAP stacks."""
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    host = PluginHost(pm)
    from csbridge import __version__

    for module_name in DEFAULT_PLUGINS:
        host.register(importlib.import_module(module_name), module_name, "csbridge", __version__)
    for ep in _entry_points():
        dist = ep.dist.name if ep.dist else ""
        version = ep.dist.version if ep.dist else ""
        try:
            plugin = ep.load()
        except Exception as exc:  # reported by name, others go on
            info = PluginInfo(ep.name, dist, version, error=f"{type(exc).__name__}: {exc}")
            log.warning("plugin %s failed to load: %s", ep.name, info.error)
            host.plugins.append(info)
            continue
        host.register(plugin, ep.name, dist, version, adapters)
    if adapters:
        pm.check_pending()
    return host
