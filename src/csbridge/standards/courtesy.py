"""Built-in standard ``courtesy``: every public agent reply greets, closes, stays polite,
acknowledges a complaint and answers in the customer's language.

Each public agent message (not csbridge's own, not a system message) is judged on
its own text: quoted history and signatures are cut first (:mod:`.text`), the
language is detected among the configured ones (:mod:`.language`), and the phrases
come from that language's lexicon (:mod:`.lexicon`). A greeting counts only in the
opening line, a closing only at the end. Rules: ``courtesy.greeting``,
``courtesy.closing``, ``courtesy.rude``, ``courtesy.empathy``, ``courtesy.language``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csbridge.config import CourtesyStandard, StandardsBook
from csbridge.hookspecs import hookimpl
from csbridge.models import Finding, FindingStatus, Message, Role, Ticket
from csbridge.standards import Check
from csbridge.standards.context import ContextCheck, MessageText, TicketContext
from csbridge.standards.language import guesser
from csbridge.standards.lexicon import Lexicon, available_languages, lexicon, union
from csbridge.standards.phrases import PhraseSet
from csbridge.standards.text import QUOTED, address_line, first_line, is_signoff, last_sentence, shouting

QUOTE_LIMIT = 120
"""Longest ``quote`` a rude finding carries."""


@dataclass(frozen=True)
class Judgement:
    """What the lexicons say about one agent reply (language-independent facts)."""

    language: str | None
    greeting: bool
    closing: bool
    rude: str  # the offending words, "" when none
    shouting: bool = False  # ``rude`` is a sentence written in capitals


class CourtesyChecker(ContextCheck):
    """Judges replies against one ``[standards.courtesy]`` section.

    Build once per configuration: lexicons and the language detector are prepared
    here; :meth:`check` is then pure and cheap per message. The checker is itself
    the engine's check (calling it is :meth:`check`).
    """

    def __init__(self, config: CourtesyStandard) -> None:
        self.config = config
        self.include_met = True
        self.languages = tuple(config.languages)
        self.lexicons = {code: lexicon(code) for code in self.languages}
        # the defaults when every language is configured, so that other standards reading
        # the same message (follow-up promises) reuse the cut text and its language
        everything = set(self.languages) == set(available_languages())
        self.all = union() if everything else union(tuple(sorted(self.languages)))
        self.guesser = guesser(self.languages)

    def lexicon_for(self, language: str | None) -> Lexicon:
        """The lexicon of ``language``, or the union of the configured ones."""
        return self.lexicons.get(language or "", self.all)

    def judge(self, body: str, customer_language: str | None = None) -> Judgement:
        """Greeting, closing and rude wording of one reply ``body``.

        The reply's own language picks the lexicon; when it cannot be told, the
        customer's language, else the union of the configured languages."""
        return self._judge(MessageText(body, self.all), customer_language)

    def _judge(self, reading: MessageText, customer_language: str | None) -> Judgement:
        text, lower = reading.text, reading.lower
        language = reading.language(self.guesser)
        lx = self.lexicon_for(language or customer_language)
        opening = first_line(lower)
        greeting = lx.greeting.match(opening) is not None or (
            lx is not self.all and _salutation(self.all.greeting.match(opening))
        )
        closing = reading.closing(lx) is not None or (lx is not self.all and self._signoff(reading))
        match = unquoted(lx.rude, lower)
        if match is None and customer_language not in (None, lx.code) and customer_language in self.lexicons:
            match = unquoted(self.lexicons[customer_language].rude, lower)
        if match is not None:
            return Judgement(language, greeting, closing, _quote(text, lower, match.start(), match.end()))
        end = reading.closing(lx)  # the signature below a closing line is not read for shouting
        shout = shouting(text.split("\n")[:end])
        return Judgement(language, greeting, closing, shout[:QUOTE_LIMIT], shouting=bool(shout))

    def _signoff(self, reading: MessageText) -> bool:
        """Whether the closing line another language's lexicon finds is a sign-off ("Best
        regards," in a German reply); its offers of help are sentences the reply's own
        lexicon knows better ("Si el problema persiste, ..." is no Catalan closing in Spanish)."""
        index = reading.closing(self.all)
        if index is None:
            return False
        return is_signoff(last_sentence(reading.text.split("\n")[index].strip()).lower(), self.all)

    def complains(self, lower: str, language: str | None) -> bool:
        """Whether a customer message (cut and lower-cased) complains."""
        return self.lexicon_for(language).complaint.search(lower) is not None

    def acknowledges(self, lower: str, language: str | None) -> bool:
        """Whether an agent reply (cut and lower-cased) apologises or acknowledges the trouble."""
        return self.lexicon_for(language).empathy.search(lower) is not None

    def check(self, ticket: Ticket, now: datetime) -> Iterator[Finding]:
        """The courtesy findings of ``ticket`` (``now`` is not needed: replies are
        judged as written)."""
        return self.check_in(TicketContext(ticket, now))

    def check_in(self, context: TicketContext) -> Iterator[Finding]:
        """:meth:`check` of ``context.ticket``, sharing the messages' text work
        through ``context``."""
        ticket = context.ticket
        everything = self.all
        customer_language: str | None = None
        complaint: Message | None = None
        waiting: list[Message] = []  # customer messages since the last reply, read when a reply comes
        for message in ticket.messages:
            if not message.public or message.from_csbridge or message.author.role is Role.SYSTEM:
                continue
            if message.author.role is Role.CUSTOMER:
                waiting.append(message)
                continue
            for said in waiting:
                customer_language, complaint = self._customer(
                    said, context.text(said, everything), customer_language, complaint
                )
            waiting.clear()
            reading = context.text(message, everything)
            judged = self._judge(reading, customer_language)
            yield from self._reply(ticket, message, judged, reading.lower, customer_language, complaint)
            complaint = None

    def _customer(
        self, message: Message, reading: MessageText, language: str | None, complaint: Message | None
    ) -> tuple[str | None, Message | None]:
        """The customer's language and the complaint waiting for an answer after ``message``."""
        detected = reading.language(self.guesser)
        if detected is not None or not _short(reading.text):
            language = detected
        if self.config.empathy_after_complaint and self.complains(reading.lower, language):
            complaint = message
        return language, complaint

    def _reply(
        self,
        ticket: Ticket,
        message: Message,
        judged: Judgement,
        lower: str,
        customer_language: str | None,
        complaint: Message | None,
    ) -> Iterator[Finding]:
        config = self.config
        include_met = self.include_met
        language = customer_language or judged.language
        suggest = self.lexicon_for(language).suggest if language else lexicon("en").suggest
        where = f" ({self.lexicon_for(language).name})" if language else ""

        def finding(rule: str, ok: bool, detail: str, fix: str = "", quote: str = "") -> Finding:
            return Finding(
                source=ticket.source,
                ticket_id=ticket.id,
                rule=f"courtesy.{rule}",
                status=FindingStatus.MET if ok else FindingStatus.BREACHED,
                detail=detail,
                agent_id=message.author.id,
                message_id=message.id,
                fix="" if ok else fix,
                quote="" if ok else quote,
            )

        if "greeting" in config.require and (include_met or not judged.greeting):
            yield finding(
                "greeting",
                judged.greeting,
                "The reply opens with a greeting." if judged.greeting else f"The reply has no opening greeting{where}.",
                f'Open with a greeting such as "{suggest.get("greeting", "Hello,")}"',
            )
        if "closing" in config.require and (include_met or not judged.closing):
            yield finding(
                "closing",
                judged.closing,
                "The reply ends with a sign-off."
                if judged.closing
                else f"The reply ends without a sign-off or an offer of further help{where}.",
                f'End with a sign-off such as "{suggest.get("closing", "Best regards,")}"',
            )
        if "rude" in config.forbid and (include_met or judged.rude):
            yield finding(
                "rude",
                not judged.rude,
                "No blaming or dismissive wording."
                if not judged.rude
                else f'The reply shouts: a sentence in capitals, "{judged.rude}".'
                if judged.shouting
                else f'The reply contains blaming, dismissive or rude wording: "{judged.rude}".',
                "Write in sentence case: capitals read as shouting."
                if judged.shouting
                else suggest.get("rude", "Rephrase without blame."),
                judged.rude,
            )
        if complaint is not None:
            ok = self.acknowledges(lower, judged.language or language)
            if include_met or not ok:
                yield finding(
                    "empathy",
                    ok,
                    "The reply acknowledges the customer's complaint."
                    if ok
                    else f"The customer complained (message {complaint.id}) and the reply neither apologises "
                    f"nor acknowledges it{where}.",
                    f'Acknowledge it first, for example: "{suggest.get("empathy", "I am sorry for the trouble.")}"',
                )
        if config.check_language and customer_language and judged.language:
            same = judged.language == customer_language
            names = self.lexicons
            if include_met or not same:
                yield finding(
                    "language",
                    same,
                    f"The reply is in {names[customer_language].name}, the customer's language."
                    if same
                    else f"The reply is in {names[judged.language].name}, but the customer wrote in "
                    f"{names[customer_language].name}.",
                    f"Answer in {names[customer_language].name}.",
                )


