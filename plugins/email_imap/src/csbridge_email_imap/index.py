"""What the adapter knows of the mailbox: per folder UIDVALIDITY, UIDNEXT,
HIGHESTMODSEQ and every message's headers and flags, kept in step with the
server at the cost of a STATUS per folder when nothing changed.

Messages are identified across UIDVALIDITY changes by Message-ID; UIDs only
address them on the server. ``changed`` on a record is the MODSEQ at which
something that matters for judging happened (arrival, \\Answered or \\Deleted);
csbridge's own keywords and \\Seen do not count.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from csbridge_email_imap.imapio import ImapSession
from csbridge_email_imap.mailparse import MailHeaders, MalformedMail, parse_headers

log = logging.getLogger(__name__)
RELEVANT_FLAGS = frozenset({b"\\Answered", b"\\Deleted"})
HEADER_ITEM = "BODY.PEEK[HEADER]"
MAX_REMOVED = 10_000


@dataclass
class Record:
    """One message of one folder. ``text`` is its stripped body once read;
    ``malformed`` says why it is skipped; ``ticket`` is its last computed ticket id."""

    folder: str
    uid: int
    headers: MailHeaders | None
    flags: frozenset[bytes] = frozenset()
    changed: int = 0
    text: str | None = None
    malformed: str | None = None
    ticket: str | None = None


@dataclass
class FolderState:
    """One folder as last seen; ``removed`` lists (modseq, ticket id) of messages that went away."""

    uidvalidity: int = 0
    uidnext: int = 1
    highestmodseq: int = 0
    messages: int = 0
    records: dict[int, Record] = field(default_factory=dict)
    removed: list[tuple[int, str]] = field(default_factory=list)


class MailIndex:
    """The folders' states; :meth:`sync` brings one folder up to date."""

    def __init__(self, session: ImapSession) -> None:
        self.session = session
        self.folders: dict[str, FolderState] = {}
        self.malformed_log: list[tuple[str, int, str]] = []

    def sync(self, folder: str) -> bool:
        """Bring ``folder`` up to date; True when anything changed. A missing folder
        counts as empty."""
        session = self.session
        status = session.status(folder)
        state = self.folders.get(folder)
        if status is None:
            if state is not None:
                self._drop(folder, state, state.highestmodseq + 1)
                del self.folders[folder]
                return True
            return False
        if state is not None and (state.uidvalidity, state.uidnext, state.highestmodseq, state.messages) == (
            status.uidvalidity, status.uidnext, status.highestmodseq, status.messages
        ):
            return False
        session.select(folder, readonly=True)
        if state is None or state.uidvalidity != status.uidvalidity:
            fresh = FolderState()
            if state is not None:
                log.info("folder %s: UIDVALIDITY changed (%d -> %d); reading it again", folder, state.uidvalidity,
                         status.uidvalidity)
                fresh.removed = state.removed
                self._drop(folder, state, status.highestmodseq)
            state = fresh
            self.folders[folder] = state
            self._load(folder, state, session.search(["ALL"]), status.highestmodseq)
        else:
            new = []
            if status.uidnext != state.uidnext:
                new = [u for u in session.search(["UID", f"{state.uidnext}:*"]) if u >= state.uidnext]
            if status.highestmodseq and status.highestmodseq != state.highestmodseq:
                self._flag_changes(folder, state, new)
            self._load(folder, state, new, status.highestmodseq)
            if len(state.records) != status.messages:
                present = set(session.search(["ALL"]))
                gone = [uid for uid in state.records if uid not in present]
                for uid in gone:
                    record = state.records.pop(uid)
                    if record.ticket:
                        state.removed.append((status.highestmodseq, record.ticket))
        del state.removed[:-MAX_REMOVED]  # older removals are forgotten: a ticket that only lost a message may then go unnoticed
        state.uidvalidity, state.uidnext = status.uidvalidity, status.uidnext
        state.highestmodseq, state.messages = status.highestmodseq, status.messages
        return True

    def _drop(self, folder: str, state: FolderState, modseq: int) -> None:
        for record in state.records.values():
            if record.ticket:
                state.removed.append((modseq, record.ticket))

    def _flag_changes(self, folder: str, state: FolderState, new: list[int]) -> None:
        changed = [u for u in self.session.search(["MODSEQ", str(state.highestmodseq + 1)]) if u in state.records]
        if not changed:
            return
        for uid, data in self.session.fetch(changed, ["FLAGS", "MODSEQ"]).items():
            record = state.records.get(uid)
            if record is None:
                continue
            flags = frozenset(data.get(b"FLAGS", ()))
            if (flags ^ record.flags) & RELEVANT_FLAGS:
                record.changed = _modseq(data)
            record.flags = flags

    def _load(self, folder: str, state: FolderState, uids: list[int], modseq: int) -> None:
        if not uids:
            return
        items = ["FLAGS", HEADER_ITEM] + (["MODSEQ"] if modseq else [])
        for uid, data in self.session.fetch(uids, items).items():
            raw = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
            record = Record(folder, uid, None, frozenset(data.get(b"FLAGS", ())), _modseq(data) or modseq)
            try:
                record.headers = parse_headers(raw)
            except MalformedMail as exc:
                self.mark_malformed(record, str(exc))
            state.records[uid] = record

    def mark_malformed(self, record: Record, reason: str) -> None:
        """Skip ``record`` from now on, logged once with its folder and UID."""
        record.malformed = reason
        self.malformed_log.append((record.folder, record.uid, reason))
        log.warning("folder %s UID %d: malformed message skipped: %s", record.folder, record.uid, reason)

    def records(self) -> list[Record]:
        """Every readable record of every folder."""
        return [r for s in self.folders.values() for r in s.records.values() if r.malformed is None]


def _modseq(data: dict[bytes, object]) -> int:
    value = data.get(b"MODSEQ")
    if isinstance(value, tuple | list) and value:
        return int(value[0])
    return int(value) if isinstance(value, int) else 0
