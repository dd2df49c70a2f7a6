"""Reply text without what the author did not write for this message.

:func:`strip_reply` drops quoted history (quote headers in every lexicon language,
``>`` lines, "-----Original Message-----" and Outlook's "From: ... Sent: ..." block)
and signatures (a ``-- `` line, "Sent from my iPhone", and the name/title/phone
block after the closing line; the closing line itself stays, so that it can be
judged). Adapters reuse it to clean e-mail bodies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from csbridge.standards.lexicon import Lexicon, union
from csbridge.standards.lexicon import lexicon as _lexicon

# Outlook-style header blocks: a "From:" line followed closely by "Sent:"/"Date:" or "To:",
# with an address in it or a date line with a number ("From: Monday the shop opens at 9"
# followed by "To: ..." text is no header); GMX and web.de put the date line first
_FROM_WORDS = "from|von|od|de|от|remitente|emissor"
_FROM = re.compile(rf"^\s*\**(?:{_FROM_WORDS})\s*:\**\s*\S", re.IGNORECASE)
_DATE_WORDS = r"sent|date|gesendet|datum|wysłano|wysłane|data|enviado(?: el)?|enviat(?: el)?|fecha|отправлено|дата"
_SENT = re.compile(rf"^\s*\**(?:{_DATE_WORDS}|to|an|do|para|per(?: a)?|кому)\s*:", re.IGNORECASE)
_DIGIT_OR_AT = re.compile(r"[\d@]")
_DATED = re.compile(rf"^\s*\**(?:{_DATE_WORDS})\s*:\**[^\n]*\d", re.IGNORECASE)
_CONTACT = re.compile(r"@|https?://|www\.|\+?\d[\d ()/.-]{6,}\d|\b(?:tel|phone|fax|mob|telefon|тел)\b", re.IGNORECASE)
# an organisation or department line of a signature: a legal form ("Meble Domowe sp. z o.o.",
# "ООО «ТелеЛинк», отдел ..."), a name in quotes, or a "Team – Company", "Support | Company",
# "Gemma · Support · Company" separator
_DOTTED_FORMS = r"sp\. z o\.o|sp\. ?j|sp\. ?k|sp\. ?p|s\.k\.a|s\.a|s\.l(?:\.u)?|s\.r\.l|s\.c\.p|s\.c|e\. ?v|e\. ?k|ltd|inc|co"  # legal forms written with a final "."
_ORGANISATION = re.compile(
    rf"(?<!\w)(?:(?:{_DOTTED_FORMS})\.|ltd|llc|gmbh|ag|kg|ооо|оао|зао|пао|ип)(?!\w)|«[^»]+»|\s[|–—·•]\s"
    # "Library, department of ...", "Quim, junta de la Colla Castellera de Sants": a department or a board
    r"|,\s*(?:отдел|правление|комитет|department|board|committee|dział|zarząd|komitet|abteilung|vorstand"
    r"|departament|junta|comissió|comitè|departamento|comisión|comité)(?!\w)",
    re.IGNORECASE,
)
_TITLE = re.compile(
    r"(?<!\w)(?:dr|dra|ldo|lda|lic|sr|sra|srta|dña|prof|ing|inż|mgr|dipl|mr|mrs|ms|им|г|ds|dept|dpto|stv)\.", re.IGNORECASE
)
"""A title or an abbreviation before a name ("Farmacia Ldo. Esteban Ruiz – ...",
"библиотека им. Некрасова", "г. Москва", "Kierownik ds. szkoleń", "stv. Leitung"): its
dot ends no sentence."""
_ORDINAL = re.compile(r"(?:^|(?<=[,|–—·•] ))\d{1,2}\.(?= [^\W\d_])")
"""An ordinal opening a line or a part of it ("1. Vorsitzender · Verein ..."): its dot ends no sentence."""
_LEGAL_END = re.compile(rf"(?<!\w)(?:{_DOTTED_FORMS})\.$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?¡¿…])\s+")
_LETTER = re.compile(r"[^\W\d_]")
_ENDS = frozenset(".!?¡¿…")  # the marks _SENTENCE_END splits after


def strip_reply(body: str, lexicon: Lexicon | None = None) -> str:
    """``body`` without quoted history and signature blocks, trailing blank lines
    removed: :func:`cut_history`, then the name/title/phone block after the closing
    line is dropped (the closing line stays). ``lexicon`` is the reply's language;
    by default the language is detected among all lexicons (the union of them all
    when it cannot be told). Idempotent: stripping a stripped text changes nothing."""
    everything = union()
    cut = cut_history(body, everything)
    lx = lexicon
    if lx is None:
        from csbridge.standards.language import guesser

        code = guesser().detect(cut)
        lx = _lexicon(code) if code else everything
    closing = closing_index(cut, lx)
    if closing is None and lx is not everything:
        closing = closing_index(cut, everything)
    if closing is None:
        return cut
    stripped = keep_lines(cut, closing)
    if lexicon is None:
        guesser().remember(stripped, code)
    return stripped


def keep_lines(text: str, last: int) -> str:
    """``text`` up to and including its line number ``last`` (from 0)."""
    kept = text.split("\n")
    del kept[last + 1 :]
    return "\n".join(kept)


def cut_history(body: str, lexicon: Lexicon | None = None) -> str:
    """``body`` up to the first quote header, Outlook header block or signature
    delimiter (``-- ``, "Sent from my ..."), without ``>`` lines and trailing blank
    lines. Fast: one regex scan finds the few lines that could start history, and
    only those are tested against the lexicon's patterns."""
    return cut_history_clean(body, lexicon)[0]