_CLAUSE_END = re.compile(r"[,!:.;?—–\n]")


def _salutation(match: re.Match[str] | None) -> bool:
    """Whether a greeting another language's lexicon found stands as a salutation: at
    most three words without digits (a name, a title) follow it before the first
    punctuation ("Hello Jan," in a Polish reply), not a sentence ("Hi-vis jackets are
    ...", "Estimada en 48 horas, ...", where the reply's own lexicon knows better)."""
    if match is None:
        return False
    rest = match.string[match.end():]
    end = _CLAUSE_END.search(rest)
    words = rest[: end.start() if end else len(rest)].split()
    return len(words) <= 3 and not any(c.isdigit() for word in words for c in word)


def unquoted(pattern: PhraseSet, text: str) -> re.Match[str] | None:
    """The first match of ``pattern`` in ``text`` that is not inside quotation marks
    (:data:`QUOTED`): an agent who cites the customer's angry words is not rude; nor
    in a signature's postal address (:func:`~csbridge.standards.text.address_line`)."""
    match = pattern.search(text)
    if match is None:
        return None
    quoted = [(q.start(), q.end()) for q in QUOTED.finditer(text)]
    while match is not None:
        start, end = match.span()
        if not any(a < start and end < b for a, b in quoted) and not _in_address(text, start, end):
            return match
        match = pattern.search(text, start + 1)
    return None


def _in_address(text: str, start: int, end: int) -> bool:
    line_end = text.find("\n", end)
    return address_line(text[text.rfind("\n", 0, start) + 1 : None if line_end < 0 else line_end])


def _quote(text: str, lower: str, start: int, end: int) -> str:
    """The matched words from the original text (lower-casing can change lengths)."""
    source = text if len(text) == len(lower) else lower
    return source[start:end][:QUOTE_LIMIT]


def _short(body: str) -> bool:
    return len(body.split()) < 4


class _Standard:
    name = "courtesy"

    def configure(self, book: StandardsBook) -> Check | None:
        """The courtesy check for ``book``, or ``None`` without ``[standards.courtesy]``."""
        if book.courtesy is None:
            return None
        return CourtesyChecker(book.courtesy)


@hookimpl
def register_standards(register: Callable[[Any], None]) -> None:
    """Register the built-in courtesy standard."""
    register(_Standard())
