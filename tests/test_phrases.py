"""Phrases: the literal prefilter gives exactly the match of the one big alternation."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from functools import cache
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csbridge.standards.lexicon import _fix, available_languages, union
from csbridge.standards.phrases import Joined, Phrases, literal_groups, required_literals

CLASSES = ("rude", "complaints", "empathy", "closings")


def _lexicon_patterns(code: str, key: str) -> list[str]:
    data = tomllib.loads((resources.files("csbridge") / "lexicons" / f"{code}.toml").read_text(encoding="utf-8"))
    return [_fix(p) for p in data.get(key, [])]


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)")


def test_every_lexicon_pattern_compiles_on_its_own() -> None:
    # Phrases compiles an alternative on first need: a pattern that cannot compile must fail here, not mid-run
    for code in sorted(available_languages()):
        for key in (*CLASSES, "greetings", "signoffs"):
            for pattern in _lexicon_patterns(code, key):
                re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")


def test_no_lexicon_class_lists_an_alternative_twice() -> None:
    # a second copy never matches first; it only costs a literal and a compile
    twice = [
        f"{code}.{key}: {pattern!r}"
        for code in sorted(available_languages())
        for key in (*CLASSES, "greetings", "signoffs", "footers")
        for pattern, count in Counter(_lexicon_patterns(code, key)).items()
        if count > 1
    ]
    assert not twice, twice


@pytest.mark.parametrize(("pattern", "text"), [("it’s", "it's"), ("it’s", "it’s"), (r"[\w’]+ fault", "customer's fault")])
def test_a_curly_apostrophe_in_a_pattern_matches_a_straight_one(pattern: str, text: str) -> None:
    assert re.fullmatch(_fix(pattern), text)


def test_no_word_bounded_pattern_ends_in_whitespace() -> None:
    # a non-word character must follow every match, so "lost all " could only match before a second space
    dead = [
        f"{code}.{key}: {pattern!r}"
        for code in sorted(available_languages())
        for key in (*CLASSES, "greetings", "signoffs")
        for pattern in _lexicon_patterns(code, key)
        if pattern != pattern.rstrip() and not pattern.endswith("\\ ")
    ]
    assert dead == []


def test_required_literals_of_common_shapes() -> None:
    assert required_literals("as i (?:already )?(?:told|said)") == {
        "as i already told",
        "as i already said",
        "as i told",
        "as i said",
    }
    assert required_literals("sorr(?:y|ies)") == {"sorry", "sorries"}
    assert required_literals(r"calm down\w*") == {"calm down"}
    assert required_literals(r"(?<!not )your fault") == {"your fault"}
    assert required_literals(r"it['’]s") == {"it's", "it’s"}
    assert required_literals(r"\w+ly") == {"ly"}
    assert required_literals(r"f+u+c+k\w*") == {"fu"}  # a repeat's first round follows what is before it
    assert required_literals(r"no+ way") == {"o way"}  # and its last round precedes what follows
    assert required_literals(r"(?:ab){2,3}c") == {"abc"}
    assert required_literals(r"\d+x") is None  # no literal of two characters: always tried
    assert required_literals(r"(?:a|\w+) idiot") == {" idiot"}


def test_literal_groups_name_every_literal_a_match_needs() -> None:
    assert literal_groups(r"thank(?:s| you)(?: \w+){0,2} for (?:the|your) lecture") == (
        {" for the lecture", " for your lecture"},
        {"thanks", "thank you"},
    )
    assert literal_groups(r"(?:you|people) (?:should|must) (?:\w+ )?read") == (
        {"you should ", "you must ", "people should ", "people must "},
        {"read"},
    )
    assert literal_groups("as i (?:already )?told") == ({"as i already told", "as i told"},)  # exact: one set
    assert literal_groups(r"\d+x") == ()


def test_an_alternative_runs_only_when_all_its_literals_are_there() -> None:
    phrases = Phrases([r"thank(?:s| you)(?: \w+){0,2} for (?:the|your) (?:\w+ )?lecture"])
    assert phrases.search("thank you for the kind words") is None
    assert phrases._compiled == {}  # "lecture" is missing: the regex was never needed
    assert phrases.search("thanks a lot for the long lecture").span() == (0, 33)  # type: ignore[union-attr]


# texts made of lexicon phrases' literal pieces, common words and punctuation, so
# that matches, near misses and word-boundary cases are all frequent
_PIECES = st.sampled_from(
    ["as i ", "already ", "told you", "said", "calm down", "sorry", "your fault", "not ", "idiot", "shell",
     "hell", "thank you", "regards", "we ", "you ", "damn", "read the manual", "!", ",", ".", " ", "\n", "’", "'",
     "kurwa", "блин", "joder", "verdammt", "disculpa", "entschuldigung", "przepraszam", "простите", "ho sento",
     "thank you for ", "the ", "lecture", "finally", "should have ", "read"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30), st.sampled_from(sorted(available_languages())), st.sampled_from(CLASSES))
def test_search_is_the_big_alternations_search(pieces: list[str], code: str, key: str) -> None:
    patterns = _lexicon_patterns(code, key)
    text = "".join(pieces)
    expected = _alternation(patterns).search(text)
    found = Phrases(patterns).search(text)
    assert (found and found.span()) == (expected and expected.span())
    if expected is not None:  # searching on from just after a match finds the next one, the same way
        again = _alternation(patterns).search(text, expected.start() + 1)
        found_again = Phrases(patterns).search(text, expected.start() + 1)
        assert (found_again and found_again.span()) == (again and again.span())


@cache
def _one_phrases(key: str) -> Phrases:
    return Phrases(getattr(union(), key).patterns)


@settings(max_examples=100, deadline=None)
@given(st.lists(_PIECES, max_size=30), st.sampled_from(("rude", "complaint", "closing")))
def test_the_union_of_lexicons_searches_like_one_phrases_of_all_their_patterns(pieces: list[str], key: str) -> None:
    joined = getattr(union(), key)
    assert isinstance(joined, Joined)  # the languages' own automatons, not a second copy
    text = "".join(pieces)
    expected = _one_phrases(key).search(text)
    found = joined.search(text)
    assert (found and found.span()) == (expected and expected.span())


def test_joined_prefers_the_earlier_part_at_the_same_position() -> None:
    joined = Joined([Phrases(["told you"]), Phrases(["told you so", "you"])])
    assert joined.search("i told you so").span() == (2, 10)  # type: ignore[union-attr]
    assert joined.search("you told me").span() == (0, 3)  # type: ignore[union-attr]


def test_search_picks_the_leftmost_then_the_first_alternative() -> None:
    phrases = Phrases(["told you", "you", "as i told"])
    assert phrases.search("as i told you").span() == (0, 9)  # type: ignore[union-attr]
    assert phrases.search("i told you").span() == (2, 10)  # type: ignore[union-attr]
    assert phrases.search("youth") is None
