"""Mail parsing: charsets in the wild, encoded words, HTML-only bodies, auto-replies, malformed mail."""

from __future__ import annotations

from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP

import pytest
from csbridge_email_imap.htmltext import html_to_text
from csbridge_email_imap.mailgen import malformed_messages
from csbridge_email_imap.mailparse import MalformedMail, parse_body, parse_headers

TEXTS = {
    "koi8-r": "Здравствуйте! Заказ не пришёл.",
    "windows-1251": "Добрый день, счёт неверный.",
    "iso-8859-2": "Dzień dobry, zamówienie nie dotarło.",
    "windows-1250": "Dzień dobry – faktura ma błędny NIP.",
    "iso-8859-1": "Hola, el pedido no ha llegado. Grüße, Façade",
    "utf-8": "Bon dia, la comanda no ha arribat · Ελληνικά",
}


def _mail(text: str, charset: str, subtype: str = "plain", encoding: str = "base64") -> bytes:
    from email.charset import BASE64, QP, Charset

    cs = Charset(charset)
    cs.body_encoding = BASE64 if encoding == "base64" else QP
    part = MIMEText(text, subtype, cs)  # type: ignore[arg-type]
    part["From"] = f"{Header('Иван Петров', 'koi8-r').encode()} <ivan@x.ru>"
    part["To"] = "support@acme.example"
    part["Subject"] = Header(text[:20], charset).encode()
    part["Date"] = "Mon, 02 Nov 2026 10:00:00 +0100"
    part["Message-ID"] = "<m1@x.ru>"
    return part.as_bytes(policy=SMTP)


@pytest.mark.parametrize("charset", sorted(TEXTS))
@pytest.mark.parametrize("encoding", ["base64", "qp"])
def test_body_and_subject_decode_in_every_charset(charset: str, encoding: str) -> None:
    raw = _mail(TEXTS[charset], charset, encoding=encoding)
    assert charset.encode() in raw.lower()  # really sent in that charset
    assert parse_body(raw) == TEXTS[charset]
    headers = parse_headers(raw)
    assert headers.subject == TEXTS[charset][:20].strip()
    assert headers.from_name == "Иван Петров"
    assert headers.from_addr == "ivan@x.ru"
    assert headers.date.utcoffset() is not None and headers.date.hour == 9


def test_html_only_body_becomes_text_with_quotes_marked() -> None:
    markup = "<html><head><style>p{}</style></head><body><p>Guten Tag,</p><p>danke &amp; Gruß</p>" \
             "<blockquote>alte Nachricht</blockquote></body></html>"
    raw = _mail(markup, "utf-8", subtype="html")
    assert parse_body(raw) == "Guten Tag,\n\ndanke & Gruß\n\n> alte Nachricht"
    assert html_to_text("<p>unclosed <b>tags") == "unclosed tags"


def test_plain_alternative_is_preferred_and_forwarded_message_is_not_the_body() -> None:
    outer = MIMEMultipart("alternative")
    outer.attach(MIMEText("plain words", "plain", "utf-8"))
    outer.attach(MIMEText("<p>html words</p>", "html", "utf-8"))
    for key, value in (("From", "a@b.c"), ("Date", "Mon, 02 Nov 2026 10:00:00 +0000")):
        outer[key] = value
    assert parse_body(outer.as_bytes()) == "plain words"


def test_threading_headers_and_auto_replies() -> None:
    raw = (
        b"From: Customer <C@Example.com>\r\nTo: support@acme.example\r\nCc: Boss <boss@example.com>\r\n"
        b"Date: Tue, 3 Nov 2026 08:00:00 +0000\r\nMessage-ID: <b@x>\r\nIn-Reply-To: <a@x>\r\n"
        b"References: <root@x> <a@x>\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nbye\r\n"
    )
    headers = parse_headers(raw)
    assert headers.parents == ("<root@x>", "<a@x>")
    assert headers.recipients == ("support@acme.example", "boss@example.com")
    assert headers.from_addr == "c@example.com"
    assert headers.auto
    assert not parse_headers(raw.replace(b"auto-replied", b"no")).auto
    assert parse_headers(raw.replace(b"Auto-Submitted: auto-replied", b"X-Autoreply: yes")).auto


def test_message_without_message_id_gets_a_stable_one() -> None:
    raw = b"From: a@b.c\r\nDate: Tue, 3 Nov 2026 08:00:00 +0000\r\nSubject: hi\r\n\r\nx\r\n"
    assert parse_headers(raw).message_id == parse_headers(raw).message_id
    assert parse_headers(raw).message_id != parse_headers(raw.replace(b"hi", b"ho")).message_id


@pytest.mark.parametrize("kind", sorted(malformed_messages()))
def test_malformed_messages_raise_with_a_reason(kind: str) -> None:
    raw = malformed_messages()[kind]
    with pytest.raises(MalformedMail) as caught:
        parse_headers(raw)
        parse_body(raw)
    expected = {"broken_mime": "broken MIME", "unknown_charset": "unknown charset", "missing_date": "no Date"}[kind]
    assert expected in str(caught.value)
