"""A full read + write-back cycle against the simulator, through the adapter's public surface."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from csbridge_zendesk.adapter import ZendeskAdapter
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.config import load_config
from csbridge.models import FindingStatus, Note, Reminder, Role, Ticket
from csbridge.plugins import load_plugins
from csbridge.standards import Engine

from .conftest import FakeClock

EXAMPLE = Path(__file__).resolve().parents[3] / "tests" / "data" / "example.toml"


def engine() -> Engine:
    host = load_plugins()
    config = load_config(EXAMPLE, host.adapter_options, host.extra_standards)
    return Engine(config.book, host.standards.values())


def read_all(adapter: ZendeskAdapter, cursor: str | None) -> tuple[list[Ticket], str | None]:
    tickets: list[Ticket] = []
    for page in adapter.fetch_changes(cursor):
        assert not page.skipped
        tickets.extend(page.tickets)
        cursor = page.cursor
    return tickets, cursor


def notes_for(tickets: list[Ticket], judge: Engine, now: object, reported: set[str]) -> list[Note]:
    notes = []
    for ticket in tickets:
        findings = [f for f in judge.evaluate(ticket, now).findings  # type: ignore[arg-type]
                    if f.status is not FindingStatus.MET and f.key not in reported]
        if not findings:
            continue
        reported.update(f.key for f in findings)
        text = "\n".join(f"{f.rule}: {f.detail}" for f in findings)
        quote = "<script>alert(1)</script> & co"
        html_text = f"<p>{text}</p><blockquote>{quote.replace('&', '&amp;').replace('<', '&lt;')}</blockquote>"
        tags = tuple(sorted({"csbridge_" + f.rule.split(".")[0] for f in findings}))
        notes.append(Note(ticket.source, ticket.id, uuid.uuid4().hex, text, html_text, tags, tuple(findings)))
    return notes


def test_full_cycle_writes_one_note_per_short_ticket_and_second_cycle_nothing_new(
    sim: ZendeskSimulator, adapter: ZendeskAdapter, clock: FakeClock
) -> None:
    judge = engine()
    tickets, cursor = read_all(adapter, None)
    assert sorted(int(t.id) for t in tickets) == list(range(1, 121))
    assert all(t.messages and t.messages[0].author.role is Role.CUSTOMER for t in tickets)
    tags_before = {t.id: set(sim.tags(t.id)) for t in tickets}
    reported: set[str] = set()
    notes = notes_for(tickets, judge, clock(), reported)
    assert notes, "the sample helpdesk has tickets that fall short"
    results = adapter.post_notes(notes)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert sim.requests["PUT /api/v2/tickets/update_many.json"] == (len(notes) + 99) // 100
    for note in notes:
        comments = sim.comments(note.ticket_id)
        mine = [c for c in comments if f"[csbridge:{note.marker}]" in c["plain_body"]]
        assert len(mine) == 1 and mine[0]["public"] is False
        assert "<script>" not in mine[0]["html_body"]
        assert tags_before[note.ticket_id] | set(note.tags) == set(sim.tags(note.ticket_id))
        assert adapter.written_markers(note.ticket_id) == {note.marker}

    clock.sleep(120)
    again, cursor2 = read_all(adapter, cursor)
    assert {t.id for t in again} == {n.ticket_id for n in notes}  # only our own writes changed them
    for ticket in again:
        own = [m for m in ticket.messages if m.from_csbridge]
        assert len(own) == 1 and not own[0].public
    assert notes_for(again, judge, clock(), reported) == []
    writes = sim.writes
    clock.sleep(120)
    third, _ = read_all(adapter, cursor2)
    assert third == [] and sim.writes == writes


def test_new_comment_is_read_from_the_event_stream_without_per_ticket_requests(
    sim: ZendeskSimulator, adapter: ZendeskAdapter, clock: FakeClock
) -> None:
    _, cursor = read_all(adapter, None)
    clock.sleep(30)
    sim.add_comment("5", sim.comments("5")[0]["author_id"].__str__(), "Any news?", True, clock())
    clock.sleep(90)
    before = sum(sim.requests.values())
    tickets, _ = read_all(adapter, cursor)
    assert [t.id for t in tickets] == ["5"]
    assert tickets[0].messages[-1].body == "Any news?"
    assert tickets[0].messages[-1].author.role is Role.CUSTOMER
    assert sum(sim.requests.values()) - before == 2  # one ticket page, one events page
    assert sim.requests["GET /api/v2/tickets/{id}/audits.json"] == 0


def test_restart_reads_old_tickets_whole_from_their_audits(
    sim: ZendeskSimulator, clock: FakeClock
) -> None:
    from .conftest import make_adapter

    first = make_adapter(sim, clock)
    _, cursor = read_all(first, None)
    first.close()
    clock.sleep(30)
    sim.set_status("7", "hold", clock())
    clock.sleep(90)
    fresh = make_adapter(sim, clock)  # a restarted daemon: nothing cached
    tickets, _ = read_all(fresh, cursor)
    assert [t.id for t in tickets] == ["7"]
    assert len(tickets[0].messages) == len(sim.comments("7"))
    assert tickets[0].status_changes[-1].status.value == "on_hold"
    assert sim.requests["GET /api/v2/tickets/{id}/audits.json"] == 1


def test_deleted_tickets_are_left_out(sim: ZendeskSimulator, adapter: ZendeskAdapter, clock: FakeClock) -> None:
    _, cursor = read_all(adapter, None)
    clock.sleep(10)
    sim.set_status("9", "deleted", clock())
    clock.sleep(90)
    tickets, _ = read_all(adapter, cursor)
    assert tickets == []


def test_closed_ticket_is_reported_not_retried(sim: ZendeskSimulator, adapter: ZendeskAdapter, clock: FakeClock) -> None:
    sim.set_status("3", "closed", clock())
    notes = [Note("acme", "3", "m-closed-1", "x", "<p>x</p>", ("csbridge",)),
             Note("acme", "4", "m-open-1", "y", "<p>y</p>", ("csbridge",))]
    closed, ok = adapter.post_notes(notes)
    assert not closed.ok and closed.retry is False and "closed" in closed.error
    assert ok.ok
    assert sim.requests["PUT /api/v2/tickets/update_many.json"] == 1


def test_many_notes_go_100_a_request_with_one_status_poll(
    sim: ZendeskSimulator, adapter: ZendeskAdapter
) -> None:
    notes = [Note("acme", str(i), f"mark-{i}", "t", "<p>t</p>") for i in range(1, 121)]
    results = adapter.post_notes(notes)
    assert all(r.ok for r in results)
    assert sim.requests["PUT /api/v2/tickets/update_many.json"] == 2
    assert sim.requests["GET /api/v2/job_statuses/show_many.json"] == 1


def test_reminder_is_a_private_comment_addressed_to_the_assignee(
    sim: ZendeskSimulator, adapter: ZendeskAdapter, clock: FakeClock
) -> None:
    tickets, _ = read_all(adapter, None)
    ticket = next(t for t in tickets if t.assignee and t.status.value in ("open", "new", "pending"))
    reminder = Reminder("acme", ticket.id, "rem-123456", ticket.assignee, "response_time.next_reply",
                        clock() + timedelta(hours=1), "Reply due in 1 hour.", "<p>Reply due in 1 hour.</p>")
    (result,) = adapter.deliver_reminders([reminder])
    assert result.ok
    last = sim.comments(ticket.id)[-1]
    assert last["public"] is False
    assert ticket.assignee is not None and last["plain_body"].startswith(f"@{ticket.assignee.name}")
    assert "[csbridge:rem-123456]" in last["plain_body"]
