"""What the standards share while judging one ticket at one instant.

:class:`Engine <csbridge.standards.Engine>` makes one :class:`TicketContext` per
evaluation and hands it to every check that takes one (:class:`UsesContext`).
The context computes on first need, and then remembers for the rest of that
evaluation only, the facts several standards read: the time standards'
:class:`~csbridge.standards.response_time.Conversation`, and per message its text
with quoted history cut, lower-cased, its language and its closing line. So the
text work of a message is done once per evaluation, whichever standards ask,
and nothing is kept across tickets (no cache keyed on text, nothing global).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, Self, runtime_checkable

from csbridge.models import Deadline, Finding, Message, Ticket
from csbridge.standards.text import closing_index, cut_history_clean

if TYPE_CHECKING:
    from csbridge.standards.language import LanguageGuesser
    from csbridge.standards.lexicon import Lexicon
    from csbridge.standards.response_time import Conversation

_CONVERSATION: list[type[Conversation]] = []  # response_time's class, looked up once (it imports this package)


class MessageText:
    """One message body with quoted history and signature delimiters cut by one
    lexicon (:func:`csbridge.standards.text.cut_history`; ``clean`` as
    :func:`~csbridge.standards.text.cut_history_clean` says); the lower-cased text,
    languages and closing lines are worked out when first asked for."""

    __slots__ = ("_closings", "_languages", "_lower", "body", "clean", "lexicon", "text")

    def __init__(self, body: str, lexicon: Lexicon) -> None:
        self.body = body
        self.lexicon = lexicon
        self.text, self.clean = cut_history_clean(body, lexicon)
        self._lower: str | None = None
        self._languages: dict[int, tuple[LanguageGuesser, str | None]] = {}
        self._closings: dict[int, tuple[Lexicon, int | None]] = {}

    @property
    def lower(self) -> str:
        """``text.lower()``."""
        lower = self._lower
        if lower is None:
            lower = self._lower = self.text.lower()
        return lower

    def language(self, guesser: LanguageGuesser) -> str | None:
        """``guesser.detect(text)``."""
        entry = self._languages.get(id(guesser))
        if entry is None:
            entry = self._languages[id(guesser)] = (guesser, guesser.detect(self.text))
        return entry[1]

    def closing(self, lexicon: Lexicon) -> int | None:
        """The index of the closing line of ``text`` among its ``\\n``-separated lines
        by ``lexicon`` (:func:`csbridge.standards.text.find_closing`)."""
        entry = self._closings.get(id(lexicon))
        if entry is None:
            entry = self._closings[id(lexicon)] = (lexicon, closing_index(self.text, lexicon))
        return entry[1]


class TicketContext:
    """Facts about ``ticket`` at ``now`` shared by the standards during one
    evaluation (see the module docstring). Cheap to make; holds only what was asked."""

    __slots__ = ("_conversation", "_texts", "now", "ticket")

    def __init__(self, ticket: Ticket, now: datetime) -> None:
        self.ticket = ticket
        self.now = now
        self._conversation: Conversation | None = None
        self._texts: dict[tuple[int, int], tuple[Message, MessageText]] = {}

    @property
    def conversation(self) -> Conversation:
        """The ticket as the time standards see it at ``now``."""
        conversation = self._conversation
        if conversation is None:
            if not _CONVERSATION:
                from csbridge.standards.response_time import Conversation

                _CONVERSATION.append(Conversation)
            conversation = self._conversation = _CONVERSATION[0].of(self.ticket, self.now)
        return conversation

    def text(self, message: Message, lexicon: Lexicon) -> MessageText:
        """``message``'s body cut by ``lexicon``, shared for this evaluation."""
        key = (id(message), id(lexicon))
        entry = self._texts.get(key)
        if entry is None:
            entry = self._texts[key] = (message, MessageText(message.body, lexicon))
        return entry[1]


@runtime_checkable
class UsesContext(Protocol):
    """Optional for a check: it judges from a shared :class:`TicketContext`, which the
    engine then passes instead of calling ``check(ticket, now)``."""

    def check_in(self, context: TicketContext) -> Iterable[Finding | Deadline]:
        """The same as ``check(context.ticket, context.now)``."""
        ...


class ContextCheck:
    """Base of the built-in checks: called as a plain :data:`~csbridge.standards.Check`
    it makes its own :class:`TicketContext`; the Engine calls :meth:`check_in` with the
    context it shares between standards. ``include_met`` says whether ``met``
    findings are built (only ``--all`` wants them)."""

    include_met: bool = True

    def without_met(self) -> Self:
        """This check, yielding shortfalls only (no ``met`` findings)."""
        other = copy.copy(self)
        other.include_met = False
        return other

    def __call__(self, ticket: Ticket, now: datetime) -> Iterator[Finding | Deadline]:
        """The findings and running deadlines of ``ticket`` at ``now``."""
        return iter(self.check_in(TicketContext(ticket, now)))

    def check_in(self, context: TicketContext) -> Iterable[Finding | Deadline]:
        """The findings and running deadlines of ``context.ticket`` at ``context.now``."""
        raise NotImplementedError
