"""Conversations from messages: which messages make one ticket.

Pure functions, no I/O. Messages are joined by Message-ID / References /
In-Reply-To (JWZ-style: two messages citing the same missing parent are one
conversation), by a ``[#id]`` ticket token in the subject, and, for a reply whose
references lead nowhere (a client that broke the chain), by the normalised
subject (``Re:``, ``AW:``, ``Odp:``, ``Отв:``, ``RV:``, ``Fwd:`` ... removed) with a
shared customer address within a time window.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Reply, forward and auto-reply prefixes of en, pl, ru, ca, es, de (and what common clients write).
_PREFIX_WORDS = (
    "re", "aw", "antw", "wg", "fw", "fwd", "odp", "pd", "rv", "res", "enc", "sv", "vs", "tr", "rif",
    "отв", "ответ", "пересл", "переслано", "fwd", "resposta", "reenviat",
    "automatic reply", "auto reply", "autoreply", "out of office", "abwesenheitsnotiz", "autoantwort",
    "automatische antwort", "автоответ", "respuesta automática", "resposta automàtica",
    "odpowiedź automatyczna", "fuera de la oficina",
)
_PREFIX = re.compile(
    r"^\s*(?:(?:" + "|".join(re.escape(w) for w in sorted(set(_PREFIX_WORDS), key=len, reverse=True))
    + r")\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*)",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\[#([A-Za-z0-9][A-Za-z0-9_-]{0,31})\]")
_BRACKET = re.compile(r"^\s*\[[^\]]{0,40}\]\s*")


def ticket_token(subject: str) -> str | None:
    """The id in a ``[#id]`` ticket token of ``subject``, or ``None``."""
    match = _TOKEN.search(subject)
    return match.group(1) if match else None


def normalise_subject(subject: str) -> tuple[str, bool]:
    """``subject`` without reply/forward prefixes, ticket tokens and leading
    ``[list]`` tags, case-folded and with whitespace collapsed; and whether it
    carried a reply or forward prefix."""
    text = _TOKEN.sub(" ", subject)
    had_prefix = False
    while True:
        match = _PREFIX.match(text)
        if match:
            had_prefix = True
            text = text[match.end() :]
            continue
        bracket = _BRACKET.match(text)
        if bracket and bracket.end() < len(text):
            text = text[bracket.end() :]
            continue
        break
    return " ".join(text.split()).casefold(), had_prefix


@dataclass(frozen=True, slots=True)
class ThreadItem:
    """One message as threading sees it.

    ``participants`` are the customer-side addresses (sender and recipients
    without the support team's). ``note`` marks csbridge's own notes: they join
    their conversation by references only and never name it. ``from_team``: sent
    by an agent or a support address.
    """

    key: Hashable
    message_id: str
    parents: tuple[str, ...]
    subject: str
    participants: frozenset[str]
    date: datetime
    note: bool = False
    from_team: bool = False


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        while parent != x:
            grand = self.parent.setdefault(parent, parent)
            self.parent[x] = grand
            x, parent = parent, grand
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def thread_ids(items: Sequence[ThreadItem], window: timedelta = timedelta(days=30)) -> dict[Hashable, str]:
    """The ticket id of every item, by ``key``.

    The id is the ``[#id]`` token of the conversation when one of its subjects has
    one, else a 12-hex-digit hash of the Message-ID of its root (its earliest
    message that cites no known message), so it does not depend on UIDs, folders
    or the order messages arrive in. ``window`` bounds the subject fallback: a
    reply joins a conversation whose same-subject message is at most that old.
    """
    uf = _Union()
    known = {item.message_id for item in items}
    for item in items:
        node = "m:" + item.message_id
        uf.find(node)
        for parent in item.parents:
            uf.union(node, "m:" + parent)
        token = ticket_token(item.subject)
        if token and not item.note:
            uf.union(node, "t:" + token)
    ordered = sorted((i for i in items if not i.note), key=lambda i: (i.date, i.message_id))
    by_subject: dict[str, list[ThreadItem]] = defaultdict(list)
    normalised: dict[str, tuple[str, bool]] = {}
    for item in ordered:
        normalised[item.message_id] = subject, _ = normalise_subject(item.subject)
        if subject:
            by_subject[subject].append(item)
    for item in ordered:
        subject, is_reply = normalised[item.message_id]
        if not subject or not is_reply or any(p in known for p in item.parents) or not item.participants:
            continue
        node = "m:" + item.message_id
        own = uf.find(node)
        # The conversation this reply most likely answers: one whose latest earlier
        # message came from the team (a customer replies to an answer), then the latest.
        latest: dict[str, ThreadItem] = {}
        for other in by_subject[subject]:
            if other.date > item.date:
                break
            if other is item or item.date - other.date > window or not other.participants & item.participants:
                continue
            group = uf.find("m:" + other.message_id)
            if group != own:
                latest[group] = other
        if latest:
            best = max(latest.values(), key=lambda o: (o.from_team, o.date, o.message_id))
            uf.union(node, "m:" + best.message_id)
    return _name_groups(items, uf, known)


def _name_groups(items: Sequence[ThreadItem], uf: _Union, known: set[str]) -> dict[Hashable, str]:
    groups: dict[str, list[ThreadItem]] = defaultdict(list)
    for item in items:
        groups[uf.find("m:" + item.message_id)].append(item)
    result: dict[Hashable, str] = {}
    for members in groups.values():
        ordered = sorted(members, key=lambda i: (i.note, i.date, i.message_id))
        token = next((t for t in (ticket_token(i.subject) for i in ordered if not i.note) if t), None)
        if token:
            name = token
        else:
            roots = [i for i in ordered if not i.note and not any(p in known for p in i.parents)]
            root = (roots or ordered)[0]
            name = hashlib.sha256(root.message_id.encode()).hexdigest()[:12]
        for item in members:
            result[item.key] = name
    return result
