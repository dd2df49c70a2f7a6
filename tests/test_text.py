"""strip_reply: quoted history and signatures go, the closing line stays."""

from __future__ import annotations

import pytest

from csbridge.standards.text import cut_history, name_like, strip_reply, strip_subject

HISTORY = [
    "On Mon, 3 Mar 2025 at 10:12, Anna Nowak <anna@example.com> wrote:",
    "W dniu 3.03.2025 o 10:12 Anna Nowak napisał(a):",
    "-----Original Message-----",
    "Am 03.03.2025 um 10:12 schrieb Anna Nowak <anna@example.com>:",
    "El lun, 3 mar 2025 a las 10:12, Anna Nowak (<anna@example.com>) escribió:",
    "3 марта 2025 г., в 10:12, Анна Новак <anna@example.com> писал(а):",
    "El dl., 3 de març 2025 a les 10:12, Anna Nowak <anna@example.com> va escriure:",
    "-----Ursprüngliche Nachricht-----",
    "-------- Mensaje original --------",
    "-----Wiadomość oryginalna-----",
]


@pytest.mark.parametrize("header", HISTORY)
def test_quote_headers_in_six_languages_cut_the_history(header: str) -> None:
    body = f"Hello Anna,\n\nThe refund is on its way.\n\nBest regards,\nTom\n\n{header}\nOld text that must go.\n"
    assert strip_reply(body) == "Hello Anna,\n\nThe refund is on its way.\n\nBest regards,"


def test_header_wrapped_over_two_lines() -> None:
    body = "Hi,\n\nDone.\n\nOn Mon, 3 Mar 2025 at 10:12, Anna Nowak <\nanna@example.com> wrote:\n> hello"
    assert cut_history(body) == "Hi,\n\nDone."


def test_outlook_header_block() -> None:
    body = "Hola:\n\nHecho.\n\nUn saludo\n\nDe: Ana <ana@example.es>\nEnviado: lunes, 3 de marzo\nPara: soporte\nAsunto: x"
    assert strip_reply(body) == "Hola:\n\nHecho.\n\nUn saludo"


def test_quoted_lines_are_dropped_even_between_answers() -> None:
    body = "Hi Tom,\n> Does it work on Android?\nYes, since version 4.\n> And iOS?\nToo.\n\nCheers"
    assert cut_history(body) == "Hi Tom,\nYes, since version 4.\nToo.\n\nCheers"


def test_signature_delimiter_and_mobile_footer() -> None:
    assert cut_history("Hi,\nfine.\n-- \nJan Kowalski\nAcme") == "Hi,\nfine."
    assert cut_history("Hallo,\nerledigt.\n\nVon meinem iPhone gesendet") == "Hallo,\nerledigt."


def test_name_title_phone_block_after_the_closing_goes_closing_stays() -> None:
    body = "Dzień dobry,\n\nGotowe.\n\nPozdrawiam serdecznie\nAnna Kowalska\nSpecjalistka ds. obsługi klienta\ntel. +48 22 100 20 30"
    assert strip_reply(body) == "Dzień dobry,\n\nGotowe.\n\nPozdrawiam serdecznie"


def test_offer_of_help_is_a_closing_and_stays() -> None:
    body = "Hello,\n\nThe export works again.\nLet me know if you have any other questions.\nSarah Mitchell\nAcme Support"
    assert strip_reply(body).endswith("Let me know if you have any other questions.")


def test_without_a_closing_the_text_is_kept() -> None:
    body = "Hello,\n\nThe export works again.\nSarah Mitchell\nAcme Support"
    assert strip_reply(body) == body


def test_stripping_is_idempotent() -> None:
    body = "Hi Anna,\n\nDone.\n\nBest regards,\nTom\n+44 20 1234 5678\n\nOn Mon, Anna wrote:\n> x"
    once = strip_reply(body)
    assert strip_reply(once) == once


def test_text_that_only_looks_like_a_header_stays() -> None:
    body = "Hello,\n\nHere are the steps:\n1. Open Settings\n2. Click Export\n\nBest regards,"
    assert strip_reply(body) == body


