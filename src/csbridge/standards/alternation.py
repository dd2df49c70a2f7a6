"""Large alternations of phrases, rewritten so that Python's ``re`` searches them fast.

The lexicons compile hundreds of phrases into one ``(?<!\\w)(?:p1|p2|...)(?!\\w)``.
At every word start ``re`` then tries each alternative in turn; alternatives that
begin with a literal character are skipped cheaply when it differs, the others
(``(?:that|this|it) is not``, ``['’]s``, ``f+u+c+k``) are entered one by one.
:func:`compile_alternation` factors the alternatives by their first character, as
a trie (``(?:t(?:h(?:at|is)...)|i(?:t...)|...)``), so that a word start costs a
few character tests. Factoring keeps the alternatives' order wherever two of them
could match at the same place, so every search returns the same match (the same
span and groups) as the pattern as written.

The rewrite works on the syntax tree of ``re``'s own parser and writes the tree
back as pattern text (:func:`to_source`); the result is an ordinary
``re.Pattern``. Anything the rewrite does not know leaves the pattern as written.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

try:  # the parser of the running Python's re (re._parser since 3.11); private, hence looked up
    _c: Any = importlib.import_module("re._constants")
    _p: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - a Python whose re is laid out otherwise: patterns as written
    _p = None

_MAX_COPIES = 64
"""A leading group is spread over its alternatives only up to this many copies."""


class _Unsupported(Exception):
    """The tree holds something :func:`to_source` does not write."""


def compile_alternation(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, with every large alternation factored as a trie
    (see the module docstring). Same matches, spans and groups as ``pattern``."""
    if _p is None or flags & re.IGNORECASE:
        return re.compile(pattern, flags)
    try:
        tree = _p.parse(pattern, flags)
        names = {index: name for name, index in tree.state.groupdict.items()}
        source = to_source(_factor_items(list(tree.data)), names)
        return re.compile(source, flags)
    except (_Unsupported, re.error, RecursionError):
        return re.compile(pattern, flags)


def _factor_items(items: list[Any]) -> list[Any]:
    """The sequence ``items`` with its alternations factored (recursively)."""
    out = []
    for op, av in items:
        if op is _c.BRANCH:
            alternatives = [_factor_items(list(b)) for b in av[1]]
            if len(alternatives) > 2 and not any(_has_group(a) for a in alternatives):
                alternatives = _trie(alternatives)
            if len(alternatives) == 1:
                out.extend(alternatives[0])
                continue
            out.append((op, (None, alternatives)))
        elif op is _c.SUBPATTERN:
            group, add, remove, sub = av
            out.append((op, (group, add, remove, _factor_items(list(sub)))))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            out.append((op, (av[0], av[1], _factor_items(list(av[2])))))
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            out.append((op, (av[0], _factor_items(list(av[1])))))
        else:
            out.append((op, av))
    return out


def _trie(alternatives: list[list[Any]]) -> list[list[Any]]:
    """``alternatives`` (each a sequence) grouped by first character, keeping their
    order among those that begin with the same character. An alternative that does
    not begin with a known character keeps its place, and nothing moves across it."""
    expanded = [e for a in alternatives for e in _literal_first(a)]
    out: list[list[Any]] = []
    groups: dict[int, list[list[Any]]] = {}

    def flush() -> None:
        for char, rests in groups.items():
            if len(rests) == 1:
                out.append([(_c.LITERAL, char), *rests[0]])
                continue
            factored = _trie(rests)
            if len(factored) == 1:
                out.append([(_c.LITERAL, char), *factored[0]])
            else:
                out.append([(_c.LITERAL, char), (_c.BRANCH, (None, factored))])
        groups.clear()

    for alternative in expanded:
        if alternative and alternative[0][0] is _c.LITERAL:
            groups.setdefault(alternative[0][1], []).append(alternative[1:])
        else:
            flush()
            out.append(alternative)
    flush()
    return out


