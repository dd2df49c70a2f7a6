"""The literal analysis of the lexicons is kept between runs, and a bad cache costs only time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from csbridge.standards import literal_cache, phrases
from csbridge.standards.lexicon import _fix, _source, lexicon

PATTERNS = [_fix(p) for p in ("as i (?:already )?told you", r"calm down\w*", r"\d+x\w*", "read the (?:manual|faq)")]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder, and a process that has not analysed any pattern yet."""
    monkeypatch.setenv(literal_cache.CACHE_ENV, str(tmp_path / "cache"))
    known = dict(phrases._GROUPS)
    phrases._GROUPS.clear()
    yield tmp_path / "cache"
    phrases._GROUPS.clear()
    phrases._GROUPS.update(known)


def _analysed() -> dict[str, tuple[frozenset[str], ...]]:
    return {p: phrases._analyse(p) for p in PATTERNS}


def test_a_later_start_takes_the_literals_from_the_cache(cache: Path) -> None:
    assert not literal_cache.load("en", "source 1")
    literal_cache.save("en", "source 1", PATTERNS)
    phrases._GROUPS.clear()

    assert literal_cache.load("en", "source 1")
    assert {p: phrases._GROUPS[p] for p in PATTERNS} == _analysed()  # known without working them out
    assert phrases._GROUPS[PATTERNS[2]] == ()  # "no literal" is kept too


def test_a_changed_lexicon_file_is_analysed_again_and_its_old_cache_removed(cache: Path) -> None:
    literal_cache.save("en", "source 1", PATTERNS)
    assert not literal_cache.load("en", "source 2")
    literal_cache.save("en", "source 2", PATTERNS)
    assert len(list(cache.glob("literals-en-*.json"))) == 1
    assert not literal_cache.load("en", "source 1")


@pytest.mark.parametrize("content", ["{", "[1, 2]", '{"as i told you": [1]}', '{"as i told you": ["told"]}', '{"x": [[]]}', '{"x": "not a list"}', ""])
def test_a_malformed_cache_file_is_ignored(cache: Path, content: str) -> None:
    literal_cache.save("en", "source 1", PATTERNS)
    (path,) = cache.glob("literals-en-*.json")
    path.write_text(content, encoding="utf-8")
    phrases._GROUPS.clear()

    assert not literal_cache.load("en", "source 1")
    assert phrases._GROUPS == {}
    literal_cache.save("en", "source 1", PATTERNS)  # worked out again and rewritten
    assert literal_cache.load("en", "source 1")


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(literal_cache.CACHE_ENV, str(blocker / "cache"))
    literal_cache.save("en", "source 1", PATTERNS)
    assert not literal_cache.load("en", "source 1")


def test_a_lexicon_built_from_the_cache_matches_like_one_worked_out(cache: Path) -> None:
    built = lexicon("en")  # built already in this process: its phrases are the reference
    patterns = [*built.rude.patterns, *built.closing.patterns, *built.complaint.patterns, *built.empathy.patterns]
    literal_cache.save("en", _source("en"), patterns)  # analyses each pattern afresh
    phrases._GROUPS.clear()
    assert literal_cache.load("en", _source("en"))
    cached = phrases.Phrases(built.rude.patterns)
    texts = ("as i already told you, read the manual.", "thank you for your patience", "well. calm down!!")
    spans = [_span(cached.search(text)) for text in texts]
    assert spans == [_span(built.rude.search(text)) for text in texts]
    assert spans[0] == (0, 21) and spans[1] is None


def _span(match: re.Match[str] | None) -> tuple[int, int] | None:
    return None if match is None else match.span()
