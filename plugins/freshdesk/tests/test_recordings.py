"""The recorded Freshdesk answers: parsed by the adapter's mapping, matched by the simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from csbridge_freshdesk.mapping import agent_person, message_of, ticket_of

from csbridge.models import Person, Priority, Role, Status

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "freshdesk"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def kind(value: Any) -> str:
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__


def same_shape(recorded: Any, answered: Any, where: str = "", subset: bool = False) -> None:
    """Same keys (or the recording's keys among the answer's when ``subset``) and the
    same value types wherever both are not null, recursively."""
    if isinstance(recorded, dict):
        assert isinstance(answered, dict), where
        if subset:
            assert set(recorded) <= set(answered), f"{where}: missing {set(recorded) - set(answered)}"
        else:
            assert set(recorded) == set(answered), f"{where}: {set(recorded) ^ set(answered)}"
        for key in recorded:
            if recorded[key] is not None and answered[key] is not None:
                same_shape(recorded[key], answered[key], f"{where}.{key}", subset)
    elif isinstance(recorded, list):
        assert isinstance(answered, list), where
        if recorded and answered:
            same_shape(recorded[0], answered[0], f"{where}[0]", subset)
    else:
        assert kind(recorded) == kind(answered), f"{where}: {kind(recorded)} vs {kind(answered)}"


AGENTS = {str(a["id"]): agent_person(a) for a in load("agents.json")}


def test_agents_and_agent_recordings_parse():
    assert AGENTS["432"] == Person("432", Role.AGENT, "Clark Kent", "superman@freshdesk.com")
    assert agent_person(load("agent_1.json")).email == "rachel@freshdesk.com"


@pytest.mark.parametrize("name", ["conversations.json", "conversations_sandbox_ticket99.json"])
def test_conversation_recordings_parse(name):
    conversations = load(name)
    ticket = ticket_of(load("ticket_1.json"), conversations, AGENTS, source="fd")
    assert len(ticket.messages) == len(conversations) + 1
    assert ticket.messages[0].id == "description" and ticket.messages[0].author.role is Role.CUSTOMER
    by_id = {m.id: m for m in ticket.messages}
    for raw in conversations:
        message = by_id[str(raw["id"])]
        assert message.public is not raw["private"]
        assert message.body == raw["body_text"]
        assert message.author.id == str(raw["user_id"])


def test_sandbox_notes_created_as_incoming_follow_the_agents_list():
    conversations = load("conversations_sandbox_ticket99.json")
    incoming = [c for c in conversations if c["incoming"]]
    assert incoming  # the recording has API notes created with incoming: true
    author = incoming[0]["user_id"]
    as_agent = {str(author): Person(str(author), Role.AGENT, "Frank", "agent@example.com")}
    with_agent = [message_of(c, as_agent, None) for c in incoming]
    without = [message_of(c, {}, None) for c in incoming]
    assert all(m.author.role is Role.AGENT for m in with_agent)
    assert all(m.author.role is Role.CUSTOMER for m in without)


@pytest.mark.parametrize("name", ["ticket_1.json", "ticket_1_updated.json"])
def test_ticket_recordings_parse(name):
    raw = load(name)
    ticket = ticket_of(raw, [], AGENTS, source="fd")
    assert ticket.id == "1" and ticket.tags == tuple(raw["tags"])
    assert ticket.status == {2: Status.OPEN, 4: Status.SOLVED}[raw["status"]]
    assert ticket.priority == {1: Priority.LOW, 3: Priority.HIGH}[raw["priority"]]
    assert ticket.messages[0].body == raw["description_text"]
    assert ticket.assignee is not None and ticket.assignee.id == str(raw["responder_id"])


def test_note_and_reply_recordings_parse():
    note = message_of(load("note_1.json"), AGENTS, None)
    reply = message_of(load("reply_1.json"), AGENTS, None)
    assert (note.public, reply.public) == (False, True)
    assert note.author.role is Role.AGENT and reply.author.email == "abc@xyz.com"


@pytest.fixture
def seeded(sim, make_adapter, tickets):
    sim.seed(tickets(3))
    session = requests.Session()
    session.auth = (sim.api_key, "X")
    yield session
    session.close()


def test_simulator_tickets_list_matches_the_recording(sim, seeded):
    answer = seeded.get(f"{sim.url}/api/v2/tickets", params={"include": "requester,stats,description",
                                                              "updated_since": "2020-01-01T00:00:00Z"})
    same_shape(load("ticket_1.json"), answer.json()[0])


def test_simulator_single_ticket_and_update_match_the_recording(sim, seeded):
    shown = seeded.get(f"{sim.url}/api/v2/tickets/1000").json()
    updated = seeded.put(f"{sim.url}/api/v2/tickets/1000", json={"tags": ["hello", "world"]}).json()
    same_shape(load("ticket_1_updated.json"), shown)
    same_shape(load("ticket_1_updated.json"), updated)
    assert updated["tags"] == ["hello", "world"]


def test_simulator_conversations_match_both_recordings(sim, seeded):
    sim.add_conversation("1000", "a1", "A private note", private=True, incoming=False, at=sim.clock())
    answered = seeded.get(f"{sim.url}/api/v2/tickets/1000/conversations").json()
    assert answered
    for conversation in answered:
        same_shape(load("conversations_sandbox_ticket99.json")[1], conversation)
        same_shape(load("conversations.json")[1], conversation, subset=True)


def test_simulator_note_answer_matches_the_recording(sim, seeded):
    answer = seeded.post(f"{sim.url}/api/v2/tickets/1000/notes", json={"body": "<p>x</p>", "private": True})
    assert answer.status_code == 201
    same_shape(load("note_1.json"), answer.json())


@pytest.mark.parametrize(
    ("path", "recording"),
    [("/api/v2/agents", "agents.json"), ("/api/v2/contacts", "contacts.json")],
)
def test_simulator_people_match_the_recordings(sim, seeded, path, recording):
    answered = seeded.get(f"{sim.url}{path}").json()
    same_shape(load(recording), answered)
    one = seeded.get(f"{sim.url}{path}/{answered[0]['id']}").json()
    same_shape(load("agent_1.json" if "agents" in path else "contact.json"), one)


def test_simulator_answers_parse_like_the_recordings(sim, seeded):
    raw = seeded.get(f"{sim.url}/api/v2/tickets", params={"include": "requester,stats,description",
                                                           "updated_since": "2020-01-01T00:00:00Z"}).json()[0]
    conversations = seeded.get(f"{sim.url}/api/v2/tickets/{raw['id']}/conversations").json()
    agents = {str(a["id"]): agent_person(a) for a in seeded.get(f"{sim.url}/api/v2/agents").json()}
    ticket = ticket_of(raw, conversations, agents, source="fd")
    assert ticket.requester is not None and ticket.requester.email.startswith("customer")
    assert ticket.messages[0].body.startswith("Hello, my order")
