"""A fast search for the first of many alternative phrase patterns.

A lexicon class (rude wording, complaints, closings ...) is hundreds of
alternatives. As one Python regex, ``(?<!\\w)(?:p1|p2|...)(?!\\w)``, every search
tries every alternative at every position: 20-50 µs on a 200-character reply. Yet
almost every alternative needs some literal text to match ("calm down", "told
you", "sorr"), most several ("thank you for" ... "lecture"). :class:`Phrases`
finds them with one Aho-Corasick scan (:mod:`ahocorasick`, in C) and runs only the
few alternatives whose literals are all in the text, each compiled on first need.
The match is the same as the one regex's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any, Protocol

import ahocorasick

_MAX_SET = 64
"""The most alternative strings a literal set may hold before it is given up."""
_SHORTEST = 2
"""A literal set whose shortest string is shorter than this filters too little: the
alternative is then always tried."""
_LONGEST = 8
"""The automaton holds each literal's last characters only: a match contains them too,
and a trie of whole expansions ("as i already told", "as i told") took 35-50 MB more
for no fewer alternatives tried (same output; 48 vs 98 MB for the six lexicons)."""
_SLOTS = 4
"""How many literal sets of an alternative the automaton looks for. A polite reply
holds the first set of many alternatives ("thank you for", "as i"), and one more set
rules most of them out; a third and fourth, most of the rest: 0.6 regex searches per
class and sample reply instead of 5.9 with the first set alone, and the engine 1.37x
as fast. :meth:`Phrases.search` unrolls the four."""
_FLAGS = re.UNICODE
_WORD = re.compile(r"\w", _FLAGS)


class PhraseSet(Protocol):
    """Alternative phrase patterns searched as one (:class:`Phrases`, :class:`Joined`)."""

    @property
    def patterns(self) -> tuple[str, ...]: ...

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None: ...


class Phrases:
    """The alternatives ``patterns`` (regex sources, matched against lower-cased text),
    each bounded by non-word characters.

    :meth:`search` returns what ``re.compile(r"(?<!\\w)(?:(?:p1)|(?:p2)|...)(?!\\w)")``
    returns: the leftmost match, and at that position the first alternative in
    order. Raises :class:`re.error` when a pattern does not parse.
    """

    __slots__ = ("_always", "_automaton", "_compiled", "_unchecked", "patterns")

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(patterns)
        self._compiled: dict[int, re.Pattern[str]] = {}
        self._always = 0  # bit i: alternative i has no literal to look for
        # the automaton's value for a literal: for each slot, the alternatives whose set
        # in that slot holds the literal (slot 0 makes candidates, the others must agree)
        slots: dict[str, list[int]] = {}
        unchecked = [0] * _SLOTS  # per slot: the alternatives with no set there, let through
        for index, pattern in enumerate(self.patterns):
            groups = literal_groups(pattern)
            if not groups:
                self._always |= 1 << index
                continue
            sets = _slot_sets(groups)
            for slot in range(_SLOTS):
                if slot >= len(sets):
                    unchecked[slot] |= 1 << index
                    continue
                for literal in sets[slot]:
                    slots.setdefault(literal, [0] * _SLOTS)[slot] |= 1 << index
        self._unchecked = tuple(unchecked)
        self._automaton: Any = None
        if slots:
            automaton = ahocorasick.Automaton()
            shared: dict[tuple[int, ...], tuple[int, ...]] = {}  # the literals of one set share their value
            for literal, owners in slots.items():
                value = tuple(owners)
                automaton.add_word(literal, shared.setdefault(value, value))
            automaton.make_automaton()
            self._automaton = automaton

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """The first match in ``text`` (lower-cased) at or after ``pos``, or ``None``."""
        bits = self._always
        if self._automaton is not None:
            first, second, third, fourth = self._unchecked
            for _, (a, b, c, d) in self._automaton.iter(text, pos):
                first |= a
                second |= b
                third |= c
                fourth |= d
            bits |= first & second & third & fourth  # every set of an alternative must be there
        best: re.Match[str] | None = None
        while bits:
            lowest = bits & -bits  # visit the set bits only: the alternatives number hundreds
            bits ^= lowest
            alternative = self._alternative(lowest.bit_length() - 1)
            found = alternative.search(text, pos)
            # the left word boundary is checked here: a pattern that starts with a lookbehind
            # loses re's fast scan for its first characters (2-3x slower a search)
            while found is not None and (start := found.start()) and _WORD.match(text, start - 1):
                found = alternative.search(text, start + 1)
            if found is not None and (best is None or found.start() < best.start()):
                best = found
        return best

    def _alternative(self, index: int) -> re.Pattern[str]:
        """Alternative ``index`` bounded on the right (:meth:`search` checks the left)."""
        compiled = self._compiled.get(index)
        if compiled is None:
            compiled = self._compiled[index] = re.compile(rf"(?:{self.patterns[index]})(?!\w)", _FLAGS)
        return compiled


class Joined:
    """Several :class:`Phrases` as one, in order: :meth:`search` finds what
    ``Phrases(first.patterns + second.patterns + ...)`` finds (the leftmost match, at a
    tie the earlier part's), without a second automaton of the same literals (the
    union of six lexicons took 75 MB more as one)."""

    __slots__ = ("parts", "patterns")

    def __init__(self, parts: Sequence[Phrases]) -> None:
        self.parts = tuple(parts)
        self.patterns = tuple(pattern for part in self.parts for pattern in part.patterns)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """The first match in ``text`` (lower-cased) at or after ``pos``, or ``None``."""
        best: re.Match[str] | None = None
        for part in self.parts:
            found = part.search(text, pos)
            if found is not None and (best is None or found.start() < best.start()):
                best = found
        return best


_GROUPS: dict[str, tuple[frozenset[str], ...]] = {}

_SHORTEST_NEED = 4
"""A further literal set is checked only when its strings are this long: shorter ones
("you", "for") are in nearly every reply, so they only lengthen the scan (3 characters:
15 literals found per search and 0.5 regex searches; 4: 10 and 0.6; 5: 7 and 1.2)."""


def literal_groups(pattern: str) -> tuple[frozenset[str], ...]:
    """Sets of strings such that every match of ``pattern`` contains a string of each
    set, the set that filters best first; ``()`` when no set is worth looking for (too
    short, too many, or the pattern has flags). Raises :class:`re.error` when
    ``pattern`` does not parse. Worked out once per pattern and process (or taken
    from :func:`learn_literals`)."""
    try:
        return _GROUPS[pattern]
    except KeyError:
        found = _GROUPS[pattern] = _analyse(pattern)
        return found


def required_literals(pattern: str) -> frozenset[str] | None:
    """The first of :func:`literal_groups`: strings one of which every match of
    ``pattern`` contains, or ``None``."""
    groups = literal_groups(pattern)
    return groups[0] if groups else None


def learn_literals(known: Mapping[str, Iterable[Iterable[str]]]) -> None:
    """Take ``pattern -> literal_groups(pattern)`` worked out earlier (a cache kept
    between runs), as given."""
    for pattern, groups in known.items():
        _GROUPS[pattern] = tuple(frozenset(group) for group in groups)


def _tails(group: frozenset[str]) -> set[str]:
    return {whole[-_LONGEST:] for whole in group}


def _slot_sets(groups: tuple[frozenset[str], ...]) -> list[set[str]]:
    """The literal sets the automaton looks for, at most :data:`_SLOTS`: the first
    group's tails, its heads when it is longer than the automaton keeps, then the
    other groups' tails. Every match contains one literal of each."""
    sets = [_tails(groups[0])]
    if any(len(whole) > _LONGEST for whole in groups[0]):
        sets.append({whole[:_LONGEST] for whole in groups[0]})
    sets.extend(_tails(group) for group in groups[1:])
    return sets[:_SLOTS]


