"""Promised follow-ups: "I'll get back to you tomorrow", "Odezwę się jutro", "Ich melde mich morgen".

:func:`find_promise` finds the first sentence of a reply that commits to writing
again and reads its deadline: a duration ("within 2 hours"), working days
("tomorrow", "in 2 days"), a weekday ("by Friday"), next week, after the weekend,
today, a date ("by 20 November") and a time of day ("by 3 pm"). A mention of a day
without a commitment ("our office is closed tomorrow") is not a promise. The
patterns are the ``[promise]`` tables of the lexicon files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from functools import cache

from csbridge.models import Message
from csbridge.standards.context import TicketContext
from csbridge.standards.language import guesser
from csbridge.standards.lexicon import PromiseRules, available_languages, lexicon, union
from csbridge.standards.phrases import Phrases
from csbridge.standards.text import cut_history, keep_lines

# a dot after a one- or two-digit number is an ordinal ("bis zum 20. November"; not after a
# time of day: "um 16:00. Danach"), and after
# "godz." / "ok." / "ca." / "approx." an abbreviation ("do godz. 14"), not a sentence end
_SENTENCES = re.compile(
    r"(?<=[.!?…])(?<!(?<!\d)\d\.)(?<!(?<![\d:])\d\d\.)(?<!(?i:godz)\.)(?<!\b(?i:ok|ca)\.)(?<!(?i:approx)\.)\s+|\n+"
)
_CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s[–—-]\s+")
_FILLER_WORDS = 3
"""A clause of at most this many words and no time between a time and the commitment
is a filler ("Mañana a primera hora, sin falta, le escribo")."""
_UNIT_SPAN = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1)}
_FALLBACK_ORDER = ("en", "de", "es", "pl", "ru", "ca")


@dataclass(frozen=True)
class Promise:
    """A commitment to update the customer, with its deadline as written.

    ``phrase`` is the sentence that makes the promise. At most a few of the other
    fields are set: ``within`` a duration ("within 2 hours"), ``working_days`` a count
    of working days ("tomorrow" -> 1, "in 2 days" -> 2), ``weekday`` a day of the week
    (0 = Monday, "by Friday" -> 4), ``next_week``, ``after_weekend`` and ``today`` flags, and
    ``clock`` a time of day ("by 3 pm", "bis 15 Uhr"), alone or with a day, ``on_date`` a
    (month, day) date ("by 20 November" -> (11, 20); month 0: "by the 20th"). None set means
    a promise without a deadline ("I'll get back to you as soon as I can").
    """

    phrase: str
    within: timedelta | None = None
    working_days: int | None = None
    weekday: int | None = None
    next_week: bool = False
    today: bool = False
    after_weekend: bool = False
    clock: time | None = None
    on_date: tuple[int, int] | None = None

    @property
    def dated(self) -> bool:
        """Whether the promise names a time."""
        return bool(self.within or self.working_days or self.weekday is not None or self.next_week
                    or self.today or self.after_weekend or self.clock is not None
                    or self.on_date is not None)


def find_promise(text: str, language: str | None) -> Promise | None:
    """The first promise of a follow-up in ``text`` (an agent reply; quoted history
    and signatures are ignored), read with the patterns of ``language``. With
    ``None`` or a language without a lexicon, the language is detected, and every
    available language is tried when it cannot be told.
    Returns ``None`` when the reply commits to nothing."""
    body = cut_history(text)
    if language not in available_languages():
        language = guesser().detect(body)
    return _promise(body, body.lower(), language)


def promise_in(context: TicketContext, message: Message) -> Promise | None:
    """``find_promise(strip_reply(message.body), None)``
    (:func:`csbridge.standards.text.strip_reply`), with the cut text, language and
    closing line of ``message`` shared through ``context``."""
    everything = union()
    reading = context.text(message, everything)
    code = reading.language(guesser())
    lx = lexicon(code) if code else everything
    closing = reading.closing(lx)
    if closing is None and lx is not everything:
        closing = reading.closing(everything)
    stripped = reading.text if closing is None else keep_lines(reading.text, closing)
    # what find_promise(stripped, None) reads: a clean cut, cut again, is itself
    body = stripped if reading.clean and stripped.rstrip() is stripped else cut_history(stripped)
    # strip_reply's language stands for the stripped text itself (as strip_reply notes it)
    language = code if body is stripped else guesser().detect(body)
    if body is reading.text:
        lower = reading.lower
    elif body.isascii() and reading.text.startswith(body):  # a prefix: its lower case is a prefix too
        lower = reading.lower[: len(body)]
    else:
        lower = body.lower()
    return _promise(body, lower, language)


def _promise(body: str, lower: str, language: str | None) -> Promise | None:
    """The first promise in the cut ``body`` (``lower`` is ``body.lower()``) read in
    ``language``, or in every language in turn when it is not one with a lexicon."""
    codes = available_languages()
    if language in codes:
        chosen = [language]
    else:
        if _any_commit().search(lower) is None:  # no commitment in any language
            return None
        chosen = [c for c in _FALLBACK_ORDER if c in codes] + sorted(codes - set(_FALLBACK_ORDER))
    for code in chosen:
        rules = lexicon(str(code)).promise
        if rules is None:
            continue
        if rules.any_commit.search(lower) is None:
            continue
        promise = _find(body, rules)
        if promise is not None:
            return promise
    return None


@cache
def _any_commit() -> Phrases:
    """Whether any language's commitment pattern can match (one scan instead of one a language)."""
    rules = [lexicon(c).promise for c in sorted(available_languages())]
    return Phrases([p for r in rules if r is not None for p in r.any_commit.patterns])


