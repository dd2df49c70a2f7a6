"""Secrets from the OS keyring, with an environment-variable fallback.

The keyring entry is service ``csbridge``, user = the source name. The fallback is
``CSBRIDGE_<SOURCE>_TOKEN`` (source name upper-cased, ``-`` as ``_``). A
:class:`Secret` never shows its value in ``repr``, ``str`` or logs.
"""

from __future__ import annotations

import os

from csbridge.errors import CredentialError

SERVICE = "csbridge"


class Secret:
    """A secret value; call :meth:`reveal` only where it is sent to the API."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def env_name(source: str) -> str:
    """The environment variable that may hold ``source``'s secret."""
    return f"CSBRIDGE_{source.upper().replace('-', '_')}_TOKEN"


def get_secret(source: str) -> Secret:
    """The secret of ``source``: the keyring first, then the environment.

    Raises :class:`CredentialError` naming both ways to set it when neither has it.
    """
    value = os.environ.get(env_name(source)) or _from_keyring(source)
    if not value:
        raise CredentialError(
            f"no secret for source {source!r}: run 'csbridge credentials set {source}' "
            f"or set the environment variable {env_name(source)}"
        )
    from csbridge.logs import register_secret

    register_secret(value)
    return Secret(value)


def set_secret(source: str, value: str) -> None:
    """Store ``value`` in the OS keyring for ``source``."""
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, source, value)
    except KeyringError as exc:
        raise CredentialError(
            f"cannot store the secret of {source!r} in the OS keyring ({type(exc).__name__}); "
            f"set the environment variable {env_name(source)} instead"
        ) from None


def _from_keyring(source: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    try:
        return keyring.get_password(SERVICE, source)
    except (KeyringError, RuntimeError):
        return None
