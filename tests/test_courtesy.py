"""The courtesy standard, through the Engine with a book loaded from a config file."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from csbridge.config import load_config
from csbridge.models import Finding, FindingStatus, Message, Person, Priority, Role, Status, Ticket
from csbridge.standards import Engine
from csbridge.standards.courtesy import register_standards
from csbridge.standards.text import address_line

_spec = importlib.util.spec_from_file_location("corpus_scoring", Path(__file__).parent / "corpus" / "scoring.py")
assert _spec is not None and _spec.loader is not None
scoring = importlib.util.module_from_spec(_spec)
sys.modules["corpus_scoring"] = scoring
_spec.loader.exec_module(scoring)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CUSTOMER = Person("c1", Role.CUSTOMER, "Anna Nowak", "anna@example.pl")
AGENT = Person("a7", Role.AGENT, "Jan Kowalski", "jan@acme.example")
SYSTEM = Person("s1", Role.SYSTEM, "Automation")
POLISH_QUESTION = "Dzień dobry, nie mogę znaleźć faktury za marzec na swoim koncie. Czy mogą mi Państwo pomóc?"


def make_engine(tmp_path: Path, section: str = "") -> Engine:
    path = tmp_path / "csbridge.toml"
    path.write_text(f'[standards.courtesy]\nlanguages = ["en", "pl", "ru", "ca", "es", "de"]\n{section}', "utf-8")
    standards: list[Any] = []
    register_standards(standards.append)
    return Engine(load_config(path).book, standards)


def ticket(*messages: tuple[Person, str] | tuple[Person, str, bool]) -> Ticket:
    built = []
    for number, spec in enumerate(messages, start=1):
        public = spec[2] if len(spec) == 3 else True  # type: ignore[misc]
        built.append(Message(f"m{number}", spec[0], public, T0 + timedelta(hours=number), spec[1]))
    return Ticket("42", "helpdesk", "Faktura", Status.OPEN, Priority.NORMAL, T0, tuple(built))


def breaches(engine: Engine, t: Ticket) -> dict[str, Finding]:
    found = engine.evaluate(t, T0 + timedelta(days=1)).findings
    return {f.rule: f for f in found if f.status is FindingStatus.BREACHED}


def rules(engine: Engine, t: Ticket) -> set[str]:
    return {f.rule for f in engine.evaluate(t, T0 + timedelta(days=1)).findings}


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(tmp_path)


# -- the labelled corpus ---------------------------------------------------------------


def test_corpus_has_enough_replies_in_every_language() -> None:
    entries = scoring.load()
    assert len(entries) >= 300
    for language in scoring.LANGUAGES:
        assert sum(1 for e in entries if e.language == language) >= 50, language
    assert sum(1 for e in entries if e.heldout) >= len(entries) // 6


def test_corpus_f1_per_rule_and_language(tmp_path: Path) -> None:
    scores = scoring.score(scoring.engine(tmp_path), scoring.load())
    low = {
        f"{rule}/{language}": round(s.f1, 3)
        for (rule, language), s in scores.items()
        if rule in ("greeting", "closing", "rude") and s.f1 < 0.95
    }
    assert not low, f"F1 below 0.95: {low}; misses: {[m for s in scores.values() for m in s.misses]}"
    assert {language for (_, language) in scores} == set(scoring.LANGUAGES)


MIN_RUDE_SENTENCES, MIN_COMPLAINT_SENTENCES = 250, 25  # per language


def test_probe_sentences_are_all_judged_right(tmp_path: Path) -> None:
    # short sentences probing the classes of rude wording and of complaints, true and false,
    # in every language: a lexicon change that breaks one of them fails here
    sentences = scoring.load_sentences()
    for language in scoring.LANGUAGES:
        mine = [s for s in sentences if s.language == language]
        assert sum("rude" in s.labels for s in mine) >= MIN_RUDE_SENTENCES, language
        assert sum("complaint" in s.labels for s in mine) >= MIN_COMPLAINT_SENTENCES, language
    scores = scoring.score(scoring.engine(tmp_path), sentences)
    assert [m for s in scores.values() for m in s.misses] == []


def test_corpus_promises_and_empathy_are_recognised(tmp_path: Path) -> None:
    scores = scoring.score(scoring.engine(tmp_path), scoring.load())
    for rule in ("promise", "empathy"):
        total = [s for (r, _), s in scores.items() if r == rule]
        right = sum(s.tp + s.tn for s in total)
        wrong = sum(s.fp + s.fn for s in total)
        assert right >= 30 and wrong <= right // 20, (rule, [m for s in total for m in s.misses])


# -- what a finding says ----------------------------------------------------------------


def test_missing_greeting_and_closing_are_breaches_with_a_fix_in_the_customers_language(engine: Engine) -> None:
    t = ticket((CUSTOMER, POLISH_QUESTION), (AGENT, "Faktura jest w zakładce Płatności, w sekcji Faktury."))
    found = breaches(engine, t)
    greeting, closing = found["courtesy.greeting"], found["courtesy.closing"]
    for finding in (greeting, closing):
        assert finding.message_id == "m2" and finding.agent_id == "a7"
        assert finding.source == "helpdesk" and finding.ticket_id == "42"
        assert "Polish" in finding.detail
    assert '"Dzień dobry,"' in greeting.fix
    assert '"Pozdrawiam serdecznie,"' in closing.fix


def test_polite_reply_meets_everything(engine: Engine) -> None:
    reply = "Dzień dobry Pani Anno,\n\nfaktura jest w zakładce Płatności.\n\nPozdrawiam serdecznie,\nJan"
    t = ticket((CUSTOMER, POLISH_QUESTION), (AGENT, reply))
    assert breaches(engine, t) == {}
    statuses = {f.rule: f.status for f in engine.evaluate(t, T0).findings}
    assert statuses == {
        "courtesy.greeting": FindingStatus.MET,
        "courtesy.closing": FindingStatus.MET,
        "courtesy.rude": FindingStatus.MET,
        "courtesy.language": FindingStatus.MET,
    }


def test_rude_finding_quotes_the_offending_words(engine: Engine) -> None:
    reply = "Hello,\n\nAs I already told you, the invoice is under Billing.\n\nRegards,\nJan"
    t = ticket((CUSTOMER, "Hello, where can I find the March invoice in my account please?"), (AGENT, reply))
    rude = breaches(engine, t)["courtesy.rude"]
    assert rude.quote == "As I already told you"
    assert rude.message_id == "m2" and rude.fix


def test_a_sentence_in_capitals_is_shouting(engine: Engine) -> None:
    customer = (CUSTOMER, "Hello, I still cannot open the attachment you sent me yesterday, can you help?")
    shouts = {
        "en": "Hello Anna,\n\nTHE ATTACHMENT IS IN MY FIRST EMAIL. Please open it from there.\n\nBest regards,\nJan",
        "pl": "Dzień dobry,\n\nZałącznik jest w mailu. PROSZĘ NAJPIERW PRZECZYTAĆ CAŁĄ WIADOMOŚĆ!\n\nPozdrawiam,\nJan",
        "ru": "Здравствуйте!\n\nФАЙЛ УЖЕ ЛЕЖИТ В ПЕРВОМ ПИСЬМЕ, ОТКРОЙТЕ ЕГО.\n\nС уважением,\nЯн",
    }
    for language, reply in shouts.items():
        rude = breaches(engine, ticket(customer, (AGENT, reply)))["courtesy.rude"]
        assert rude.quote.isupper() and len(rude.quote.split()) >= 4, language
        assert "capitals" in rude.detail and "capitals" in rude.fix


def test_capitals_that_are_not_shouting(engine: Engine) -> None:
    customer = (CUSTOMER, "Hello, I still cannot open the attachment you sent me yesterday, can you help?")
    calm = [
        # acronyms and a short notice
        "Hello Anna,\n\nThe PDF from our CRM is attached. PLEASE NOTE: it expires.\n\nBest regards,\nJan",
        # an order line and an address: digits
        "Hello Anna,\n\nORDER 4471-B SHIPPED TO UL. MARSZALKOWSKA 10 WARSZAWA\n\nBest regards,\nJan",
        # the customer's words, cited
        'Hello Anna,\n\nYou wrote "I CANNOT OPEN ANY OF YOUR FILES". Here is a new link.\n\nBest regards,\nJan',
        # a signature in capitals below the closing, and an organisation line without one
        "Hello Anna,\n\nHere is a new link.\n\nBest regards,\nJAN KOWALSKI\nACME GLOBAL LOGISTICS SOLUTIONS GMBH",
        "Hello Anna,\n\nHere is a new link, I hope it works now.\n\nACME GLOBAL LOGISTICS SOLUTIONS GMBH",
    ]
    for reply in calm:
        assert "courtesy.rude" not in breaches(engine, ticket(customer, (AGENT, reply))), reply


def test_rude_words_match_on_word_boundaries_and_never_in_quoted_text(engine: Engine) -> None:
    customer = (CUSTOMER, "Hello, is the Shell card accepted in Scunthorpe? I could not find it in the app.")
    clean = "Hi,\n\nShell cards work at every station in Scunthorpe.\n\nBest regards,\nJan"
    quoting = (
        "Hi,\n\nThe station is back on the map.\n\nBest regards,\nJan\n\n"
        "On Mon, 2 Mar 2026 at 10:00, Anna wrote:\n> Calm down? That's not our problem, you said. What the hell."
    )
    assert "courtesy.rude" not in breaches(engine, ticket(customer, (AGENT, clean)))
    assert "courtesy.rude" not in breaches(engine, ticket(customer, (AGENT, quoting)))


def test_a_street_in_the_signature_address_is_no_rude_word(engine: Engine) -> None:
    customer = (CUSTOMER, "Dzień dobry, czy mogę przełożyć wizytę w salonie na piątek?")
    reply = (
        "Dzień dobry,\n\nprzesyłam potwierdzenie rezerwacji na zabieg w piątek o 16:00.\n\n"
        "Pozdrawiamy\nSalon Urody Bella\n{address}\ntel. 91 488 22 10"
    )
    for address in ("ul. Głupia 3, Szczecin", "Głupia 3, 70-001 Szczecin"):
        assert "courtesy.rude" not in breaches(engine, ticket(customer, (AGENT, reply.format(address=address)))), address
    rude = reply.format(address="ul. Długa 3, Szczecin").replace("16:00.", "16:00. To nie nasz problem.")
    assert "courtesy.rude" in breaches(engine, ticket(customer, (AGENT, rude)))
    for line in ("Calm down, 08001", "Read the FAQ: www.example.com/faq", "Calm down. Ticket 48213"):
        assert not address_line(line), line


def test_words_the_agent_cites_in_quotation_marks_are_not_the_agents(engine: Engine) -> None:
    customer = (CUSTOMER, "Your app is a scam and your support is useless, I want my money back now!")
    citing = (
        'Hello Anna,\n\nI understand you are upset. You wrote "your app is a stupid scam", and I am sorry it '
        "felt that way: the refund is on its way.\n\nBest regards,\nJan"
    )
    assert "courtesy.rude" not in breaches(engine, ticket(customer, (AGENT, citing)))
    for cited in ("«это тупое приложение»", "„eine bescheuerte App“", "“a stupid app”", "'a stupid app'"):
        reply = f"Hello Anna,\n\nYou called it {cited}; the refund is on its way.\n\nBest regards,\nJan"
        assert "courtesy.rude" not in breaches(engine, ticket(customer, (AGENT, reply))), cited
    rude_too = (
        'Hello Anna,\n\nYou wrote "a stupid app". Calm down, the refund is on its way.\n\nBest regards,\nJan'
    )
    assert breaches(engine, ticket(customer, (AGENT, rude_too)))["courtesy.rude"].quote == "Calm down"
    apostrophes = "Hello Anna,\n\nDon't worry: it's 'fixed' now. Calm down, it's the customers' fault.\n\nBest regards,\nJan"
    assert breaches(engine, ticket(customer, (AGENT, apostrophes)))["courtesy.rude"].quote == "Calm down"


def test_greeting_counts_only_at_the_start_and_closing_only_at_the_end(engine: Engine) -> None:
    customer = (CUSTOMER, "Bon dia, no trobo la factura de març al meu compte. Em podeu ajudar, si us plau?")
    farewell = "La factura és a l'apartat Facturació, us l'he tornat a enviar per correu.\n\nBon dia!\nJordi"
    found = breaches(engine, ticket(customer, (AGENT, farewell)))
    assert "courtesy.greeting" in found and "courtesy.closing" not in found
    mid = "Say hello to the new billing page: the invoice is there now.\n\nBest regards,\nJan"
    english = (CUSTOMER, "Hello, where can I find the March invoice in my account please?")
    assert "courtesy.greeting" in breaches(engine, ticket(english, (AGENT, mid)))
    greeting_at_end = "Hi Anna,\n\nThe invoice is under Billing now. Hello"
    assert "courtesy.closing" in breaches(engine, ticket(english, (AGENT, greeting_at_end)))


def test_names_after_the_salutation_are_fine(engine: Engine) -> None:
    replies = {
        "pl": "Dzień dobry Panie Janie,\n\nfaktura jest już w zakładce Płatności.\n\nPozdrawiam,\nAnna",
        "es": "Hola María:\n\nla factura ya está en Facturación.\n\nUn saludo,\nAnna",
        "de": "Sehr geehrte Frau Müller,\n\ndie Rechnung liegt jetzt unter Abrechnung.\n\nMit freundlichen Grüßen\nAnna",
    }
    for language, reply in replies.items():
        customer = (CUSTOMER, scoring.OPENING[language])
        assert "courtesy.greeting" not in breaches(engine, ticket(customer, (AGENT, reply))), language


def test_a_greeting_from_another_language_counts_only_as_a_salutation(engine: Engine) -> None:
    polish = (CUSTOMER, POLISH_QUESTION)
    hello = "Hello Panie Janie,\n\nfaktura jest już w zakładce Płatności.\n\nPozdrawiam,\nAnna"
    assert "courtesy.greeting" not in breaches(engine, ticket(polish, (AGENT, hello)))
    english = (CUSTOMER, "Hello, are hi-vis jackets covered by the warranty?")
    sentence = "Hi-vis jackets are not covered by the warranty, I am afraid.\n\nBest regards,\nJan"
    assert "courtesy.greeting" in breaches(engine, ticket(english, (AGENT, sentence)))


def test_only_public_agent_messages_are_judged(engine: Engine) -> None:
    note = Message("m2", AGENT, False, T0 + timedelta(hours=2), "internal: customer is a pain, that's not our problem")
    own = Message("m3", AGENT, True, T0 + timedelta(hours=3), "Reminder", from_csbridge=True)
    system = Message("m4", SYSTEM, True, T0 + timedelta(hours=4), "Your ticket was updated")
    first = Message("m1", CUSTOMER, True, T0, POLISH_QUESTION)
    t = Ticket("42", "helpdesk", "x", Status.OPEN, Priority.NORMAL, T0, (first, note, own, system))
    assert engine.evaluate(t, T0 + timedelta(days=1)).findings == []


# -- empathy and language ---------------------------------------------------------------


def test_reply_after_a_complaint_must_acknowledge_it(engine: Engine) -> None:
    complaint = (CUSTOMER, "To już trzeci raz piszę w tej sprawie i nadal nie działa. To niedopuszczalne!")
    cold = "Dzień dobry,\n\nfaktura jest w zakładce Płatności.\n\nPozdrawiam,\nJan"
    warm = "Dzień dobry,\n\nbardzo przepraszam za kłopot. Faktura jest w zakładce Płatności.\n\nPozdrawiam,\nJan"
    empathy = breaches(engine, ticket(complaint, (AGENT, cold)))["courtesy.empathy"]
    assert empathy.message_id == "m2" and "m1" in empathy.detail and "Przepraszam" in empathy.fix
    assert "courtesy.empathy" not in breaches(engine, ticket(complaint, (AGENT, warm)))
    assert "courtesy.empathy" in rules(engine, ticket(complaint, (AGENT, warm)))


def test_no_empathy_finding_without_a_complaint(engine: Engine) -> None:
    t = ticket((CUSTOMER, POLISH_QUESTION), (AGENT, "Dzień dobry,\n\nfaktura jest w Płatnościach.\n\nPozdrawiam"))
    assert "courtesy.empathy" not in rules(engine, t)


def test_only_the_next_reply_owes_the_apology(engine: Engine) -> None:
    complaint = (CUSTOMER, "Still not working. This is the third time I'm writing, it's unacceptable.")
    first = (AGENT, "Hi Anna,\n\nI'm sorry for the trouble, I've reset the account.\n\nBest regards,\nJan")
    second = (AGENT, "Hi Anna,\n\nJust checking that the reset worked.\n\nBest regards,\nJan")
    findings = engine.evaluate(ticket(complaint, first, second), T0).findings
    assert [(f.message_id, f.status) for f in findings if f.rule == "courtesy.empathy"] == [
        ("m2", FindingStatus.MET)
    ]


def test_reply_in_another_language_than_the_customers(engine: Engine) -> None:
    german = "Guten Tag,\n\ndie Rechnung finden Sie unter Abrechnung in Ihrem Konto.\n\nMit freundlichen Grüßen\nJan"
    language = breaches(engine, ticket((CUSTOMER, POLISH_QUESTION), (AGENT, german)))["courtesy.language"]
    assert "German" in language.detail and "Polish" in language.detail
    assert language.fix == "Answer in Polish."


def test_no_language_finding_for_foreign_customers_or_short_texts(engine: Engine) -> None:
    french = (CUSTOMER, "Bonjour, je ne trouve pas la facture de mars dans mon compte. Pouvez-vous m'aider ?")
    reply = (AGENT, "Hello,\n\nthe invoice is under Billing in your account.\n\nBest regards,\nJan")
    assert "courtesy.language" not in rules(engine, ticket(french, reply))
    short = (AGENT, "Gotowe!")
    assert "courtesy.language" not in rules(engine, ticket((CUSTOMER, POLISH_QUESTION), short))


# -- configuration ----------------------------------------------------------------------


def test_the_book_chooses_the_rules(tmp_path: Path) -> None:
    quiet = make_engine(
        tmp_path, "require = []\nforbid = []\nempathy_after_complaint = false\ncheck_language = false\n"
    )
    t = ticket(
        (CUSTOMER, "Still not working, third time I write. Unacceptable."),
        (AGENT, "Calm down, das ist nicht unser Problem"),
    )
    assert quiet.evaluate(t, T0).findings == []
    closing_only = make_engine(tmp_path, 'require = ["closing"]\n')
    assert "courtesy.greeting" not in rules(closing_only, t) and "courtesy.closing" in rules(closing_only, t)


def test_no_courtesy_section_no_check(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("", "utf-8")
    standards: list[Any] = []
    register_standards(standards.append)
    engine = Engine(load_config(path).book, standards)
    assert engine.evaluate(ticket((CUSTOMER, POLISH_QUESTION), (AGENT, "x")), T0).findings == []


def test_sample_helpdesk_replies_are_judged_in_their_own_language(engine: Engine) -> None:
    from csbridge.sample import DEMO_START, generate_helpdesk

    def findings() -> Iterator[Finding]:
        for t in generate_helpdesk(120, seed=2, start=DEMO_START):
            yield from engine.evaluate(t, DEMO_START + timedelta(days=40)).findings

    found = list(findings())
    wrong_language = [f for f in found if f.rule == "courtesy.language" and f.status is FindingStatus.BREACHED]
    assert not wrong_language, wrong_language[:3]
    rude = [f for f in found if f.rule == "courtesy.rude" and f.status is FindingStatus.BREACHED]
    assert rude and all(f.quote for f in rude)
