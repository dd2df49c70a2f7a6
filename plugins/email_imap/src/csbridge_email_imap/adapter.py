"""The ``email_imap`` adapter: a shared support mailbox as csbridge tickets.

Reading: per folder, STATUS is compared with what the adapter last saw
(UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, message count); only a changed folder is
searched and only new messages' headers are fetched. Messages are threaded into
conversations (:mod:`.threads`) and a changed conversation is yielded with every
message, bodies fetched once and kept. Writing: notes are appended to the notes
folder, tags become IMAP keywords, reminders go by SMTP to agents only.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from csbridge.adapter import Clock, Page, RequestStats, WriteResult
from csbridge.config import Option, SourceConfig
from csbridge.errors import AdapterError, CredentialError
from csbridge.models import Note, Person, Reminder, Role, Ticket
from csbridge.secrets import Secret
from csbridge_email_imap.imapio import ImapSession
from csbridge_email_imap.index import MailIndex, Record
from csbridge_email_imap.mailparse import MARKER_HEADER, TICKET_HEADER, MalformedMail, parse_body, parse_headers
from csbridge_email_imap.notes import note_mail, reminder_mail
from csbridge_email_imap.settings import OPTIONS, ImapSettings, parse_settings
from csbridge_email_imap.smtp import send_mail
from csbridge_email_imap.threads import ThreadItem, thread_ids
from csbridge_email_imap.tickets import build_ticket, load_stripper

log = logging.getLogger(__name__)
PAGE_SIZE = 100
MAX_KEYWORDS = 20
_ATOM = re.compile(r"[^A-Za-z0-9_]")


def keyword_for(tag: str) -> str:
    """The IMAP keyword of a csbridge tag: an atom starting with ``$csb``
    (``csb_first_reply`` -> ``$csb_first_reply``, ``csbridge`` -> ``$csbridge``)."""
    atom = _ATOM.sub("_", tag)[:40]
    return "$" + atom if atom.startswith("csb") else "$csb_" + atom


class ImapAdapter:
    """A connected support mailbox; see the module docstring for what it does."""

    name: ClassVar[str] = "email_imap"
    options: ClassVar[Mapping[str, Option]] = OPTIONS
    needs_secret: ClassVar[bool] = True

    def __init__(self, source: str, settings: ImapSettings, secret: Secret, clock: Clock) -> None:
        self.source = source
        self.settings = settings
        self._secret = secret
        self.clock = clock
        self.stats = RequestStats()
        self.session = ImapSession(settings, secret.reveal(), self.stats)
        self.index = MailIndex(self.session)
        self.sent_folder: str | None = None
        self._sent_resolved = False
        self._by_ticket: dict[str, list[Record]] = {}
        self._threaded = False
        self._strip = load_stripper()
        self._keywords_ok = True
        self._keywords_used: set[str] = set()
        self._notes_folder_ready = False

    def __repr__(self) -> str:
        return f"ImapAdapter({self.source!r}, {self.settings.username}@{self.settings.host})"

    @classmethod
    def create(cls, source: SourceConfig, secret: Secret | None, clock: Clock) -> ImapAdapter:
        """Validate the options, connect and log in. Raises ConfigError for bad
        options, CredentialError without a password, AuthError/AdapterError when
        the server refuses or cannot be reached."""
        settings = parse_settings(source)
        if secret is None:
            raise CredentialError(f"source {source.name!r} needs the IMAP password of {settings.username!r}")
        adapter = cls(source.name, settings, secret, clock)
        adapter.session.connect()
        return adapter

    # -- reading ------------------------------------------------------------------------

    @property
    def read_folders(self) -> list[str]:
        """Customer folders, the sent folder and the notes folder, each once."""
        self._resolve_sent()
        folders = list(self.settings.folders)
        for extra in (self.sent_folder, self.settings.notes_folder):
            if extra and extra not in folders:
                folders.append(extra)
        return folders

    def _resolve_sent(self) -> None:
        if self._sent_resolved:
            return
        self._sent_resolved = True
        if self.settings.sent_folder:
            self.sent_folder = self.settings.sent_folder
            return
        self.sent_folder = "Sent"
        if self.session.client is None:
            self.session.connect()
        if self.session.has("SPECIAL-USE"):
            for flags, name in self.session.list_folders():
                if b"\\Sent" in flags:
                    self.sent_folder = name
                    break

    def sync(self) -> bool:
        """Bring the index up to date with the server; True when anything changed."""
        changed = False
        self.session.unselect()
        for folder in self.read_folders:
            changed = self.index.sync(folder) or changed
        if changed or not self._threaded:
            self._rethread()
        return changed

    def _rethread(self) -> None:
        team = self.settings.team
        items = []
        records: dict[tuple[str, int], Record] = {}
        for record in self.index.records():
            h = record.headers
            if h is None:
                continue
            key = (record.folder, record.uid)
            records[key] = record
            people = frozenset({h.from_addr, *h.recipients}) - team
            from_team = h.from_addr in team or record.folder == self.sent_folder
            items.append(ThreadItem(key, h.message_id, h.parents, h.subject, people, h.date,
                                    note=record.folder == self.settings.notes_folder, from_team=from_team))
        by_ticket: dict[str, list[Record]] = defaultdict(list)
        for item_key, ticket in thread_ids(items, self.settings.thread_window).items():
            record = records[item_key]  # type: ignore[index]
            record.ticket = ticket
            by_ticket[ticket].append(record)
        self._by_ticket = dict(by_ticket)
        self._threaded = True

    def fetch_changes(self, cursor: str | None) -> Iterator[Page]:
        """Pages of the conversations changed since ``cursor`` (all of them when
        ``None``), each with every message. The cursor (JSON: per folder
        UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ) moves on the last page only."""
        previous = _load_cursor(cursor)
        self.sync()
        changed = sorted(self._changed_tickets(previous))
        new_cursor = self._cursor()
        if not changed:
            yield Page([], new_cursor, backlog=0, done=True)
            return
        now = self.clock()
        for start in range(0, len(changed), PAGE_SIZE):
            batch = changed[start : start + PAGE_SIZE]
            self._read_bodies(batch)
            tickets = [t for t in (self.ticket(tid, now) for tid in batch) if t is not None]
            last = start + PAGE_SIZE >= len(changed)
            yield Page(tickets, new_cursor if last else (cursor or ""), backlog=len(changed) - start - len(batch),
                       done=last)

    def ticket(self, ticket_id: str, now: datetime | None = None) -> Ticket | None:
        """The ticket ``ticket_id`` as last read (bodies must have been read), or ``None``."""
        records = self._by_ticket.get(ticket_id)
        if not records:
            return None
        return build_ticket(ticket_id, records, self.settings, self.source, now or self.clock(), self.sent_folder)

    def _changed_tickets(self, previous: dict[str, dict[str, int]] | None) -> set[str]:
        result: set[str] = set()
        for folder, state in self.index.folders.items():
            if folder == self.settings.notes_folder:
                continue  # csbridge's own notes never change what a ticket is judged on
            seen = (previous or {}).get(folder)
            fresh = seen is None or seen.get("uidvalidity") != state.uidvalidity
            uidnext = seen.get("uidnext", 0) if seen else 0
            modseq = seen.get("modseq", 0) if seen else 0
            for record in state.records.values():
                if record.ticket and record.malformed is None and (
                    fresh or record.uid >= uidnext or (modseq and record.changed > modseq)
                ):
                    result.add(record.ticket)
            for removed_at, ticket in state.removed:
                if fresh or removed_at > modseq:
                    result.add(ticket)
        return {t for t in result if t in self._by_ticket}

    def _cursor(self) -> str:
        folders = {
            name: {"uidvalidity": s.uidvalidity, "uidnext": s.uidnext, "modseq": s.highestmodseq}
            for name, s in sorted(self.index.folders.items())
        }
        return json.dumps({"v": 1, "folders": folders}, sort_keys=True)

    def _read_bodies(self, tickets: Sequence[str]) -> None:
        wanted: dict[str, list[Record]] = defaultdict(list)
        for ticket in tickets:
            for record in self._by_ticket.get(ticket, ()):
                if record.text is None and record.malformed is None:
                    wanted[record.folder].append(record)
        for folder, records in wanted.items():
            self.session.select(folder, readonly=True)
            data = self.session.fetch([r.uid for r in records], ["BODY.PEEK[]"])
            for record in records:
                raw = data.get(record.uid, {}).get(b"BODY[]")
                if raw is None:
                    record.text = ""
                    continue
                try:
                    text = parse_body(raw)
                except MalformedMail as exc:
                    self.index.mark_malformed(record, str(exc))
                    continue
                record.text = text if folder == self.settings.notes_folder else self._strip(text)

    # -- writing ------------------------------------------------------------------------

    def _ensure_read(self) -> None:
        if not self._threaded:
            self.sync()

    def _ensure_notes_folder(self) -> None:
        if self._notes_folder_ready:
            return
        if self.session.status(self.settings.notes_folder) is None:
            self.session.create(self.settings.notes_folder)
            log.info("created the notes folder %s", self.settings.notes_folder)
        self._notes_folder_ready = True

    def _conversation(self, ticket_id: str) -> list[Record]:
        records = [r for r in self._by_ticket.get(ticket_id, ()) if r.folder != self.settings.notes_folder]
        return sorted((r for r in records if r.headers), key=lambda r: r.headers.date)  # type: ignore[union-attr]

    def post_notes(self, notes: Sequence[Note]) -> list[WriteResult]:
        """Append each note to the notes folder, threaded under its conversation,
        then add its tags as keywords on the conversation's messages."""
        self._ensure_read()
        results: list[WriteResult] = []
        flags: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        now = self.clock()
        for note in notes:
            conversation = self._conversation(note.ticket_id)
            if not conversation:
                results.append(WriteResult(note.marker, False, f"ticket {note.ticket_id} is not in the mailbox",
                                           retry=False))
                continue
            references = list(dict.fromkeys(r.headers.message_id for r in conversation if r.headers))
            subject = conversation[0].headers.subject if conversation[0].headers else ""
            raw = note_mail(note, subject, references, self._sender(), now)
            try:
                self._ensure_notes_folder()
                self.session.append(self.settings.notes_folder, raw, [b"\\Seen"])
            except AdapterError as exc:
                results.append(WriteResult(note.marker, False, str(exc), retry=exc.retry))
                continue
            results.append(WriteResult(note.marker, True))
            keywords = self._keywords(note.tags)
            for record in conversation:
                if keywords:
                    flags[record.folder][record.uid] |= keywords
        self._store_keywords(flags)
        return results

    def _sender(self) -> str:
        if self.settings.smtp:
            return self.settings.smtp.sender
        if self.settings.support_addresses:
            return sorted(self.settings.support_addresses)[0]
        return self.settings.username if "@" in self.settings.username else "csbridge@localhost"

    def _keywords(self, tags: Sequence[str]) -> set[str]:
        if not self._keywords_ok:
            return set()
        wanted = {keyword_for(t) for t in tags}
        allowed = {k for k in wanted if k in self._keywords_used or len(self._keywords_used) < MAX_KEYWORDS}
        for keyword in sorted(allowed):
            if len(self._keywords_used) < MAX_KEYWORDS:
                self._keywords_used.add(keyword)
        if wanted - self._keywords_used:
            log.info("keyword limit (%d) reached; not storing %s", MAX_KEYWORDS,
                     ", ".join(sorted(wanted - self._keywords_used)))
        return wanted & self._keywords_used

    def _store_keywords(self, plan: Mapping[str, Mapping[int, set[str]]]) -> None:
        for folder, by_uid in plan.items():
            if not self._keywords_ok:
                return
            groups: dict[frozenset[str], list[int]] = defaultdict(list)
            for uid, wanted in by_uid.items():
                groups[frozenset(wanted)].append(uid)
            try:
                self.session.select(folder, readonly=False)
                permanent = set(self.session.permanent_flags)
                for keywords, uids in groups.items():
                    encoded = sorted(k.encode() for k in keywords)
                    if b"\\*" not in permanent and not set(encoded) <= permanent:
                        self._refuse_keywords(f"folder {folder} does not accept new keywords")
                        return
                    self.session.add_flags(uids, encoded)
                    for uid in uids:
                        record = self.index.folders[folder].records.get(uid) if folder in self.index.folders else None
                        if record is not None:
                            record.flags = record.flags | frozenset(encoded)
            except AdapterError as exc:
                self._refuse_keywords(str(exc))
                return
            finally:
                if self.session.selected == (folder, False):
                    self.session.select(folder, readonly=True)

    def _refuse_keywords(self, reason: str) -> None:
        if self._keywords_ok:
            log.warning("the IMAP server refuses keywords (%s); csbridge writes notes only", reason)
        self._keywords_ok = False

    def deliver_reminders(self, reminders: Sequence[Reminder]) -> list[WriteResult]:
        """E-mail each reminder to its agent's configured address; a reminder whose
        recipient is not a configured agent is refused (never sent to a customer).
        A copy is kept in the notes folder, where :meth:`written_markers` finds it."""
        results: list[WriteResult] = []
        smtp = self.settings.smtp
        now = self.clock()
        for reminder in reminders:
            address = self._agent_address(reminder.agent, reminder.ticket_id)
            if address is None:
                results.append(WriteResult(reminder.marker, False, "the reminder's recipient is not a configured "
                                           "agent; reminders go to agents only", retry=False))
                continue
            if smtp is None:
                results.append(WriteResult(reminder.marker, False, "no smtp table configured for reminders",
                                           retry=False))
                continue
            message = reminder_mail(reminder, address, smtp.sender, now)
            try:
                send_mail(smtp, message, address, self._secret.reveal() if smtp.username else None)
            except AdapterError as exc:
                results.append(WriteResult(reminder.marker, False, str(exc), retry=exc.retry))
                continue
            results.append(WriteResult(reminder.marker, True))
            try:
                self._ensure_notes_folder()
                self.session.append(self.settings.notes_folder, message.as_bytes(), [b"\\Seen"])
            except AdapterError as exc:
                log.warning("ticket %s: reminder sent but its copy was not kept: %s", reminder.ticket_id, exc)
        return results

    def _agent_address(self, agent: Person | None, ticket_id: str) -> str | None:
        agents = self.settings.agents
        if agent is not None:
            if agent.email.lower() in agents:
                return agent.email.lower()
            return next((a.email for a in agents.values() if a.id == agent.id), None)
        self._ensure_read()
        records = self._by_ticket.get(ticket_id)
        if not records:
            return None
        owner = build_ticket(ticket_id, records, self.settings, self.source, self.clock(), self.sent_folder)
        if owner is None or owner.assignee is None or owner.assignee.role is not Role.AGENT:
            return None
        return owner.assignee.email if owner.assignee.email in agents else None

    def written_markers(self, ticket_id: str) -> set[str]:
        """Markers of the notes and reminder copies for ``ticket_id`` in the notes
        folder, searched on the server by the X-Csbridge-Ticket header."""
        folder = self.settings.notes_folder
        if self.session.status(folder) is None:
            return set()
        self.session.select(folder, readonly=True)
        uids = self.session.search(["HEADER", TICKET_HEADER, ticket_id])
        item = f"BODY.PEEK[HEADER.FIELDS ({MARKER_HEADER.upper()} {TICKET_HEADER.upper()} DATE FROM)]"
        markers: set[str] = set()
        for data in self.session.fetch(uids, [item]).values():
            raw = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
            try:
                headers = parse_headers(raw)
            except MalformedMail:
                continue
            if headers.ticket == ticket_id and headers.marker:
                markers.add(headers.marker)
        return markers

    def wait_for_changes(self, timeout: float) -> bool:
        """True at once when a read folder changed since the last read (STATUS);
        otherwise IDLE on the first customer folder up to ``timeout`` seconds when
        the server offers IDLE, True when it reported a change, so the daemon can
        run the cycle early. Returns False without IDLE."""
        if self.session.client is None:
            self.session.connect()
        self.session.unselect()
        for folder in self.read_folders:
            state = self.index.folders.get(folder)
            status = self.session.status(folder)
            if status is not None and (state is None or (state.uidvalidity, state.uidnext, state.highestmodseq) != (
                status.uidvalidity, status.uidnext, status.highestmodseq
            )):
                return True
        if not self.session.has("IDLE"):
            return False
        return self.session.idle(self.settings.folders[0], timeout)

    def check_access(self) -> str:
        """For ``csbridge doctor``: log in if needed, STATUS each customer folder and
        say what the server offers. Raises AdapterError/AuthError when it cannot."""
        if self.session.client is None:
            self.session.connect()
        parts = []
        for folder in self.settings.folders:
            status = self.session.status(folder)
            if status is None:
                raise AdapterError(f"folder {folder!r} does not exist on {self.settings.host}", retry=False)
            parts.append(f"{folder}: {status.messages} messages")
        offered = [c for c in ("CONDSTORE", "IDLE", "UIDPLUS", "SPECIAL-USE") if self.session.has(c)]
        return f"logged in as {self.settings.username}; {', '.join(parts)}; server offers {' '.join(offered) or 'none of CONDSTORE, IDLE, UIDPLUS'}"

    def close(self) -> None:
        """Log out of the IMAP server."""
        self.session.close()


def _load_cursor(cursor: str | None) -> dict[str, dict[str, int]] | None:
    if not cursor:
        return None
    try:
        data: Any = json.loads(cursor)
        folders = data["folders"]
        return {str(k): {kk: int(vv) for kk, vv in v.items()} for k, v in folders.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("unreadable cursor; reading the whole mailbox again")
        return None