def cut_history_clean(body: str, lexicon: Lexicon | None = None) -> tuple[str, bool]:
    """:func:`cut_history` and whether the cut was clean: no ``\\r``, no ``>`` line
    dropped, no letter that changes length when lower-cased. A clean cut is a
    prefix of whole lines of ``body`` in which no line starts history, so cutting
    any prefix of whole lines of it again finds nothing to cut."""
    lx = lexicon or union()
    clean = True
    if "\r" in body:
        clean = False
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    lower = body.lower()
    if len(lower) != len(body):  # a few letters change length when lower-cased
        body = lower
        clean = False
    end = len(body)
    quoted = False
    # the pattern starts with "\n" (each line's start, found by a fast scan for that
    # character), so the text gets one in front; a match starts where its line does
    for match in _candidates(lx).finditer("\n" + lower):
        start = match.start()
        line_end = lower.find("\n", start)
        if line_end < 0:
            line_end = len(lower)
        line = lower[start:line_end].strip()
        if line.startswith(">"):
            quoted = True
            continue
        cut = _history_start(lower, start, line_end, line, lx)
        if cut is not None:
            end = cut
            break
    text = body[:end]
    if quoted:
        text = "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))
        clean = False
    return text.rstrip(), clean


_CANDIDATES: dict[str, re.Pattern[str]] = {}


def _candidates(lx: Lexicon) -> re.Pattern[str]:
    """Lines that may start quoted history or a signature, in lower-cased text
    with a ``\\n`` put in front (matches start at the ``\\n`` ending the line before)."""
    pattern = _CANDIDATES.get(lx.code)
    if pattern is None:
        pattern = re.compile(
            rf"(?m)\n(?:[ \t]*(?:[>_*-]|(?:{lx.signature.pattern})$|(?:{_FROM_WORDS})\s*:)|[^\n]*:[ \t]*$)"
        )
        _CANDIDATES[lx.code] = pattern
    return pattern


