"""Throw-away mail servers on loopback for tests and benchmarks.

:class:`DovecotServer` runs a real Dovecot (``dovecot -F -c CONF``) with a config,
maildir and passwd-file in its own temporary directory, listening on a free
loopback port. :class:`SmtpSink` is an aiosmtpd server that collects every
message it receives. Both are context managers; neither sleeps a fixed time:
Dovecot is waited for by polling a connect with a deadline.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from imapclient import IMAPClient

HOST = "127.0.0.1"


class DovecotMissing(RuntimeError):
    """Dovecot is not installed: the mail tests cannot run (they fail, never skip)."""


def free_port() -> int:
    """A TCP port on loopback that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, deadline: float, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll a connect to ``HOST:port`` until it answers; raise RuntimeError at ``deadline``
    (a ``time.monotonic()`` value) or when ``process`` exits first."""
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode} before listening")
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answered on {HOST}:{port} in time") from None
            time.sleep(0.02)  # polling interval while waiting for the socket, not a fixed wait


def find_dovecot() -> str:
    """The path of the ``dovecot`` binary; raise :class:`DovecotMissing` with how to install it."""
    path = shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )
    if not path:
        raise DovecotMissing(
            "Dovecot is not installed, so the IMAP tests cannot run: install it with "
            "'apt-get install dovecot-imapd' (scripts/test does this in CI)"
        )
    return path


def _unprivileged_user() -> pwd.struct_passwd:
    """Dovecot refuses to run login and mail processes as root; use ``nobody`` then."""
    me = pwd.getpwuid(os.getuid())
    if me.pw_uid != 0:
        return me
    for name in ("dovenull", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root but no unprivileged user (nobody) exists for Dovecot")


@dataclass
class DovecotServer:
    """A running Dovecot on ``HOST:port`` with one mailbox user.

    ``special_use`` announces ``\\Sent`` on the ``Sent`` folder (Dovecot does this
    only when configured). ``keywords=False`` takes away the right to set flags
    and keywords (ACL ``w``) in every folder but ``csbridge``, the way a
    locked-down server refuses keywords. Use as a context manager, or call :meth:`start` and
    :meth:`stop`.
    """

    username: str = "support"
    password: str = "s3cret-pass"
    special_use: bool = True
    keywords: bool = True
    port: int = 0
    root: Path = field(default_factory=Path)
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> DovecotServer:
        """Write the config, start Dovecot and wait until the port answers."""
        binary = find_dovecot()
        me = pwd.getpwuid(os.getuid())
        mail_user = _unprivileged_user()
        self.root = Path(tempfile.mkdtemp(prefix="csbridge-dovecot-"))
        self.root.chmod(0o755)
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir()
        for sub in ("mail", "home"):
            os.chown(self.root / sub, mail_user.pw_uid, mail_user.pw_gid)
        passwd = self.root / "passwd"
        passwd.write_text(f"{self.username}:{{PLAIN}}{self.password}\n", encoding="utf-8")
        self.port = free_port()
        conf = self.root / "dovecot.conf"
        text = self._config(me, mail_user)
        if not self.keywords:
            acl = self.root / "global-acl"
            acl.write_text(f"* user={self.username} lrstipekxa\ncsbridge user={self.username} lrwstipekxa\n",
                           encoding="utf-8")
            text += (
                "mail_plugins = $mail_plugins acl\nprotocol imap {\n  mail_plugins = $mail_plugins imap_acl\n}\n"
                f"plugin {{\n  acl = vfile:{acl}\n}}\n"
            )
        conf.write_text(text, encoding="utf-8")
        log = (self.root / "stderr.log").open("wb")
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_for_port(self.port, time.monotonic() + timeout, self.process)
        except RuntimeError as exc:
            text = self.log_text()
            self.stop()
            raise RuntimeError(f"Dovecot did not start: {exc}\n{text}") from None
        return self

    def _config(self, me: pwd.struct_passwd, mail_user: pwd.struct_passwd) -> str:
        root = self.root
        sent = "    special_use = \\Sent\n" if self.special_use else ""
        return f"""
protocols = imap
listen = {HOST}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {me.pw_name}
default_internal_group = {_group_name(me.pw_gid)}
default_login_user = {mail_user.pw_name if me.pw_uid == 0 else me.pw_name}
mail_location = maildir:{root}/mail/%u
mail_fsync = never
first_valid_uid = {mail_user.pw_uid}
first_valid_gid = {mail_user.pw_gid}
mail_max_userip_connections = 200
imap_max_line_length = 256k
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = {HOST}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    auto = create
{sent}  }}
}}
"""

    def log_text(self) -> str:
        """Dovecot's log so far (for failure messages)."""
        parts = []
        for name in ("stderr.log", "dovecot.log"):
            path = self.root / name
            if path.exists():
                parts.append(path.read_text(encoding="utf-8", errors="replace")[-4000:])
        return "\n".join(parts)

    def client(self) -> IMAPClient:
        """A new logged-in IMAPClient on this server."""
        client = IMAPClient(HOST, self.port, ssl=False, timeout=30)
        client.login(self.username, self.password)
        return client

    def append(self, folder: str, messages: list[bytes], flags: tuple[bytes, ...] = ()) -> None:
        """Deliver ``messages`` into ``folder`` (created if missing) with APPEND."""
        client = self.client()
        try:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for start in range(0, len(messages), 200):
                batch = messages[start : start + 200]
                client.multiappend(folder, [{"msg": m, "flags": flags} for m in batch])
        finally:
            client.logout()

    def recreate_folder(self, folder: str) -> None:
        """Give ``folder`` a new UIDVALIDITY with the same messages under new UIDs, the
        way a server restore or migration does: delete and create it again (INBOX,
        which cannot be deleted, is emptied and renumbered with ``doveadm``)."""
        client = self.client()
        try:
            status = client.folder_status(folder, [b"UIDVALIDITY"])
            client.select_folder(folder)
            uids = client.search("ALL")
            fetched = client.fetch(uids, ["BODY.PEEK[]", "FLAGS"]) if uids else {}
            if folder.upper() == "INBOX":
                if uids:
                    client.delete_messages(uids)
                    client.expunge()
                client.unselect_folder()
                validity = int(status[b"UIDVALIDITY"]) + 1000
                subprocess.run(
                    ["doveadm", "-c", str(self.root / "dovecot.conf"), "mailbox", "update", "-u", self.username,
                     "--uid-validity", str(validity), folder],
                    check=True, capture_output=True,
                )
            else:
                client.unselect_folder()
                client.delete_folder(folder)
                client.create_folder(folder)
            for uid in sorted(fetched):
                flags = tuple(f for f in fetched[uid][b"FLAGS"] if f != b"\\Recent")
                client.append(folder, fetched[uid][b"BODY[]"], flags=flags)
        finally:
            client.logout()

    def stop(self) -> None:
        """Stop Dovecot (its whole process group) and remove its directory."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        if self.root and self.root != Path() and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


@dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP sink accepted: envelope and raw content."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    received_at: datetime


class SmtpSink:
    """An aiosmtpd server on a free loopback port; ``messages`` collects what it receives."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.port = free_port()
        self._controller: Any = None

    def start(self) -> SmtpSink:
        """Start the server thread and return once it accepts connections."""
        from aiosmtpd.controller import Controller

        sink = self

        class _Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append(
                    ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.content), datetime.now())
                )
                return "250 OK"

        self._controller = Controller(_Handler(), hostname=HOST, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop the server thread."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
