"""Which language a message is in, among the configured ones, fast.

Most messages are decided by a cheap pre-check: the script (Cyrillic), letters only
one language uses (ą ł ż, ß ä ö, ñ ¿, l·l ç à), and common words that only one
language's lexicon lists. Only texts that stay ambiguous go to lingua (about 150 µs a
call, so it must stay the exception). Short texts, and texts in a language outside
the configured ones, give ``None``: unknown rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from itertools import repeat
from typing import Any

from csbridge.standards.lexicon import available_languages, lexicon

MIN_WORDS = 4
"""Texts with fewer words than this are too short to tell."""
SURE_WORDS = 10
SURE_CONFIDENCE = 0.9
"""Below ``SURE_WORDS`` words, lingua's answer counts only at this confidence or more."""

_PUNCTUATION = ".,;:!?¿¡()[]{}<>\"'’‘“”„«»…-–—/\\|*+=_#@&%$"
# [а-яё] case-insensitively, spelt out: without IGNORECASE the scan is several times faster
_CYRILLIC = re.compile("[а-яёА-ЯЁ\u1c80-\u1c86]")
_CYRILLIC_WORD = re.compile("(?<!\\S)[а-яёА-ЯЁ\u1c80-\u1c86]")  # a word (between whitespace) starting so
# letters (or marks) that, among the six lexicon languages, only one language writes
_MARKS = {
    **dict.fromkeys("ąęłśżźćń", "pl"),
    **dict.fromkeys("ßäöü", "de"),
    **dict.fromkeys("ñ¿¡", "es"),
    **dict.fromkeys("çàèòï·", "ca"),
}
_MARK_ITEMS = tuple(_MARKS.items())
# common words of languages without a lexicon, so that their texts come out unknown
_OTHER_WORDS = frozenset(
    (
        *("le", "les", "est", "je", "vous", "nous", "pas", "avec", "pour", "dans", "merci", "bonjour"),  # French
        *("il", "che", "non", "sono", "della", "grazie", "buongiorno", "questo", "anche"),  # Italian
        *("não", "obrigado", "obrigada", "você", "uma", "isso", "também"),  # Portuguese
        *("het", "een", "niet", "ik", "wij", "jullie", "bedankt", "graag", "voor", "maar"),  # Dutch
    )
)
_LINGUA_NAMES = {
    "en": "ENGLISH", "pl": "POLISH", "ru": "RUSSIAN", "ca": "CATALAN", "es": "SPANISH", "de": "GERMAN",
    "fr": "FRENCH", "it": "ITALIAN", "pt": "PORTUGUESE", "nl": "DUTCH",
}  # fmt: skip
_OTHERS = ("fr", "it", "pt", "nl")


class LanguageGuesser:
    """Detects the language of a text among ``languages`` (lexicon codes).

    Build one per configuration and reuse it: the word tables are prepared once and
    lingua's detector is built on first need and shared.
    """

    def __init__(self, languages: Iterable[str]) -> None:
        self.languages = tuple(dict.fromkeys(languages))
        owners: dict[str, set[str]] = {}
        for code in self.languages:
            for word in lexicon(code).stopwords:
                owners.setdefault(word, set()).add(code)
        self._unique = {w: next(iter(c)) for w, c in owners.items() if len(c) == 1}
        self._other = _OTHER_WORDS - frozenset(owners)
        self._unique_words = frozenset(self._unique)
        self._language_set = frozenset(self.languages)
        self._known: dict[int, tuple[str, str | None]] = {}

    def detect(self, text: str) -> str | None:
        """The code of the language ``text`` is written in, or ``None`` when the text
        is too short, in another language, or not clear enough to tell."""
        entry = self._known.get(id(text))
        if entry is not None and entry[0] is text:
            return entry[1]
        return self.remember(text, self._detect(text))

    def remember(self, text: str, language: str | None) -> str | None:
        """Note that ``text`` (this very object) is in ``language``, and return it:
        the standards judging one message ask about the same text more than once."""
        if len(self._known) >= 256:
            self._known.clear()
        self._known[id(text)] = (text, language)
        return language

    def _detect(self, text: str) -> str | None:
        sample = text[:180].lower()
        words = sample.split()
        if len(words) < MIN_WORDS:
            return None
        present = set(map(str.strip, words, repeat(_PUNCTUATION, len(words))))
        scores: dict[str, int] = {}
        if not sample.isascii():
            if _CYRILLIC.search(sample):
                cyrillic = len(_CYRILLIC_WORD.findall(" ".join(present)))
                if cyrillic * 2 >= len(present):
                    return "ru" if "ru" in self.languages else None
            languages = self._language_set
            for mark, code in _MARK_ITEMS:  # each mark present counts once
                if mark in sample and code in languages:
                    scores[code] = scores.get(code, 0) + 2
        unique = self._unique
        for word in present & self._unique_words:
            code = unique[word]
            scores[code] = scores.get(code, 0) + 1
        other = len(present & self._other) if present & self._other else 0
        best, top, second = None, 0, 0
        for code, value in scores.items():
            if value > top:
                best, top, second = code, value, top
            elif value > second:
                second = value
        if other >= 2 and other > top:
            return None
        if best is not None and top >= 2 and top >= second + 2 and other < top:
            return best
        return self._lingua(sample, short=len(words) < SURE_WORDS)

    def _lingua(self, text: str, short: bool) -> str | None:
        detector = _detector(self.languages)
        if detector is None:
            return None
        if short:  # a few words: only a clear winner counts
            values = detector.compute_language_confidence_values(text)
            if not values or values[0].value < SURE_CONFIDENCE:
                return None
            found = values[0].language
        else:
            found = detector.detect_language_of(text)
            if found is None:
                return None
        code = _code_of(found.name)
        return code if code in self.languages else None


def _code_of(lingua_name: str) -> str | None:
    for code, name in _LINGUA_NAMES.items():
        if name == lingua_name:
            return code
    return None


@cache
def _detector(languages: tuple[str, ...]) -> Any:
    """lingua's detector for ``languages`` plus a few common others (to recognise
    text outside the configured languages); ``None`` if lingua knows fewer than two."""
    from lingua import Language, LanguageDetectorBuilder

    names = [_LINGUA_NAMES[c] for c in (*languages, *_OTHERS) if c in _LINGUA_NAMES]
    chosen = sorted({getattr(Language, n) for n in names}, key=lambda lang: lang.name)
    if len(chosen) < 2:
        return None
    return LanguageDetectorBuilder.from_languages(*chosen).with_low_accuracy_mode().build()


def guesser(languages: tuple[str, ...] | None = None) -> LanguageGuesser:
    """A shared guesser over ``languages`` (every language with a lexicon when
    ``None``), one per set of languages."""
    return _guesser(tuple(sorted(set(languages)))) if languages else _every_language()


@cache
def _every_language() -> LanguageGuesser:
    return _guesser(tuple(sorted(available_languages())))


@cache
def _guesser(languages: tuple[str, ...]) -> LanguageGuesser:
    return LanguageGuesser(languages)
