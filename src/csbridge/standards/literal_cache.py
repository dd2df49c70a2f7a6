"""The literal analysis of each lexicon file, kept between runs.

Working out the literals every match of a phrase pattern needs
(:func:`~csbridge.standards.phrases.literal_groups`, ~5,000 patterns) is most
of csbridge's start-up. The result depends only on the pattern, the analysing code
and Python's regex parser, so it is kept in a JSON file per lexicon file in
``$CSBRIDGE_CACHE_DIR``, else ``$XDG_CACHE_HOME/csbridge``, else
``~/.cache/csbridge``, named by a hash of all three. A missing, unreadable or
malformed file is worked out again and rewritten; a directory that cannot be
written only costs the time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from csbridge.standards import phrases

log = logging.getLogger(__name__)

CACHE_ENV = "CSBRIDGE_CACHE_DIR"


def cache_dir() -> Path:
    """Where csbridge keeps what it can work out again."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "csbridge"


def load(code: str, source: str) -> bool:
    """Teach :mod:`.phrases` the cached literals of lexicon ``code`` (file text
    ``source``); ``False`` when there is no usable cache file."""
    try:
        known = json.loads(_path(code, source).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(known, dict) or not all(_groups(value) for value in known.values()):
        log.debug("ignoring a malformed literal cache for lexicon %s", code)
        return False
    phrases.learn_literals(known)
    return True


def save(code: str, source: str, patterns: Iterable[str]) -> None:
    """Keep the literals of ``patterns`` (lexicon ``code``, file text ``source``),
    replacing the files of earlier versions of that lexicon."""
    path = _path(code, source)
    known = {pattern: [sorted(group) for group in phrases.literal_groups(pattern)] for pattern in patterns}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as out:
            json.dump(known, out, ensure_ascii=False)
        os.replace(out.name, path)  # whole or not at all, also with several processes starting at once
        for old in path.parent.glob(f"literals-{code}-*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("cannot keep the literal cache for lexicon %s: %s", code, exc)


def _groups(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(group, list) and group and all(isinstance(item, str) for item in group) for group in value
    )


def _path(code: str, source: str) -> Path:
    digest = hashlib.sha256(source.encode("utf-8"))
    digest.update(_analyser())
    return cache_dir() / f"literals-{code}-{digest.hexdigest()[:20]}.json"


@cache
def _analyser() -> bytes:
    """What the analysis depends on besides the patterns: its code and Python's parser."""
    return Path(phrases.__file__).read_bytes() + sys.version.encode()