def _history_start(text: str, start: int, line_end: int, line: str, lx: Lexicon) -> int | None:
    """Where history starts if the (lower-cased, stripped) ``line`` at ``start`` in
    ``text`` starts it (a header wrapped over two lines starts on the line before)."""
    if line.endswith(":"):
        if lx.quote_header.fullmatch(line):
            return start if _header_like(line, text, line_end) else None
        previous_start = text.rfind("\n", 0, max(start - 1, 0)) + 1
        previous = text[previous_start : max(start - 1, 0)].strip()
        if previous and len(previous) < 160 and lx.quote_header.fullmatch(f"{previous} {line}"):
            return previous_start if _header_like(f"{previous} {line}", text, line_end) else None
    if line[:1] in "-_" and lx.quote_header.fullmatch(line):
        return start
    if (line[:1] == "-" or len(line) < 64) and lx.signature.fullmatch(line):
        return start
    if _FROM.match(line):
        following = [item for item in text[line_end : line_end + 400].split("\n")[1:6] if item.strip()]
        if any(_SENT.match(item) for item in following) and (
            "@" in line or any("@" in item or _DATED.match(item) for item in following)
        ):
            previous_start = text.rfind("\n", 0, max(start - 1, 0)) + 1
            return previous_start if _DATED.match(text[previous_start : max(start - 1, 0)]) else start
    return None


def _header_like(header: str, text: str, line_end: int) -> bool:
    """Whether a line matching a quote header really introduces history: it has a date
    or an address, or the next non-blank line is quoted (``>``) or a "From:" line. "On
    Monday our engineer wrote:" before a quoted sentence is the author's own text."""
    if _DIGIT_OR_AT.search(header):
        return True
    following = text[line_end : line_end + 400].lstrip()
    return following.startswith(">") or _FROM.match(following) is not None


def name_like(line: str) -> bool:
    """Whether ``line`` looks like part of a name/title/contact block rather than a
    sentence: short, few words, no question; contact details; or an organisation line
    (a legal form, a name in quotes, "Team – Company")."""
    text = line.strip()
    if not text:
        return True
    if len(text) <= 90 and _CONTACT.search(text):
        return True
    words = text.split()
    if _organisation(text, words):
        return True
    if len(text) > 60 or len(words) > 7:
        return False
    if text[-1] in "?!:":
        return False
    return not (text.endswith(".") and len(words) > 3)


_ADDRESS = re.compile(
    r"^(?:(?:ul|al|pl|os|ул|пр|просп|пер|avda|av|str|rue)\.|c/)\s*[^\W\d_]"  # "ul. Długa 5", "c/ Mayor 3"
    r"|(?<![\d-])(?:\d{2}-\d{3}|\d{5}|\d{6})\s+[^\W\d_]",  # a postal code and a town: "00-001 Warszawa"
    re.IGNORECASE,
)


def address_line(line: str) -> bool:
    """Whether ``line`` is a postal address of a signature: name-like (:func:`name_like`),
    opening with a street ("ul. Głupia 3, Szczecin" names a street, it calls no one
    stupid) or holding a postal code and a town."""
    text = line.strip()
    return bool(text) and _ADDRESS.search(text) is not None and name_like(text)


def _organisation(text: str, words: list[str]) -> bool:
    """Whether the stripped ``text`` is a company or department line of a signature."""
    if len(text) > 90 or len(words) > 12 or text[-1] in "?!:" or _ORGANISATION.search(text) is None:
        return False
    if _SENTENCE_END.search(_ORDINAL.sub(" ", _TITLE.sub(" ", _ORGANISATION.sub(" ", text)))):  # two sentences, not a name
        return False
    return not text.endswith(".") or _LEGAL_END.search(text) is not None


QUOTED = re.compile(
    r'"[^"\n]{1,300}"|“[^“”\n]{1,300}[”“]|„[^„“”\n]{1,300}[“”]|«[^«»\n]{1,300}»|‘[^‘’\n]{1,300}’'
    r"|(?<![\w'’])'(?=[^\s'])[^'\n]{1,300}(?<=[^\s'])'(?!\w)"  # 'single', not the apostrophe of "don't"
)
"""Words in quotation marks on one line: the agent citing someone (``You wrote "this is a scam"``)."""


_SHOUT_WORDS = 4
_SHOUT_LETTERS = 15
_CLAUSES = re.compile(r"[^.!?…\n]+")
_UPPER = re.escape("".join(c for c in map(chr, range(0x2000)) if c.isupper()))
_CAPITALS = re.compile(f"[{_UPPER}]{{4}}")
"""Four capital letters in a row (of the alphabets up to U+1FFF), which a shouted sentence has."""