def _literal_first(alternative: list[Any]) -> list[list[Any]]:
    """Sequences matching what ``alternative`` matches, in the order it would try
    them, each beginning with a literal character where that can be arranged."""
    if not alternative:
        return [alternative]
    (op, av), rest = alternative[0], alternative[1:]
    if op is _c.BRANCH:
        spread = [e for branch in av[1] for e in _literal_first([*branch, *rest])]
        return spread if len(spread) <= _MAX_COPIES else [alternative]
    if op is _c.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
        return _literal_first([*av[3], *rest])
    if op is _c.IN and len(av) <= 8 and all(item_op is _c.LITERAL for item_op, _ in av):
        return [[(_c.LITERAL, value), *rest] for _, value in av]
    if op is _c.MAX_REPEAT and av[0] >= 1 and len(av[2]) == 1 and av[2][0][0] is _c.LITERAL:
        low, high, item = av
        more = high if high is _c.MAXREPEAT else high - 1
        tail = [(_c.MAX_REPEAT, (low - 1, more, item))] if more is _c.MAXREPEAT or more > 0 else []
        return [[item[0], *tail, *rest]]
    return [alternative]


def _has_group(items: list[Any]) -> bool:
    """Whether ``items`` holds a capturing group (spreading it would duplicate it)."""
    for op, av in items:
        if op is _c.SUBPATTERN and (av[0] is not None or _has_group(list(av[3]))):
            return True
        if op is _c.BRANCH and any(_has_group(list(b)) for b in av[1]):
            return True
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and _has_group(list(av[2])):
            return True
        if op in (_c.ASSERT, _c.ASSERT_NOT) and _has_group(list(av[1])):
            return True
        if op in (_c.GROUPREF, _c.GROUPREF_EXISTS):
            return True
    return False


_AT: dict[Any, str] = {}
_CATEGORY: dict[Any, str] = {}
if _p is not None:
    _AT = {
        _c.AT_BEGINNING: "^", _c.AT_BEGINNING_STRING: r"\A", _c.AT_END: "$", _c.AT_END_STRING: r"\Z",
        _c.AT_BOUNDARY: r"\b", _c.AT_NON_BOUNDARY: r"\B",
    }  # fmt: skip
    _CATEGORY = {
        _c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_NOT_DIGIT: r"\D", _c.CATEGORY_SPACE: r"\s",
        _c.CATEGORY_NOT_SPACE: r"\S", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_NOT_WORD: r"\W",
    }  # fmt: skip


def to_source(items: list[Any], names: dict[int, str] | None = None) -> str:
    """Pattern text for a sequence of ``re`` parser items (``names``: group index to
    name). Raises :class:`_Unsupported` for what it does not write."""
    names = names or {}
    return "".join(_item(op, av, names) for op, av in items)


def _item(op: Any, av: Any, names: dict[int, str]) -> str:
    if op is _c.LITERAL:
        return re.escape(chr(av))
    if op is _c.NOT_LITERAL:
        return f"[^{re.escape(chr(av))}]"
    if op is _c.ANY:
        return "."
    if op is _c.IN:
        return _set(av)
    if op is _c.AT:
        return _AT[av]
    if op is _c.BRANCH:
        return "(?:" + "|".join(to_source(list(b), names) for b in av[1]) + ")"
    if op is _c.SUBPATTERN:
        group, add, remove, sub = av
        if add or remove:
            raise _Unsupported("inline flags")
        inner = to_source(list(sub), names)
        if group is None:
            return f"(?:{inner})"
        return f"(?P<{names[group]}>{inner})" if group in names else f"({inner})"
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, high, sub = av
        bound = f"{{{low},}}" if high is _c.MAXREPEAT else f"{{{low},{high}}}"
        suffix = {_c.MAX_REPEAT: "", _c.MIN_REPEAT: "?", _c.POSSESSIVE_REPEAT: "+"}[op]
        return f"(?:{to_source(list(sub), names)}){bound}{suffix}"
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        direction, sub = av
        head = {(_c.ASSERT, 1): "(?=", (_c.ASSERT, -1): "(?<=", (_c.ASSERT_NOT, 1): "(?!", (_c.ASSERT_NOT, -1): "(?<!"}
        return head[(op, direction)] + to_source(list(sub), names) + ")"
    if op is _c.GROUPREF:
        return f"(?P={names[av]})" if av in names else f"(?:\\{av})"
    raise _Unsupported(str(op))


def _set(items: list[Any]) -> str:
    parts: list[str] = []
    for op, av in items:
        if op is _c.NEGATE:
            parts.insert(0, "^")
        elif op is _c.LITERAL:
            parts.append(re.escape(chr(av)))
        elif op is _c.RANGE:
            parts.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is _c.CATEGORY:
            parts.append(_CATEGORY[av])
        else:
            raise _Unsupported(str(op))
    return "[" + "".join(parts) + "]"
