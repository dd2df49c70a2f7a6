"""Load the labelled corpus and score the courtesy standard on it through the Engine.

Shared by ``tests/test_courtesy.py`` and ``bench/courtesy_corpus.py``: each corpus
reply becomes a ticket (a customer message in the reply's language, then the reply)
evaluated by :class:`csbridge.standards.Engine` with the built-in courtesy standard.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from csbridge.config import load_config
from csbridge.models import FindingStatus, Message, Person, Priority, Role, Status, Ticket
from csbridge.standards import Engine
from csbridge.standards.courtesy import register_standards
from csbridge.standards.promises import find_promise

CORPUS = Path(__file__).parent
LANGUAGES = ("en", "pl", "ru", "ca", "es", "de")
RULES = ("greeting", "closing", "rude", "empathy", "promise", "complaint")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OPENING = {
    "en": "Hello, I can't find the invoice for March in my account. Could you help me please?",
    "pl": "Dzień dobry, nie mogę znaleźć faktury za marzec na swoim koncie. Czy mogą mi Państwo pomóc?",
    "ru": "Здравствуйте, не могу найти счёт за март в личном кабинете. Помогите, пожалуйста.",
    "ca": "Bon dia, no trobo la factura de març al meu compte. Em podeu ajudar, si us plau?",
    "es": "Hola, no encuentro la factura de marzo en mi cuenta. ¿Me pueden ayudar, por favor?",
    "de": "Guten Tag, ich finde die Rechnung für März nicht in meinem Konto. Können Sie mir bitte helfen?",
}
NEUTRAL = {  # a reply that neither apologises nor acknowledges: after a complaint it owes empathy
    "en": "Hello,\n\nThe invoice for March is attached to this message.\n\nBest regards,\nAnna",
    "pl": "Dzień dobry,\n\nfaktura za marzec jest w załączniku do tej wiadomości.\n\nPozdrawiam,\nAnna",
    "ru": "Здравствуйте!\n\nСчёт за март приложен к этому письму.\n\nС уважением,\nАнна",
    "ca": "Bon dia,\n\nla factura de març és adjunta a aquest missatge.\n\nSalutacions,\nAnna",
    "es": "Hola:\n\nla factura de marzo va adjunta a este mensaje.\n\nSaludos,\nAnna",
    "de": "Guten Tag,\n\ndie Rechnung für März finden Sie im Anhang dieser Nachricht.\n\nViele Grüße\nAnna",
}
COMPLAINT = {  # a plain complaint: the probe sentences of `empathy` / `not_empathy` answer it
    "en": "This is the third time my order has arrived late, and nobody has answered my emails.",
    "pl": "To już trzeci raz, kiedy zamówienie przychodzi spóźnione, a nikt nie odpowiada na moje maile.",
    "ru": "Уже третий раз заказ приходит с опозданием, и никто не отвечает на мои письма.",
    "ca": "És la tercera vegada que la comanda arriba tard i ningú no respon els meus correus.",
    "es": "Es la tercera vez que el pedido llega tarde y nadie responde a mis correos.",
    "de": "Das ist schon das dritte Mal, dass die Bestellung zu spät kommt, und niemand antwortet auf meine E-Mails.",
}
SENTENCES = CORPUS / "sentences"


@dataclass(frozen=True)
class Entry:
    """One labelled reply."""

    language: str
    index: int
    text: str
    labels: dict[str, bool]
    complaint_before: str = ""
    heldout: bool = False


def load(languages: Iterable[str] = LANGUAGES) -> list[Entry]:
    """Every entry of the corpus files of ``languages``."""
    entries: list[Entry] = []
    for language in languages:
        if not (CORPUS / f"{language}.toml").exists():
            continue
        data = tomllib.loads((CORPUS / f"{language}.toml").read_text(encoding="utf-8"))
        for index, raw in enumerate(data["reply"]):
            labels = {rule: bool(raw[rule]) for rule in ("greeting", "closing", "rude")}
            if "empathy" in raw:
                labels["empathy"] = bool(raw["empathy"])
            if "promise" in raw:
                labels["promise"] = bool(raw["promise"])
            entries.append(
                Entry(language, index, raw["text"], labels, raw.get("complaint_before", ""), raw.get("heldout", False))
            )
    return entries


def load_sentences(languages: Iterable[str] = LANGUAGES) -> list[Entry]:
    """The probe sentences of ``sentences/<language>.toml`` as entries labelled for one
    rule each: ``rude``/``not_rude`` agent sentences, ``complaint``/``not_complaint``
    customer sentences (answered by the language's neutral reply), ``empathy``/
    ``not_empathy`` agent sentences answering the language's plain complaint,
    ``greeting``/``not_greeting`` opening lines and ``closing``/``not_closing`` last
    lines, each put in the language's neutral reply in place of its own greeting or
    sign-off (the agent's name still follows a closing line)."""
    entries: list[Entry] = []
    for language in languages:
        path = SENTENCES / f"{language}.toml"
        if not path.exists():
            continue
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        keys = ("rude", "not_rude", "complaint", "not_complaint", "empathy", "not_empathy",
                "greeting", "not_greeting", "closing", "not_closing")
        greeting, body, signoff = NEUTRAL[language].split("\n\n")
        for key in keys:
            rule = key.removeprefix("not_")
            for text in data.get(key, []):
                index = 10_000 + len(entries)
                truth = not key.startswith("not_")
                if rule == "rude":
                    entries.append(Entry(language, index, text, {"rude": truth}))
                elif rule == "greeting":
                    entries.append(Entry(language, index, f"{text}\n\n{body}\n\n{signoff}", {"greeting": truth}))
                elif rule == "closing":
                    name = signoff.rsplit("\n", 1)[1]
                    entries.append(Entry(language, index, f"{greeting}\n\n{body}\n\n{text}\n{name}", {"closing": truth}))
                elif rule == "empathy":
                    entries.append(Entry(language, index, text, {"empathy": truth}, complaint_before=COMPLAINT[language]))
                else:
                    entries.append(Entry(language, index, NEUTRAL[language], {"complaint": truth}, complaint_before=text))
    return entries


def engine(config_dir: Path) -> Engine:
    """An Engine with the courtesy standard for all six languages, from a config file."""
    path = config_dir / "courtesy.toml"
    path.write_text('[standards.courtesy]\nlanguages = ["en", "pl", "ru", "ca", "es", "de"]\n', encoding="utf-8")
    config = load_config(path)
    standards: list[Any] = []
    register_standards(standards.append)
    return Engine(config.book, standards)


def ticket(entry: Entry) -> Ticket:
    """The entry as a two-message ticket."""
    customer = Person(f"c{entry.index}", Role.CUSTOMER, "Customer", "customer@example.com")
    agent = Person("a1", Role.AGENT, "Agent", "agent@acme.example")
    body = entry.complaint_before or OPENING[entry.language]
    return Ticket(
        id=f"{entry.language}-{entry.index}",
        source="corpus",
        subject="corpus",
        status=Status.PENDING,
        priority=Priority.NORMAL,
        created_at=START,
        messages=(
            Message("m1", customer, True, START, body),
            Message("m2", agent, True, START + timedelta(hours=1), entry.text),
        ),
    )


def predictions(engine: Engine, entry: Entry) -> dict[str, bool]:
    """What the standard says of the reply, in the labels' terms (True = present);
    ``promise`` is what :func:`find_promise` finds in it."""
    found = {f.rule.removeprefix("courtesy."): f.status for f in engine.evaluate(ticket(entry), START).findings}
    result = {
        "greeting": found.get("greeting") is FindingStatus.MET,
        "closing": found.get("closing") is FindingStatus.MET,
        "rude": found.get("rude") is FindingStatus.BREACHED,
    }
    if "empathy" in found:
        result["empathy"] = found["empathy"] is FindingStatus.MET
    result["complaint"] = "empathy" in found  # an empathy finding is made after a complaint only
    result["promise"] = find_promise(entry.text, entry.language) is not None
    return result


@dataclass
class Score:
    """Counts for one rule and language; the positive class is the label being true."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, truth: bool, predicted: bool, where: str) -> None:
        if truth and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
            self.misses.append(f"false positive: {where}")
        elif truth:
            self.fn += 1
            self.misses.append(f"false negative: {where}")
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(engine: Engine, entries: Iterable[Entry]) -> dict[tuple[str, str], Score]:
    """Scores keyed by (rule, language)."""
    scores: dict[tuple[str, str], Score] = {}
    for entry in entries:
        predicted = predictions(engine, entry)
        for rule in RULES:
            if rule in entry.labels:
                truth = entry.labels[rule]
                got = predicted.get(rule, False)
                where = f"{entry.language}#{entry.index} {entry.text[:60]!r}"
                scores.setdefault((rule, entry.language), Score()).add(truth, got, where)
    return scores
