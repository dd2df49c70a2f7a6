"""HTML-only mail bodies turned into plain text with the standard library's parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    {"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr"}
)
_SKIP = frozenset({"script", "style", "head", "title"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag == "blockquote":
            self.quote_depth += 1
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.quote_depth:
            # Quoted history keeps its "> " marks so the core's stripping recognises it.
            prefix = "> " * self.quote_depth
            lines = data.split("\n")
            data = "\n".join(prefix + line if line.strip() else line for line in lines)
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML body: block elements become line breaks,
    scripts and styles are dropped, entities decoded, ``<blockquote>`` quoted with
    ``> ``; runs of blank lines are collapsed. Never raises on broken markup."""
    parser = _TextParser()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:
        pass
    text = "".join(parts for parts in parser.parts)
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
