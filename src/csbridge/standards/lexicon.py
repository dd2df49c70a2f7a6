"""Per-language lexicons: data files in ``csbridge/lexicons/``, compiled once into regexes.

A lexicon file ``<code>.toml`` lists regular expressions for greetings, sign-offs,
closings, rude wording, complaint and empathy cues, quote headers, signature
delimiters and promise patterns (see ``en.toml`` for the format). Adding a language
is adding a file. Patterns match on word boundaries; a curly apostrophe ``’`` in a
pattern matches both ``’`` and ``'``.

Patterns are lower-cased when compiled and must be matched against LOWER-CASED
text (``text.lower()``): Python's ``re`` is several times faster without
``IGNORECASE``, and the courtesy check runs on every message. The large classes
searched anywhere in a reply (closings, rude wording, complaints, empathy,
commitments) are :class:`~csbridge.standards.phrases.Phrases`, which run only the
alternatives whose literal text is present.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from csbridge.standards import literal_cache
from csbridge.standards.phrases import Joined, Phrases, PhraseSet

_FLAGS = re.UNICODE


@cache
def available_languages() -> frozenset[str]:
    """Language codes that have a lexicon file (read once per process)."""
    folder = resources.files("csbridge") / "lexicons"
    return frozenset(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


@dataclass(frozen=True)
class PromiseRules:
    """Compiled promise patterns of one language (see :mod:`csbridge.standards.promises`)."""

    commit: Phrases
    commit_timed: Phrases  # a commitment only with a deadline in the same sentence
    today: re.Pattern[str]
    tomorrow: re.Pattern[str]
    day_after_tomorrow: re.Pattern[str]
    next_week: re.Pattern[str]
    after_weekend: re.Pattern[str]
    clock: re.Pattern[str]  # groups ``h_N``, ``m_N``, ``am_N``, ``pm_N`` or ``noon_N`` (N: the alternative)
    dates: re.Pattern[str]  # groups ``d_N`` and ``moK_N`` (K: 0 = January) or ``mn_N`` (the month's number)
    weekday: re.Pattern[str]  # group ``d0``..``d6`` tells the day
    durations: re.Pattern[str]  # groups ``n_N`` (optional) and ``unit_N`` (N: the alternative)
    numbers: Mapping[str, int]
    units: tuple[tuple[str, re.Pattern[str]], ...]  # (minute|hour|day|week, fullmatch pattern)
    few: re.Pattern[str]  # fullmatch: a plural unit that, with no count, means a few ("in the next hours")
    any_commit: Phrases  # commit or commit_timed: one scan tells whether either can match

    @property
    def times(self) -> tuple[re.Pattern[str], ...]:
        """The patterns of every kind of time expression."""
        return (self.durations, self.today, self.tomorrow, self.day_after_tomorrow, self.next_week,
                self.after_weekend, self.clock, self.dates, self.weekday)


@dataclass(frozen=True)
class Lexicon:
    """The compiled lexicon of one language (or the union of several).

    ``greeting`` and ``signoff`` match at the start of a string (use ``match``); the
    other phrase patterns are searched anywhere. ``quote_header`` and ``signature``
    must match a whole line (use ``fullmatch`` on the stripped line).
    """

    code: str
    name: str
    greeting: re.Pattern[str]
    signoff: re.Pattern[str]
    closing: PhraseSet
    rude: PhraseSet
    complaint: PhraseSet
    empathy: PhraseSet
    quote_header: re.Pattern[str]
    signature: re.Pattern[str]
    footer: PhraseSet  # legal and confidentiality footers below a signature
    reply_prefix: re.Pattern[str]
    stopwords: frozenset[str]
    suggest: Mapping[str, str]
    promise: PromiseRules | None


@cache
def _fix(pattern: str) -> str:
    """Lower-case the pattern's literals (not its escapes such as ``\\W``) and let a
    curly apostrophe match a straight one too, in a character class as well."""
    return _PARTS.sub(_fix_part, pattern).replace("(?p<", "(?P<").replace("(?p=", "(?P=")


# an escape, a character class, a curly apostrophe, or a run of none of them
_PARTS = re.compile(r"\\.?|\[\^?\]?(?:\\.|[^\]\\])*\]|’|[^\\’\[]+|\[", re.DOTALL)
_IN_CLASS = re.compile(r"\\.?|[^\\]+", re.DOTALL)  # an escape, or a run of other characters


def _fix_part(match: re.Match[str]) -> str:
    part = match.group()
    if part[0] == "\\":
        return part
    if part == "’":
        return "['’]"
    if part[0] == "[" and len(part) > 1:  # a class: lower-cased outside escapes, its ’ takes ' in too
        return _IN_CLASS.sub(_fix_in_class, part)
    return part.lower()


def _fix_in_class(match: re.Match[str]) -> str:
    part = match.group()
    return part if part[0] == "\\" else part.lower().replace("’", "’'")


def _words(patterns: Iterable[str], fixed: bool = False) -> str:
    """One alternation of ``patterns``, each bounded by non-word characters."""
    alternatives = "|".join(f"(?:{p if fixed else _fix(p)})" for p in patterns) or "(?!x)x"
    return rf"(?<!\w)(?:{alternatives})(?!\w)"


def _compile_words(patterns: Iterable[str], anchored: bool = False) -> re.Pattern[str]:
    # leading bullets, dashes and emoji are skipped, not an opening quotation mark: a quoted
    # sign-off ("„Auf Wiedersehen“ erscheint, wenn ...") is cited, not said
    prefix = r"^(?:(?![\"'„“”«»‘’‚‹›])[\W_])*" if anchored else ""
    return re.compile(prefix + _words(patterns), _FLAGS)


def _phrases(patterns: Iterable[str]) -> Phrases:
    return Phrases([_fix(p) for p in patterns])


def _compile_lines(patterns: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(f"(?:{_fix(p)})" for p in patterns) or "(?!x)x"
    return re.compile(rf"(?:{alternatives})\s*", _FLAGS)


@cache
def _source(code: str) -> str:
    path = resources.files("csbridge") / "lexicons" / f"{code}.toml"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyError(f"no lexicon for language {code!r}") from None


@cache
def _read(code: str) -> dict[str, Any]:
    return tomllib.loads(_source(code))


def _prime(code: str) -> bool:
    """Teach the phrase prefilter the cached literals of lexicon ``code`` (once a
    process); ``False`` when they are not cached."""
    if code not in _PRIMED:
        _PRIMED[code] = literal_cache.load(code, _source(code))
    return _PRIMED[code]


_PRIMED: dict[str, bool] = {}


def _phrase_patterns(lx: Lexicon) -> list[str]:
    """The patterns of ``lx`` that :class:`Phrases` analyses."""
    found = [*lx.closing.patterns, *lx.rude.patterns, *lx.complaint.patterns, *lx.empathy.patterns, *lx.footer.patterns]
    if lx.promise is not None:
        found.extend(lx.promise.any_commit.patterns)
    return found


def _strings(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _numbered(pattern: str, index: int) -> str:
    """``pattern`` with each named group ``(?P<x>`` renamed ``(?P<x_index>``, so that
    alternatives naming the same groups compile as one alternation."""
    return re.sub(r"\(\?P<(\w+)>", rf"(?P<\g<1>_{index}>", pattern)


def _promise_rules(data: Mapping[str, Any]) -> PromiseRules | None:
    if not data:
        return None
    numbers = {str(k).lower(): int(v) for k, v in data.get("numbers", {}).items()}
    units = {str(k): str(v) for k, v in data.get("units", {}).items()}
    number = "|".join([r"\d+", *(re.escape(w) for w in sorted(numbers, key=len, reverse=True))])
    # "2-3 days", "24 to 48 hours": a range of counts promises the later bound
    span = str(data.get("range", ""))
    count = f"(?:(?:{number})(?:{_fix(span)}))??(?P<n>{number})" if span else f"(?P<n>{number})"
    unit = "|".join(f"(?:{_fix(u)})" for u in units.values()) or "(?!x)x"
    durations = [
        _numbered(_fix(p).replace("{n}", count).replace("{unit}", f"(?P<unit>{unit})"), i)
        for i, p in enumerate(_strings(data, "durations"))
    ]
    clocks = [_numbered(_fix(p), i) for i, p in enumerate(_strings(data, "clock"))]
    months = "|".join(f"(?P<mo{k}>{_fix(m)})" for k, m in enumerate(_strings(data, "months"))) or "(?!x)x"
    dates = [
        _numbered(_fix(p).replace("{day}", r"(?P<d>[0-3]?\d)").replace("{month}", f"(?:{months})")
                  .replace("{mm}", r"(?P<mn>[01]?\d)"), i)
        for i, p in enumerate(_strings(data, "dates"))
    ]
    weekdays = _strings(data, "weekdays")
    weekday_alts = "|".join(f"(?P<d{i}>{_fix(w)})" for i, w in enumerate(weekdays)) or "(?!x)x"
    prefix = _fix(str(data.get("weekday_prefix", "")))
    return PromiseRules(
        any_commit=_phrases([*_strings(data, "commit"), *_strings(data, "commit_timed")]),
        commit=_phrases(_strings(data, "commit")),
        commit_timed=_phrases(_strings(data, "commit_timed")),
        today=_compile_words(_strings(data, "today")),
        tomorrow=_compile_words(_strings(data, "tomorrow")),
        day_after_tomorrow=_compile_words(_strings(data, "day_after_tomorrow")),
        next_week=_compile_words(_strings(data, "next_week")),
        after_weekend=_compile_words(_strings(data, "after_weekend")),
        clock=re.compile(_words(clocks, fixed=True), _FLAGS),
        dates=re.compile(_words(dates, fixed=True), _FLAGS),
        weekday=re.compile(rf"(?<!\w)(?:{prefix})(?:{weekday_alts})(?!\w)", _FLAGS),
        durations=re.compile(_words(durations, fixed=True), _FLAGS),
        numbers=numbers,
        units=tuple((name, re.compile(_fix(p), _FLAGS)) for name, p in units.items()),
        few=re.compile(_fix(str(data.get("few", ""))) or "(?!x)x", _FLAGS),
    )


def _build(code: str, name: str, datas: list[Mapping[str, Any]], parts: Sequence[Lexicon] = ()) -> Lexicon:
    """The lexicon of ``datas`` (lexicon files) merged in order; the phrase classes of a
    union join those of its built ``parts`` instead of analysing them again."""

    def merged(key: str) -> list[str]:
        return [p for d in datas for p in _strings(d, key)]

    def phrases(key: str, field: str) -> PhraseSet:
        if parts:
            return Joined([getattr(lx, field) for lx in parts])  # each a language's own Phrases
        return _phrases(merged(key))

    suggest: dict[str, str] = {}
    for d in reversed(datas):
        suggest.update({str(k): str(v) for k, v in d.get("suggest", {}).items()})
    prefixes = merged("reply_prefixes")
    return Lexicon(
        code=code,
        name=name,
        greeting=_compile_words(merged("greetings"), anchored=True),
        signoff=_compile_words(merged("signoffs"), anchored=True),
        closing=phrases("closings", "closing"),
        rude=phrases("rude", "rude"),
        complaint=phrases("complaints", "complaint"),
        empathy=phrases("empathy", "empathy"),
        quote_header=_compile_lines(merged("quote_headers")),
        signature=_compile_lines(merged("signature_delimiters")),
        footer=phrases("footers", "footer"),
        reply_prefix=re.compile(rf"^\s*(?:(?:{'|'.join(prefixes) or '(?!x)x'})\s*(?:\[\d+\])?\s*:\s*)+", _FLAGS),
        stopwords=frozenset(w.lower().replace("’", "'") for w in merged("stopwords")),
        suggest=suggest,
        promise=_promise_rules(datas[0].get("promise", {})) if len(datas) == 1 else None,
    )


@cache
def lexicon(code: str) -> Lexicon:
    """The compiled lexicon of language ``code``; raises :class:`KeyError` if there is no file."""
    data = _read(code)
    cached = _prime(code)
    built = _build(code, str(data.get("name", code)), [data])
    if not cached:
        literal_cache.save(code, _source(code), _phrase_patterns(built))
    return built


@cache
def union(codes: tuple[str, ...] | None = None) -> Lexicon:
    """One lexicon matching the phrases of every language in ``codes`` (all available
    languages when ``None``); it has no promise rules. Cached per tuple of codes."""
    chosen = tuple(sorted(available_languages())) if codes is None else codes
    parts = [lexicon(code) for code in chosen]
    return _build("+".join(chosen), "+".join(chosen), [_read(c) for c in chosen], parts)
