"""The hooks csbridge plugins implement.

Hooks only register things and announce events; the work goes through typed
methods on the registered objects (see :mod:`csbridge.adapter` and
:mod:`csbridge.standards`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from csbridge.models import Finding, Note, Reminder

hookspec = pluggy.HookspecMarker("csbridge")
hookimpl = pluggy.HookimplMarker("csbridge")


@hookspec
def register_adapters(register: Callable[[Any], None]) -> None:
    """Register adapter classes: call ``register(AdapterClass)`` for each.

    An adapter class follows :class:`csbridge.adapter.AdapterFactory`: a unique
    ``name`` that sources name in the config, the ``options`` it accepts, and
    ``create()``. Registering a name twice is an error reported for the plugin.
    """


@hookspec
def register_standards(register: Callable[[Any], None]) -> None:
    """Register standards: call ``register(standard)`` for each.

    A standard follows :class:`csbridge.standards.Standard`: a unique ``name``
    that is also its ``[standards.NAME]`` section in the config, and
    ``configure(book)`` returning the pure check run on every ticket. The three
    built-in standards are registered through this hook too.
    """


@hookspec
def finding_made(finding: Finding) -> None:
    """Announced once for each new finding the daemon stores. Observers must not
    raise; an exception is logged and ignored."""


@hookspec
def action_written(action: Note | Reminder, ok: bool, error: str) -> None:
    """Announced after the daemon wrote (or failed to write) a note or reminder."""


@hookspec
def register_simulators(register: Callable[[Any], None]) -> None:
    """Register local simulators of a helpdesk API for ``csbridge demo`` and the
    benchmarks: call ``register(simulator)`` for each.

    A simulator follows :class:`csbridge.demo.DemoHelpdesk`: ``name`` is the
    adapter it simulates, ``start()`` seeds and serves it on loopback and returns
    the source options and secret that point the adapter at it.
    """
