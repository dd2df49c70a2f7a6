"""Language detection among the configured languages (csbridge.standards.language)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from csbridge.standards.language import LanguageGuesser

LANGUAGES = ("en", "pl", "ru", "ca", "es", "de")
SENTENCES = Path(__file__).parent / "corpus" / "sentences"


@pytest.fixture(scope="module")
def guesser() -> LanguageGuesser:
    return LanguageGuesser(LANGUAGES)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # a word Catalan and Spanish both write ("a", "aquí", "va") is evidence for neither
        ("Hola:\n\nla factura de marzo va adjunta a este mensaje.\n\nSi tienes cualquier duda, aquí estamos.", "es"),
        ("Bon dia,\n\nla factura de març va adjunta a aquest missatge.\n\nQualsevol dubte, aquí estem.", "ca"),
        ("Hi Jan, the replacement was sent this morning and should arrive tomorrow.", "en"),
        ("Dzień dobry, wymiana została wysłana dziś rano i powinna dotrzeć jutro.", "pl"),
        ("Здравствуйте! Замена отправлена сегодня утром и придёт завтра.", "ru"),
        ("Guten Tag, der Ersatz wurde heute Morgen verschickt und kommt morgen an.", "de"),
    ],
)
def test_language_of_a_reply(guesser: LanguageGuesser, text: str, language: str) -> None:
    assert guesser.detect(text) == language


def test_short_or_foreign_texts_are_unknown(guesser: LanguageGuesser) -> None:
    assert guesser.detect("Thanks!") is None
    assert guesser.detect("Bonjour, je n'ai pas reçu ma commande, merci de vérifier avec le transporteur.") is None


def test_probe_sentences_are_told_apart(guesser: LanguageGuesser) -> None:
    """Every probe sentence of six words or more (12,000 across the six languages): at
    most 0.5% told as another configured language and at least 93% told right."""
    for language in LANGUAGES:
        data = tomllib.loads((SENTENCES / f"{language}.toml").read_text(encoding="utf-8"))
        texts = [t for values in data.values() if isinstance(values, list) for t in values if len(t.split()) >= 6]
        found = [guesser.detect(t) for t in texts]
        wrong = [t for t, got in zip(texts, found, strict=True) if got not in (None, language)]
        assert len(wrong) <= 0.005 * len(texts), (language, wrong[:10])
        assert found.count(language) >= 0.93 * len(texts), (language, found.count(language), len(texts))