def test_subject_prefixes() -> None:
    assert strip_subject("AW: Re: Rechnung fehlt") == "Rechnung fehlt"
    assert strip_subject("Odp: RE[2]: Faktura") == "Faktura"
    assert strip_subject("RV: Factura") == "Factura"
    assert strip_subject("Return policy") == "Return policy"


@pytest.mark.parametrize(
    "line",
    [
        "Meble Domowe sp. z o.o.",
        "ООО «ТелеЛинк», отдел по работе с корпоративными клиентами",
        "Atención al Cliente – Luz y Gas del Sur",
        "Customer Care | Northwind Traders Ltd",
        "Kundenservice – Stadtwerke Musterstadt GmbH",
        "Gemma · Atenció al client · Supermercat en línia Cistella",
        "Kita-Verwaltung Sonnenblume e. V.",
        "Customer Service, Inkwell Print Co.",
        "Contasoft Empresas S.L.",
        "Distribuciones Pérez S.L.U.",
        "Marta Vidal • Soporte técnico • Hosting Ibérico",
        "Biuro Rachunkowe „Bilans” s.c.",
        "Kancelaria Nowak i Wspólnicy sp.k.",
        "Weinhandel Keller e.K.",
        "Farmacia Ldo. Esteban Ruiz – Recogida en farmacia",
        "Центральная библиотека им. Некрасова, отдел электронных ресурсов",
        "Quim, junta de la Colla Castellera de Sants",
        "Jan, zarząd Stowarzyszenia Ogrodów Działkowych Zielona Dolina",
        "Anna Berg, Vorstand des Schachvereins Königsspringer Hamburg",
        "1. Vorsitzender · Brieftaubenverein „Heimatliebe“ Gelsenkirchen",  # batch 25: an ordinal
        "Kierownik ds. szkoleń, BHP-Serwis Sp. z o.o.",  # batch 29: "ds." (do spraw) ends no sentence
        "stv. Leitung Kundenservice, Bäderbetriebe Musterstadt GmbH",
    ],
)
def test_an_organisation_line_belongs_to_the_signature(line: str) -> None:
    assert name_like(line)
    reply = f"Hello Anna,\n\nThe meter reading is corrected.\n\nBest regards,\nJan Kowalski\n{line}"
    assert strip_reply(reply).endswith("Best regards,")


@pytest.mark.parametrize(
    "line",
    [
        "The refund – about 20 EUR – is on its way to your account now.",
        "Our partner «Kurier24» will collect the parcel tomorrow morning. Please keep it ready.",
        "Is the invoice for Acme Ltd correct now?",
        "Our partner «Kurier24» collects the parcel at your address tomorrow. Thanks",
        "Prices · delivery · returns: everything is explained on the help page. Did you read it?",
        "Sorry, the board will decide on Monday and we'll let you know.",
        "Halle 3. Bitte klingeln · Verein „Nord“ e. V.",
    ],
)
def test_a_sentence_naming_a_company_is_not_a_signature_line(line: str) -> None:
    assert not name_like(line)