def shouting(lines: Sequence[str]) -> str:
    """The first sentence of ``lines`` written in capitals, which reads as shouting,
    or "" when there is none. It takes at least four words and 15 letters, every cased
    letter upper case, and no digit (order lines, codes and addresses are often in
    capitals); words in quotation marks (:data:`QUOTED`) and name, title and
    organisation lines (:func:`name_like`) do not count."""
    for line in lines:
        if _CAPITALS.search(line) is None or name_like(line):
            continue
        sentence: str
        for sentence in _CLAUSES.findall(QUOTED.sub(" ", line)):
            if (
                sentence.isupper()
                and len(sentence.split()) >= _SHOUT_WORDS
                and sum(map(str.isalpha, sentence)) >= _SHOUT_LETTERS
                and not any(map(str.isdigit, sentence))
            ):
                return sentence.strip()
    return ""


def last_sentence(line: str) -> str:
    """The last sentence of ``line`` that has letters (or the whole line)."""
    text = line.strip()
    if _ENDS.isdisjoint(text):  # one sentence: itself, letters or not
        return text
    parts = [p for p in _SENTENCE_END.split(text) if _LETTER.search(p)]
    return parts[-1] if parts else text


def find_closing(lines: Sequence[str], lx: Lexicon, max_tail: int = 5) -> int | None:
    """Index of the line that closes the message (a sign-off or an offer of further
    help), looking back from the end over at most ``max_tail`` name-like lines and
    any legal or confidentiality footer (``lx.footer``); ``None`` when the message
    ends without one."""
    skipped = 0
    unchecked: list[int] = []
    index = len(lines) - 1
    while index >= 0:
        line = lines[index].strip()
        if not line:
            index -= 1
            continue
        sentence = last_sentence(line).lower()
        if is_signoff(sentence, lx):
            return index
        if lx.closing.search(sentence):
            return index
        if name_like(line):
            # a name-like line of a footer paragraph ("VAT No. GB 123 4567 89.") does not use up
            # the tail; checked only once the tail is too long, as that is rare
            unchecked.append(index)
            if skipped + len(unchecked) > max_tail:
                skipped += sum(_footer_start(lines, i, lx) is None for i in unchecked)
                unchecked.clear()
                if skipped > max_tail:
                    return None
            index -= 1
            continue
        start = _footer_start(lines, index, lx)
        if start is None:
            return None
        index = start - 1
    return None


def is_signoff(sentence: str, lx: Lexicon) -> bool:
    """Whether ``sentence`` (a line's last sentence, lower-cased) is a sign-off of ``lx``
    ("Best regards,", "Mit freundlichen Grüßen"): short, and starting with one."""
    return lx.signoff.match(sentence) is not None and len(sentence.split()) <= 8


def _footer_start(lines: Sequence[str], index: int, lx: Lexicon) -> int | None:
    """Where the run of sentence lines holding line ``index`` starts, when its paragraph
    (between blank lines) is a legal or confidentiality footer; else ``None``."""
    start = index
    while start > 0 and lines[start - 1].strip() and not name_like(lines[start - 1]):
        start -= 1
    first, last = start, index
    while first > 0 and lines[first - 1].strip():
        first -= 1
    while last + 1 < len(lines) and lines[last + 1].strip():
        last += 1
    paragraph = " ".join(line.strip() for line in lines[first : last + 1]).lower()
    return start if lx.footer.search(paragraph) is not None else None


def closing_index(text: str, lx: Lexicon) -> int | None:
    """``find_closing(text.split("\\n"), lx)``."""
    return find_closing(text.split("\n"), lx)


def first_line(text: str) -> str:
    """The first non-blank line of ``text`` (empty if there is none)."""
    for line in text.split("\n"):
        if line.strip():
            return line.strip()
    return ""


def strip_subject(subject: str, lexicon: Lexicon | None = None) -> str:
    """``subject`` without reply and forward prefixes ("Re:", "AW:", "Odp:", "RV:" ...)."""
    lx = lexicon or union()
    match = lx.reply_prefix.match(subject.lower())
    return subject[match.end() :].strip() if match else subject.strip()
