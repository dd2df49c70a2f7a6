"""Domain errors. The CLI prints any :class:`CsbridgeError` as one line, no traceback."""

from __future__ import annotations


class CsbridgeError(Exception):
    """An error the user should see as one clear line."""


class ConfigError(CsbridgeError):
    """The config file is invalid. The message names the file, line, key path and problem."""

    def __init__(self, problem: str, *, file: str = "", key: str = "", line: int | None = None) -> None:
        self.problem = problem
        self.file = file
        self.key = key
        self.line = line
        where = file
        if file and line:
            where = f"{file}:{line}"
        parts = [p for p in (where, key, problem) if p]
        super().__init__(": ".join(parts))


class CredentialError(CsbridgeError):
    """A source's secret is missing or unusable. Never carries the secret itself."""


class AdapterError(CsbridgeError):
    """A helpdesk API failed in a way the adapter could not recover from.

    ``ticket_id`` names the ticket concerned where there is one; ``retry`` says
    whether trying again in a later cycle may succeed.
    """

    def __init__(self, message: str, *, ticket_id: str | None = None, retry: bool = True) -> None:
        self.ticket_id = ticket_id
        self.retry = retry
        super().__init__(f"ticket {ticket_id}: {message}" if ticket_id else message)


class AuthError(AdapterError):
    """The helpdesk refused the credentials (401/403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retry=False)


class TicketError(CsbridgeError):
    """One ticket could not be read or built; the cycle logs it and goes on."""
