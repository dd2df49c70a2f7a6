"""IMAP I/O: one logged-in IMAPClient connection, every command counted by name.

Vendor errors are mapped at this edge: a refused login is an
:class:`~csbridge.errors.AuthError`, anything else an
:class:`~csbridge.errors.AdapterError`. A dropped connection is reopened once
(re-selecting the folder) before giving up. The password never appears in an
error or log line.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from csbridge.adapter import RequestStats
from csbridge.errors import AdapterError, AuthError
from csbridge_email_imap.settings import ImapSettings

log = logging.getLogger(__name__)
T = TypeVar("T")
CHUNK = 500
_APPENDUID = re.compile(rb"APPENDUID \d+ (\d+)")


@dataclass(frozen=True)
class FolderStatus:
    """What STATUS says of a folder; ``highestmodseq`` is 0 without CONDSTORE."""

    uidvalidity: int
    uidnext: int
    highestmodseq: int
    messages: int


class ImapSession:
    """A connection to one mailbox. Methods raise AdapterError/AuthError only."""

    def __init__(self, settings: ImapSettings, password: str, stats: RequestStats, timeout: float = 60.0) -> None:
        self.settings = settings
        self._password = password
        self.stats = stats
        self.timeout = timeout
        self.client: IMAPClient | None = None
        self.capabilities: frozenset[bytes] = frozenset()
        self.selected: tuple[str, bool] | None = None
        self.permanent_flags: tuple[bytes, ...] = ()
        self.idle_started = threading.Event()  # set while IDLE is on (tests wait on it)

    def __repr__(self) -> str:
        return f"ImapSession({self.settings.username}@{self.settings.host}:{self.settings.port})"

    # -- connection -------------------------------------------------------------------

    def connect(self) -> None:
        """Open and log in (TLS, STARTTLS or plain as configured)."""
        s = self.settings
        try:
            context = ssl.create_default_context()
            client = IMAPClient(s.host, s.port, ssl=s.security == "tls", ssl_context=context, timeout=self.timeout)
            if s.security == "starttls":
                self.stats.count("STARTTLS")
                client.starttls(context)
            self.stats.count("LOGIN")
            client.login(s.username, self._password)
            self.stats.count("CAPABILITY")
            self.capabilities = frozenset(client.capabilities())
        except LoginError:
            raise AuthError(f"the IMAP server {s.host} refused the login of {s.username!r}") from None
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
            raise AdapterError(f"cannot connect to the IMAP server {s.host}:{s.port} ({_reason(exc)})") from None
        self.client = client
        self.selected = None

    def close(self) -> None:
        """Log out; errors while closing are ignored."""
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.logout()
        self.client = None
        self.selected = None

    def has(self, capability: str) -> bool:
        """True when the server announced ``capability``."""
        return capability.encode().upper() in self.capabilities

    def _run(self, name: str, call: Callable[[IMAPClient], T]) -> T:
        for attempt in (1, 2):
            if self.client is None:
                self.connect()
                if self.selected is not None:
                    folder, readonly = self.selected
                    self.selected = None
                    self.select(folder, readonly)
            assert self.client is not None
            self.stats.count(name)
            try:
                return call(self.client)
            except (OSError, imaplib.IMAP4.abort) as exc:
                self.client = None
                if attempt == 2:
                    raise AdapterError(f"IMAP {name} failed: connection lost ({_reason(exc)})") from None
                log.info("IMAP connection lost during %s; reconnecting once", name)
            except imaplib.IMAP4.error as exc:
                raise AdapterError(f"IMAP {name} failed: {_reason(exc)}") from None
        raise AssertionError("unreachable")

    # -- commands ---------------------------------------------------------------------

    def status(self, folder: str) -> FolderStatus | None:
        """STATUS of ``folder``, or ``None`` when it does not exist."""
        items = [b"UIDVALIDITY", b"UIDNEXT", b"MESSAGES"]
        if self.has("CONDSTORE"):
            items.append(b"HIGHESTMODSEQ")
        try:
            data = self._run("STATUS", lambda c: c.folder_status(folder, items))
        except AdapterError as exc:
            text = str(exc).lower()
            if "nonexistent" in text or "exist" in text or "unknown mailbox" in text:
                return None
            raise
        return FolderStatus(
            int(data[b"UIDVALIDITY"]), int(data[b"UIDNEXT"]), int(data.get(b"HIGHESTMODSEQ", 0)), int(data[b"MESSAGES"])
        )

    def select(self, folder: str, readonly: bool = True) -> dict[bytes, Any]:
        """SELECT (or EXAMINE when ``readonly``) ``folder``; skipped when already selected so."""
        if self.selected == (folder, readonly) and self.client is not None:
            return {}
        name = "EXAMINE" if readonly else "SELECT"
        info: dict[bytes, Any] = self._run(name, lambda c: c.select_folder(folder, readonly=readonly))
        self.selected = (folder, readonly)
        self.permanent_flags = tuple(info.get(b"PERMANENTFLAGS", ()))
        return info

    def unselect(self) -> None:
        """Leave the selected folder (STATUS of a selected folder may be stale)."""
        if self.selected is None or self.client is None:
            return
        if self.has("UNSELECT"):
            self._run("UNSELECT", lambda c: c.unselect_folder())
        else:
            self._run("CLOSE", lambda c: c.close_folder())
        self.selected = None

    def search(self, criteria: Sequence[str | bytes]) -> list[int]:
        """UID SEARCH in the selected folder."""
        return [int(u) for u in self._run("SEARCH", lambda c: c.search(list(criteria)))]

    def fetch(self, uids: Iterable[int], items: Sequence[str]) -> dict[int, dict[bytes, Any]]:
        """UID FETCH ``items`` of ``uids`` in the selected folder, in chunks of CHUNK."""
        ordered = sorted(set(uids))
        result: dict[int, dict[bytes, Any]] = {}
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            result.update(self._run("FETCH", lambda c, chunk=chunk: c.fetch(chunk, list(items))))  # type: ignore[misc]
        return result

    def append(self, folder: str, raw: bytes, flags: Sequence[bytes] = ()) -> int | None:
        """APPEND ``raw`` to ``folder``; the new UID when the server says (UIDPLUS)."""
        answer = self._run("APPEND", lambda c: c.append(folder, raw, flags=tuple(flags)))
        match = _APPENDUID.search(answer if isinstance(answer, bytes) else str(answer).encode())
        return int(match.group(1)) if match else None

    def add_flags(self, uids: Sequence[int], flags: Sequence[bytes]) -> None:
        """UID STORE +FLAGS.SILENT in the selected folder."""
        self._run("STORE", lambda c: c.add_flags(list(uids), list(flags), silent=True))

    def create(self, folder: str) -> None:
        """CREATE ``folder``."""
        self._run("CREATE", lambda c: c.create_folder(folder))

    def list_folders(self) -> list[tuple[tuple[bytes, ...], str]]:
        """LIST "" "*": (flags, name) of every folder."""
        rows = self._run("LIST", lambda c: c.list_folders())
        return [(tuple(flags), name) for flags, _delim, name in rows]

    def idle(self, folder: str, timeout: float) -> bool:
        """IDLE on ``folder`` up to ``timeout`` seconds; True when the server reported a change."""
        self.select(folder, readonly=True)

        def wait(c: IMAPClient) -> bool:
            c.idle()
            self.idle_started.set()
            try:
                responses = c.idle_check(timeout=timeout)
            finally:
                self.idle_started.clear()
                c.idle_done()
            return any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"EXPUNGE", b"FETCH")
                       for r in responses)

        return self._run("IDLE", wait)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    text = str(exc) or type(exc).__name__
    return text[:200]
