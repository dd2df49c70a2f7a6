"""compile_alternation: the factored pattern finds exactly what the pattern as written finds."""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path
from unittest import mock

import pytest

from csbridge.standards import lexicon as lexicons
from csbridge.standards.alternation import compile_alternation

CORPUS = Path(__file__).parent / "corpus"


def _same(original: re.Pattern[str], factored: re.Pattern[str], text: str) -> None:
    for method in ("search", "match", "fullmatch"):
        a, b = getattr(original, method)(text), getattr(factored, method)(text)
        assert (a is None) == (b is None), (method, text)
        if a is not None and b is not None:
            assert (a.span(), a.groups(), a.groupdict()) == (b.span(), b.groups(), b.groupdict()), (method, text)


def _texts() -> list[str]:
    """Corpus replies, their lines, and seeded random strings glued from lexicon words."""
    texts: list[str] = []
    for path in sorted(CORPUS.glob("*.toml")):
        for reply in tomllib.loads(path.read_text(encoding="utf-8"))["reply"]:
            lower = reply["text"].lower()
            texts += [lower, *lower.split("\n")]
    words: set[str] = set()
    folder = Path(lexicons.__file__).parent.parent / "lexicons"
    for path in sorted(folder.glob("*.toml")):
        words.update(w.lower() for w in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8")))
    vocabulary = sorted(words)
    rng = random.Random(4)
    glue = [" ", " ", ", ", "! ", "\n", "'", "’", "-", "", "¿", "2 "]
    for _ in range(1500):
        texts.append("".join(rng.choice(vocabulary) + rng.choice(glue) for _ in range(rng.randint(1, 7))))
    return texts


TEXTS = _texts()


def _lexicon_patterns() -> list[tuple[str, re.Pattern[str], re.Pattern[str]]]:
    """(name, as written, factored) for the patterns of every lexicon."""
    found = []
    for code in sorted(lexicons.available_languages()):
        factored = lexicons.lexicon(code)
        with mock.patch.object(lexicons, "compile_alternation", re.compile):
            written = lexicons.lexicon.__wrapped__(code)  # built afresh, nothing factored
        for key in ("greeting", "signoff", "closing", "rude", "complaint", "empathy", "quote_header", "signature"):
            found.append((f"{code}.{key}", getattr(written, key), getattr(factored, key)))
        assert written.promise is not None and factored.promise is not None
        for key in ("commit", "commit_timed", "tomorrow", "next_week", "weekday", "durations"):
            found.append((f"{code}.promise.{key}", getattr(written.promise, key), getattr(factored.promise, key)))
    return found


@pytest.mark.parametrize(
    ("name", "written", "factored"), _lexicon_patterns(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_lexicon_pattern_finds_what_it_finds_as_written(
    name: str, written: re.Pattern[str], factored: re.Pattern[str]
) -> None:
    assert written.pattern != factored.pattern or "|" not in written.pattern
    for text in TEXTS:
        _same(written, factored, text)


def test_factoring_keeps_order_groups_and_repeats() -> None:
    source = (
        r"(?<!\w)(?:(?:that|this|it)(?: is|['’]s) not (?:our|my) problem|th(?:at|e) fault|it|"
        r"f+u+c+k\w*|['’]s|(?P<day>mon|tue)day|x{2,3}y|)(?!\w)"
    )
    original, factored = re.compile(source), compile_alternation(source)
    assert factored.pattern != source  # something was factored
    for text in [
        "well that's not our problem", "it is not my problem", "ffuuck", "fuckers", "'s", "the fault",
        "monday", "tueday", "xxy", "xxxxy", "it", "item", "", "that is", "this’s not our problem!",
    ]:  # fmt: skip
        _same(original, factored, text)


def test_what_it_cannot_write_is_compiled_as_written() -> None:
    source = r"(?i:hello|world|again)\d+"
    assert compile_alternation(source).pattern == source
    assert compile_alternation("Hello|World|Again", re.IGNORECASE).search("say WORLD") is not None
