"""The sample helpdesk: deterministic, streaming, consistent tickets in six languages."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

from csbridge.models import Role, Status
from csbridge.sample import AGENTS, DEMO_START, LANGUAGES, generate_helpdesk

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_same_seed_same_tickets_other_seed_other_tickets() -> None:
    first = list(generate_helpdesk(30, seed=7, start=START))
    again = list(generate_helpdesk(30, seed=7, start=START))
    other = list(generate_helpdesk(30, seed=8, start=START))
    assert first == again
    assert first != other


def test_ids_are_one_to_count_and_source_is_set() -> None:
    tickets = list(generate_helpdesk(25, start=START, source="acme"))
    assert [t.id for t in tickets] == [str(n) for n in range(1, 26)]
    assert {t.source for t in tickets} == {"acme"}


def test_generator_streams_without_building_everything() -> None:
    stream = generate_helpdesk(10**9, start=START)
    head = list(itertools.islice(stream, 3))
    assert [t.id for t in head] == ["1", "2", "3"]


def test_languages_are_spread_evenly() -> None:
    tickets = list(generate_helpdesk(600, start=START))
    counts = Counter(tag for t in tickets for tag in t.tags if tag.startswith("lang_"))
    assert counts == {f"lang_{lang}": 100 for lang in LANGUAGES}


def test_people_have_the_documented_shape() -> None:
    agent_ids = {a.id for a in AGENTS}
    assert all(a.role is Role.AGENT and a.email.endswith("@acme.example") for a in AGENTS)
    for ticket in generate_helpdesk(120, start=START):
        assert ticket.requester is not None and ticket.requester.id == f"c{ticket.id}"
        assert ticket.requester.role is Role.CUSTOMER and "@" in ticket.requester.email
        assert ticket.assignee in AGENTS
        for message in ticket.messages:
            assert message.author.id in agent_ids | {ticket.requester.id}
            assert "{" not in message.body and "}" not in message.body, message.body


def test_times_are_utc_ordered_after_start_and_before_updated_at() -> None:
    for ticket in generate_helpdesk(300, seed=3, start=START):
        times = [m.created_at for m in ticket.messages]
        assert 1 <= len(times) <= 8
        assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in times)
        assert times == sorted(times) and len(set(times)) == len(times)
        assert ticket.created_at == times[0] >= START
        assert times[-1] < START + timedelta(days=40)
        assert ticket.updated_at is not None and ticket.updated_at > times[-1]


def test_customer_opens_and_agents_answer_in_business_hours() -> None:
    for ticket in generate_helpdesk(300, seed=4, start=START):
        assert ticket.messages[0].author.role is Role.CUSTOMER and ticket.messages[0].public
        for message in ticket.messages:
            if message.author.role is Role.AGENT and message.public:
                assert message.created_at.weekday() < 5 and 7 <= message.created_at.hour < 16


def test_status_changes_follow_the_messages() -> None:
    for ticket in generate_helpdesk(300, seed=5, start=START):
        changes = ticket.status_changes
        assert changes[0].status is Status.NEW and changes[0].at == ticket.created_at
        assert changes[-1].status is ticket.status
        assert [c.at for c in changes] == sorted(c.at for c in changes)
        public = [m for m in ticket.messages if m.public]
        if len(public) == 1:
            assert ticket.status is Status.NEW
        elif public[-1].author.role is Role.CUSTOMER:
            assert ticket.status in (Status.OPEN, Status.ON_HOLD)
        else:
            assert ticket.status in (Status.PENDING, Status.SOLVED)


def test_the_mix_covers_what_the_standards_judge() -> None:
    tickets = list(generate_helpdesk(600, seed=1, start=DEMO_START))
    messages = [m for t in tickets for m in t.messages]
    agent_bodies = [m.body for m in messages if m.author.role is Role.AGENT and m.public]
    assert any(not m.public for m in messages), "internal notes"
    assert any("\n-- \n" in b for b in agent_bodies), "signatures"
    assert any("\n> " in m.body for m in messages), "quoted history"
    assert any("That's not our problem" in b for b in agent_bodies), "rude replies"
    assert any(b.startswith("The courier") or b.startswith("I've checked") for b in agent_bodies), "no greeting"
    assert any("завтра" in b for b in agent_bodies), "promises in Russian"
    assert any("unacceptable" in m.body for m in messages if m.author.role is Role.CUSTOMER), "complaints"
    assert len({t.status for t in tickets}) >= 4
    assert len({t.priority for t in tickets}) == 4
    assert len({t.assignee for t in tickets}) == len(AGENTS)
    spread = max(t.created_at for t in tickets) - min(t.created_at for t in tickets)
    assert spread > timedelta(days=14)
