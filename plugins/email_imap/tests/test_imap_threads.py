"""Threading, pure: the generated mailbox's true conversations, prefixes, tokens, the subject fallback."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from csbridge_email_imap.mailgen import GeneratedMailbox
from csbridge_email_imap.mailparse import parse_headers
from csbridge_email_imap.threads import ThreadItem, normalise_subject, thread_ids, ticket_token

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def agreement(truth: dict[object, str], found: dict[object, str]) -> float:
    """Share of messages whose found conversation has exactly the members of their true one."""
    true_groups: dict[str, set[object]] = defaultdict(set)
    found_groups: dict[str, set[object]] = defaultdict(set)
    for key, thread in truth.items():
        true_groups[thread].add(key)
        found_groups[found[key]].add(key)
    right = sum(1 for key in truth if true_groups[truth[key]] == found_groups[found[key]])
    return right / len(truth)


def test_generated_mailbox_threads_agree_with_the_truth(mailbox: GeneratedMailbox) -> None:
    team = {mailbox.support_address, *mailbox.agents}
    items = []
    for index, mail in enumerate(mailbox.mails):
        h = parse_headers(mail.raw)
        items.append(ThreadItem(index, h.message_id, h.parents, h.subject,
                                frozenset({h.from_addr, *h.recipients}) - team, h.date, from_team=h.from_addr in team))
    kinds = {m.kind for m in mailbox.mails}
    assert {"broken", "forward", "auto", "agent", "customer"} <= kinds
    found = thread_ids(items)
    assert agreement({i: m.thread for i, m in enumerate(mailbox.mails)}, found) >= 0.99


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: AW: Odp: Zamówienie", ("zamówienie", True)),
        ("Отв: Заказ не пришёл", ("заказ не пришёл", True)),
        ("RV: Fwd: El pedido", ("el pedido", True)),
        ("WG: Rechnung", ("rechnung", True)),
        ("PD: Faktura", ("faktura", True)),
        ("Re[2]: Order", ("order", True)),
        ("Abwesenheitsnotiz: Rechnung", ("rechnung", True)),
        ("Resposta automàtica: La comanda", ("la comanda", True)),
        ("Regarding the order", ("regarding the order", False)),
        ("RE: [#123]  Order   late", ("order late", True)),
    ],
)
def test_subject_prefixes_of_six_languages(subject: str, expected: tuple[str, bool]) -> None:
    assert normalise_subject(subject) == expected


def item(key: str, mid: str, subject: str, who: str, hours: float, parents: tuple[str, ...] = (),
         team: bool = False) -> ThreadItem:
    return ThreadItem(key, mid, parents, subject, frozenset({who}), T0 + timedelta(hours=hours), from_team=team)


def test_broken_reply_joins_only_the_same_customer_within_the_window() -> None:
    items = [
        item("a1", "<a1@x>", "Invoice wrong", "ann@x.com", 0),
        item("a2", "<a2@x>", "Re: Invoice wrong", "ann@x.com", 1, ("<a1@x>",), team=True),
        item("b1", "<b1@x>", "Invoice wrong", "bob@y.com", 2),
        item("a3", "<a3@x>", "AW: Invoice wrong", "ann@x.com", 3),  # no References: the chain is broken
        item("b2", "<b2@x>", "Re: Invoice wrong", "bob@y.com", 24 * 60),  # too late for the window
    ]
    ids = thread_ids(items, window=timedelta(days=30))
    assert ids["a1"] == ids["a2"] == ids["a3"]
    assert ids["b1"] != ids["a1"]
    assert ids["b2"] != ids["b1"]


def test_ticket_token_names_the_conversation_and_joins_it() -> None:
    assert ticket_token("Re: [#A-17] Broken") == "A-17"
    items = [
        item("1", "<1@x>", "Printer broken", "c@x.com", 0),
        item("2", "<2@x>", "Re: [#4711] Printer broken", "c@x.com", 1, ("<1@x>",), team=True),
        item("3", "<3@x>", "Printer still broken [#4711]", "other@x.com", 30),
    ]
    ids = thread_ids(items)
    assert ids["1"] == ids["2"] == ids["3"] == "4711"


def test_ids_do_not_depend_on_order_or_keys() -> None:
    items = [
        item("1", "<1@x>", "Printer broken", "c@x.com", 0),
        item("2", "<2@x>", "Re: Printer broken", "c@x.com", 1, ("<1@x>",), team=True),
        item("3", "<3@x>", "Re: Printer broken", "c@x.com", 2, ("<9@missing>", "<2@x>")),
    ]
    forward = thread_ids(items)
    renamed = [ThreadItem("k" + str(i.key), i.message_id, i.parents, i.subject, i.participants, i.date)
               for i in reversed(items)]
    backward = thread_ids(renamed)
    assert len(set(forward.values())) == 1
    assert set(forward.values()) == set(backward.values())