def _find(body: str, rules: PromiseRules) -> Promise | None:
    for sentence in _SENTENCES.split(body):
        lower = sentence.lower()
        if not lower.strip():
            continue
        commit = rules.commit.search(lower)
        if commit is not None:
            return _read_deadline(sentence.strip(), _scope(lower, commit.start(), rules), rules)
        commit = rules.commit_timed.search(lower)
        if commit is not None:
            promise = _read_deadline(sentence.strip(), _scope(lower, commit.start(), rules), rules)
            if promise.dated:
                return promise
    return None


def _scope(lower: str, start: int, rules: PromiseRules) -> str:
    """The part of the sentence ``lower`` whose time words date the commitment at ``start``:
    its own clause, the clauses after it, and the clauses just before it that open with
    a time ("Tomorrow morning, without fail, I'll call you") or are a few words without
    one. A clause before it that only mentions a day is not its deadline ("We wrote to
    you on Monday, I'll get back to you" promises no day)."""
    starts = [0, *(m.end() for m in _CLAUSE_BREAK.finditer(lower, 0, start))]
    kept = len(starts) - 1  # the commitment's own clause
    while kept:
        clause = lower[starts[kept - 1] : starts[kept]].strip()
        opening = _time_at(clause, rules)
        if not (opening == 0 or (opening is None and len(clause.split()) <= _FILLER_WORDS)):
            break
        kept -= 1
    return lower[starts[kept] :]


FEW = 3
"""The count of "a few" units, and of a plural unit without a count ("in the coming days")."""


def _time_at(lower: str, rules: PromiseRules) -> int | None:
    """Where the first time expression of ``lower`` starts, or ``None`` without one."""
    found = [m.start() for pattern in rules.times if (m := pattern.search(lower)) is not None]
    return min(found, default=None)


def _read_deadline(phrase: str, lower: str, rules: PromiseRules) -> Promise:
    within: timedelta | None = None
    working_days: int | None = None
    weekday: int | None = None
    duration = rules.durations.search(lower)
    if duration is not None:
        within, working_days = _duration(duration, rules)
    if rules.day_after_tomorrow.search(lower):
        working_days = 2
    elif working_days is None and rules.tomorrow.search(lower):
        working_days = 1
    day = rules.weekday.search(lower)
    if day is not None:
        weekday = next(int(name[1:]) for name, value in day.groupdict().items() if value and name.startswith("d"))
    next_week = rules.next_week.search(lower) is not None
    today = rules.today.search(lower) is not None and working_days is None and within is None
    after_weekend = rules.after_weekend.search(lower) is not None
    clock = _clock(rules.clock.search(lower)) if within is None else None
    on_date = _date(rules.dates.search(lower))
    return Promise(phrase, within, working_days, weekday, next_week, today, after_weekend, clock, on_date)


def _groups(match: re.Match[str]) -> dict[str, str]:
    """The groups that matched, by name without the alternative's ``_N`` suffix."""
    return {name.rsplit("_", 1)[0]: value for name, value in match.groupdict().items() if value}


def _date(match: re.Match[str] | None) -> tuple[int, int] | None:
    """(month, day) of a ``dates`` match; month 0 when the text names only the day."""
    if match is None:
        return None
    groups = _groups(match)
    day = int(groups["d"])
    month = int(groups.get("mn", "0")) or next((int(k[2:]) + 1 for k in groups if k.startswith("mo")), 0)
    return (month, day) if 1 <= day <= 31 and 0 <= month <= 12 and ("mn" not in groups or month) else None


def _clock(match: re.Match[str] | None) -> time | None:
    """The time of day a ``clock`` pattern read: "3 pm" 15:00, "noon" 12:00; an hour
    from 1 to 6 without "am" is taken for the afternoon ("a las 3", "до 5 часов")."""
    if match is None:
        return None
    groups = _groups(match)
    if "noon" in groups:
        return time(12)
    hour, minute = int(groups["h"]), int(groups.get("m", "0"))
    if "pm" in groups and hour < 12:
        hour += 12
    elif "am" in groups:
        hour %= 12
    elif 1 <= hour <= 6:
        hour += 12
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _duration(match: re.Match[str], rules: PromiseRules) -> tuple[timedelta | None, int | None]:
    groups = _groups(match)
    unit_text = groups.get("unit", "")
    number_text = groups.get("n")
    if number_text is None:  # "within the hour" is one; "in the next hours", a few
        count = FEW if rules.few.fullmatch(unit_text) else 1
    elif number_text.isdigit():
        count = int(number_text)
    else:
        count = rules.numbers.get(number_text, 1)
    unit = next((name for name, pattern in rules.units if pattern.fullmatch(unit_text)), None)
    if unit in _UNIT_SPAN:
        span = _UNIT_SPAN[unit]
        return (span * count if count else span * 0.5), None
    if unit == "day":
        return None, max(count, 1)
    if unit == "week":
        return None, 5 * max(count, 1)
    return None, None
