"""Per-language lexicons (data files in ``csbridge/lexicons/``). Placeholder."""

from __future__ import annotations

from importlib import resources


def available_languages() -> frozenset[str]:
    """Language codes that have a lexicon file."""
    folder = resources.files("csbridge") / "lexicons"
    return frozenset(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