def _quality(group: set[str]) -> tuple[int, int]:
    return min(map(len, group)), -len(group)


def _best(groups: list[set[str]]) -> set[str] | None:
    return max(groups, key=_quality, default=None)


def _analyse(pattern: str) -> tuple[frozenset[str], ...]:
    tree = sre_parse.parse(pattern, _FLAGS)
    if tree.state.flags & (re.IGNORECASE | re.VERBOSE):
        return ()
    exact, required = _sequence(list(tree))
    groups = [exact] if exact is not None and all(exact) else sorted(required, key=_quality, reverse=True)
    if not groups or min(map(len, groups[0])) < _SHORTEST:
        return ()
    unique = list(dict.fromkeys(frozenset(group) for group in groups))
    return (unique[0], *(group for group in unique[1:] if min(map(len, group)) >= _SHORTEST_NEED))


_Literals = tuple[set[str] | None, list[set[str]]]
"""(exact, required): every string the part matches when they are few, and sets of
strings such that each of its matches contains one string of each set."""


def _sequence(items: list[tuple[Any, Any]]) -> _Literals:
    candidates: list[set[str]] = []
    run = {""}  # the strings the literal run ending here matches
    broken = False
    for op, arg in items:
        repeated = _repeated(op, arg)
        if repeated is not None and len(run) * len(repeated) <= _MAX_SET:
            # x{1,}: its first round follows the run and its last round starts the next one
            candidates.append({a + b for a in run for b in repeated})
            broken = True
            run = set(repeated)
            continue
        exact, required = _item(op, arg)
        if exact is not None and len(run) * len(exact) <= _MAX_SET:
            run = {a + b for a in run for b in exact}
            continue
        broken = True
        if all(run):
            candidates.append(run)
        if exact is not None:
            run = set(exact)
        else:
            run = {""}
            candidates.extend(required)
    if all(run):
        candidates.append(run)
    return (None if broken else run), candidates


def _repeated(op: Any, arg: Any) -> set[str] | None:
    """The strings one round of a repeat taken at least once and possibly more matches
    (``u+``, ``(?:ab){2,5}``), when they are known and not empty."""
    if op not in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return None
    low, high, sub = arg
    if low < 1 or high == 1:
        return None
    exact, _ = _sequence(list(sub))
    return exact if exact is not None and all(exact) else None


def _item(op: Any, arg: Any) -> _Literals:
    if op is sre.LITERAL:
        return {chr(arg)}, [{chr(arg)}]
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):  # zero width: the text around it stays adjacent
        return {""}, []
    if op is sre.IN:
        chars = {chr(a) for o, a in arg if o is sre.LITERAL}
        if len(chars) != len(arg) or len(chars) > 4:  # a range, a category or a negation
            return None, []
        return chars, [chars]
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = arg
        return (None, []) if add_flags or del_flags else _sequence(list(sub))
    if op is sre.BRANCH:
        parts = [_sequence(list(alternative)) for alternative in arg[1]]
        exact: set[str] | None = None
        if all(e is not None for e, _ in parts):
            exact = set().union(*(e for e, _ in parts if e is not None))
            if len(exact) > _MAX_SET:
                exact = None
        needed = [e if e is not None and all(e) else _best(r) for e, r in parts]
        if any(n is None for n in needed):
            return exact, []
        return exact, [set().union(*(n for n in needed if n))]
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, sub = arg
        exact, required = _sequence(list(sub))
        if low == 0:
            return (exact | {""}, []) if high == 1 and exact is not None else (None, [])
        if low == high == 1:
            return exact, required
        return None, [exact] if exact is not None and all(exact) else required
    return None, []
