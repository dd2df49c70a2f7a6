"""The adapter contract: what the core asks of every helpdesk connection.

Adapters translate between one helpdesk API and csbridge's models, nothing more:
scheduling, state, idempotency and the standards belong to the core. An adapter
class is registered by name through the ``register_adapters`` hook; each
``[sources.NAME]`` table of the config creates one instance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol, runtime_checkable

from csbridge.config import Option, SourceConfig
from csbridge.models import Note, Reminder, Ticket
from csbridge.secrets import Secret

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Skipped:
    """A ticket the adapter could not read; logged by the core, the cycle goes on."""

    ticket_id: str
    reason: str


@dataclass(frozen=True)
class Page:
    """One step of reading changes.

    ``cursor`` is where the next read resumes; the core stores it in the same
    transaction as the findings of ``tickets``, so it must only move past tickets
    that are in this page (or skipped). ``backlog`` is the adapter's estimate of
    changed tickets still to read, or ``None`` when it cannot tell.
    """

    tickets: Sequence[Ticket]
    cursor: str
    skipped: Sequence[Skipped] = ()
    backlog: int | None = None
    done: bool = False


@dataclass(frozen=True)
class WriteResult:
    """The outcome of writing one note or reminder, by its marker.

    ``ok`` False with ``retry`` True: try again in a later cycle. ``retry`` False:
    the ticket cannot take it (deleted, closed); the core gives up and says so.
    """

    marker: str
    ok: bool
    error: str = ""
    retry: bool = True


@dataclass
class RequestStats:
    """Requests an adapter made, by endpoint, for ``csbridge status`` and metrics."""

    requests: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0

    def count(self, endpoint: str) -> None:
        self.requests[endpoint] = self.requests.get(endpoint, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.requests.values())


@runtime_checkable
class Adapter(Protocol):
    """One connected helpdesk account.

    Every method raises :class:`~csbridge.errors.AdapterError` (or its
    :class:`~csbridge.errors.AuthError`) for failures it could not recover from
    after its own bounded retries; vendor errors never leave the adapter.
    """

    stats: RequestStats

    def fetch_changes(self, cursor: str | None) -> Iterator[Page]:
        """Yield pages of tickets changed since ``cursor`` (``None``: first run).

        Each ticket comes with every message, oldest first; csbridge's own notes
        are included with ``from_csbridge=True``. Deleted tickets are left out.
        """
        ...

    def post_notes(self, notes: Sequence[Note]) -> list[WriteResult]:
        """Write each note as an internal note, invisible to the customer, and add
        its tags without removing any tag the ticket has. One result per note."""
        ...

    def deliver_reminders(self, reminders: Sequence[Reminder]) -> list[WriteResult]:
        """Deliver each reminder to its agent only (never to a customer)."""
        ...

    def written_markers(self, ticket_id: str) -> set[str]:
        """The markers of csbridge notes and reminders already on the ticket, read
        fresh from the helpdesk: how the core reconciles writes after a crash."""
        ...

    def check_access(self) -> str:
        """Make one cheap authenticated request proving the source is reachable with
        the permissions csbridge needs (read tickets, write private notes); return a
        one-line description (account, user, role). Raises ``AuthError`` or
        ``AdapterError`` otherwise. Used by ``csbridge doctor``."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class AdapterFactory(Protocol):
    """What a plugin registers: a named adapter class.

    ``options`` lists the keys its ``[sources.NAME]`` table accepts (besides
    ``adapter`` and ``enabled``). ``create`` builds a connected adapter and raises
    :class:`~csbridge.errors.ConfigError` (through ``source.error``) for option
    values it cannot use.
    """

    name: ClassVar[str]
    options: ClassVar[Mapping[str, Option]]
    needs_secret: ClassVar[bool]

    @classmethod
    def create(cls, source: SourceConfig, secret: Secret | None, clock: Clock) -> Adapter: ...
