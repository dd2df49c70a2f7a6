"""Full cycles against the simulator: read, judge, write notes and tags, read again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from csbridge.marker import find_marker
from csbridge.models import Person, Reminder, Role

CONVERSATIONS = "GET /api/v2/tickets/{id}/conversations"


def test_full_cycle_writes_one_private_note_and_tags_per_short_ticket(sim, daemon, tickets, clock):
    seeded = tickets(40)
    sim.seed(seeded)
    sim.set_tags("1002", ["vip", "escalated-by-boss"])  # someone else's tag, added before we write
    d = daemon()
    while not d.cycle():
        clock.sleep(120)
    short = {t.id for t in seeded if len(t.messages) == 1}
    assert sorted(set(d.seen)) == sorted(t.id for t in seeded)
    assert len(d.seen) == len(seeded)
    assert sorted(n.ticket_id for n in d.written) == sorted(short)
    for ticket in seeded:
        notes = [c for c in sim.conversations(ticket.id) if find_marker(c["body_text"])]
        if ticket.id in short:
            assert len(notes) == 1 and notes[0]["private"] is True
            assert {"vip", "csbridge", "sla-breached"} <= set(sim.tags(ticket.id))
        else:
            assert notes == [] and sim.tags(ticket.id) == ["vip"]
    assert sim.tags("1002") == ["vip", "escalated-by-boss", "csbridge", "sla-breached"]
    assert sim.limits.rate_limited == 0


def test_note_body_escapes_customer_text(sim, daemon, tickets, clock):
    sim.seed(tickets(1))
    d = daemon()
    d.cycle()
    note = next(c for c in sim.conversations("1000") if find_marker(c["body_text"]))
    assert "<b>never</b>" not in note["body"]
    assert "&lt;b&gt;never&lt;/b&gt;" in note["body"]
    assert "<b>never</b> came & I'm upset" in note["body_text"]


def test_second_cycle_writes_nothing_and_skips_tickets_only_csbridge_touched(sim, daemon, tickets, clock):
    sim.seed(tickets(30))
    d = daemon()
    while not d.cycle():
        clock.sleep(120)
    writes, notes = sim.writes, len(d.written)
    clock.sleep(300)
    conversations_before = sim.requests[CONVERSATIONS]
    assert d.cycle()
    assert sim.writes == writes and len(d.written) == notes
    assert sim.requests[CONVERSATIONS] == conversations_before


def test_ticket_changed_by_someone_after_our_note_is_read_again(sim, daemon, tickets, clock):
    sim.seed(tickets(4))
    d = daemon()
    d.cycle()
    clock.sleep(60)
    sim.add_conversation("1000", "c0", "Any news?", private=False, incoming=True, at=clock())
    seen = len(d.seen)
    before = sim.requests[CONVERSATIONS]
    d.cycle()
    assert d.seen[seen:] == ["1000"]
    assert sim.requests[CONVERSATIONS] == before + 1


def test_own_note_knowledge_survives_in_the_cursor(sim, daemon, make_adapter, engine, tickets, clock):
    sim.seed(tickets(6))
    first = daemon()
    first.cycle()
    # The note writes came after the last page: a fresh cycle yields one more cursor.
    first.cycle()
    restarted = daemon()
    restarted.cursor = first.cursor
    clock.sleep(60)
    before = sim.requests[CONVERSATIONS]
    assert restarted.cycle()
    assert sim.requests[CONVERSATIONS] == before
    assert restarted.seen == []


def test_tags_added_by_someone_between_read_and_write_are_kept(sim, make_adapter, make_note, tickets, clock):
    seeded = tickets(2)
    sim.seed(seeded)
    adapter = make_adapter()
    pages = list(adapter.fetch_changes(None))
    ticket = next(t for p in pages for t in p.tickets if t.id == "1000")
    sim.set_tags("1000", ["vip", "angry"])  # after our read, before our write
    result = adapter.post_notes([make_note(ticket, [])])
    assert result[0].ok
    assert sim.tags("1000") == ["vip", "angry", "csbridge", "sla-breached"]


def test_deleted_ticket_is_reported_once_and_left_alone(sim, make_adapter, make_note, tickets, clock):
    seeded = tickets(1)
    sim.seed(seeded)
    adapter = make_adapter()
    sim.delete_ticket("1000")
    first = adapter.post_notes([make_note(seeded[0], [])])
    writes = sim.writes + sum(sim.requests.values())
    second = adapter.post_notes([make_note(seeded[0], [])])
    assert not first[0].ok and first[0].retry is False and "1000" in first[0].error
    assert "deleted or merged" in first[0].error
    assert not second[0].ok and second[0].retry is False
    assert sim.writes + sum(sim.requests.values()) == writes


def test_reminder_notifies_only_the_owning_agent(sim, make_adapter, tickets, clock):
    sim.seed(tickets(1))
    adapter = make_adapter()
    [ticket] = [t for p in adapter.fetch_changes(None) for t in p.tickets]
    assert ticket.assignee is not None
    agent = replace(ticket.assignee, email="")  # the e-mail comes from the cached agents list
    marker = "rem-0001"
    reminder = Reminder("fd", "1000", marker, agent, "response_time.first_reply", clock() + timedelta(hours=1),
                        "Reply due in 1h", f"<p>Reply due in 1h</p><p>[csbridge:{marker}]</p>")
    [result] = adapter.deliver_reminders([reminder])
    assert result.ok, result.error
    note = sim.conversations("1000")[-1]
    assert note["private"] is True and note["to_emails"] == ["anna@acme.example"]
    assert adapter.written_markers("1000") == {marker}


def test_validation_error_names_field_and_ticket(sim, make_adapter, tickets, clock):
    sim.seed(tickets(1))
    adapter = make_adapter()
    agent = Person("x", Role.AGENT, "Stranger", "stranger@elsewhere.example")
    reminder = Reminder("fd", "1000", "rem-0002", agent, "r", clock(), "t", "<p>t [csbridge:rem-0002]</p>")
    [result] = adapter.deliver_reminders([reminder])
    assert not result.ok and result.retry is False
    assert "ticket 1000" in result.error and "notify_emails: There is no agent" in result.error


def test_notes_created_as_incoming_by_an_agent_count_as_the_agents(sim, make_adapter, tickets, clock):
    sim.seed(tickets(1))
    sim.add_conversation("1000", "a1", "Internal: checking stock", private=False, incoming=True, at=clock())
    adapter = make_adapter()
    [ticket] = [t for p in adapter.fetch_changes(None) for t in p.tickets]
    last = ticket.messages[-1]
    assert last.author.role is Role.AGENT and last.author.email == "anna@acme.example"
    assert ticket.messages[0].id == "description" and ticket.messages[0].author.role is Role.CUSTOMER