FOOTERS = [
    (
        "Hi Tom,\n\nYour refund was issued today.\n\nKind regards,\nSam Patel\nAcme Support",
        "CONFIDENTIALITY NOTICE: THIS EMAIL AND ANY ATTACHMENTS ARE CONFIDENTIAL AND\nINTENDED SOLELY FOR THE USE"
        " OF THE ADDRESSEE. IF YOU HAVE RECEIVED THIS EMAIL\nIN ERROR PLEASE NOTIFY THE SENDER.",
    ),
    (
        "Dzień dobry,\n\nKorekta faktury została wystawiona.\n\nPozdrawiam serdecznie\nAnna Nowak",
        "Meble Domowe sp. z o.o., ul. Długa 5, 00-001 Warszawa, Sąd Rejonowy dla m.st. Warszawy, KRS 0000123456,"
        " NIP 525-000-00-00.\nTreść tej wiadomości jest poufna i prawnie chroniona.",
    ),
    (
        "Здравствуйте, Ирина!\n\nВозврат оформлен сегодня.\n\nС уважением,\nОльга Петрова",
        "Данное сообщение и любые вложения к нему являются конфиденциальными и предназначены исключительно для"
        " адресата. Если вы получили это письмо по ошибке, сообщите отправителю.",
    ),
    (
        "Bon dia, Jordi:\n\nHem emès l'abonament avui.\n\nSalutacions cordials,\nMarta Puig",
        "AVÍS LEGAL: Aquest missatge i els seus annexos són confidencials i s'adrecen exclusivament al seu"
        " destinatari.\nSi no n'és el destinatari, us preguem que ho comuniqueu al remitent.",
    ),
    (
        "Hola, Marta:\n\nEl abono se ha emitido hoy.\n\nUn saludo,\nLucía Fernández\nAtención al Cliente | Hogar Norte S.L.",
        "AVISO LEGAL\nEste mensaje y sus archivos adjuntos van dirigidos exclusivamente a su destinatario y pueden"
        " contener información\nconfidencial. De conformidad con el Reglamento (UE) 2016/679 (RGPD), le informamos"
        " de que sus datos serán tratados\npor Hogar Norte S.L.",
    ),
    (
        "Guten Tag Herr Weber,\n\ndie Gutschrift wurde heute veranlasst.\n\nMit freundlichen Grüßen\nJana Krüger",
        "Hausgeräte Nord GmbH\nSitz der Gesellschaft: Hamburg, Registergericht: Amtsgericht Hamburg, HRB 123456\n"
        "Geschäftsführer: Dr. Peter Lange\nDiese E-Mail enthält vertrauliche und/oder rechtlich geschützte Informationen.",
    ),
]


@pytest.mark.parametrize(("reply", "footer"), FOOTERS)
@pytest.mark.parametrize("gap", ["\n\n", "\n"])
def test_a_legal_footer_below_the_signature_goes_and_the_closing_is_found(reply: str, footer: str, gap: str) -> None:
    closing = reply.split("\n\n")[2].split("\n")[0]
    stripped = strip_reply(f"{reply}{gap}{footer}")
    assert stripped.endswith(closing)
    assert stripped.count("\n") == reply.split("\n").index(closing)


@pytest.mark.parametrize(
    ("thanks", "sentence"),
    [
        ("Thank you.", "The refund was issued. Please send us your VAT number so that we can\nreissue the invoice."),
        ("Gracias.", "Por motivos de protección de datos no podemos darle esa información por teléfono."),
        ("Danke.", "Falls Sie diese Option nutzen möchten, aktivieren Sie sie im Kundenkonto unter Einstellungen."),
        ("Thanks.", "If you are not happy with the replacement, we will refund you in full, no questions asked."),
        ("Danke.", "Ich habe die USt-IdNr. in Ihren Rechnungsdaten geändert und eine korrigierte Rechnung erstellt."),
    ],
)
def test_a_sentence_about_privacy_or_tax_numbers_is_not_a_footer(thanks: str, sentence: str) -> None:
    # were the last paragraph taken for a footer, the thanks above it would pass for the closing and it would go
    body = f"Hello,\n\n{thanks}\n\n{sentence}\n\nSam Patel"
    assert strip_reply(body) == body


def _mail_bodies() -> list:
    import tomllib
    from pathlib import Path

    bodies = tomllib.loads((Path(__file__).parent / "corpus" / "mailbodies.toml").read_text("utf-8"))["body"]
    seen: dict[str, int] = {}
    params = []
    for body in bodies:
        seen[body["lang"]] = seen.get(body["lang"], 0) + 1
        params.append(pytest.param(body, id=f"{body['lang']}{seen[body['lang']]}"))
    return params


@pytest.mark.parametrize("body", _mail_bodies())
def test_realistic_mail_bodies(body: dict) -> None:
    """Raw bodies as mail clients send them (tests/corpus/mailbodies.toml): the author's last line stays last."""
    out = strip_reply(body["text"])
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    assert lines and lines[-1] == body["keep_last"].strip(), out
    if body.get("gone"):
        assert body["gone"] not in out, out
    assert strip_reply(out) == out
