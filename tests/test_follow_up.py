"""follow_up through the Engine: promised updates and pending tickets.

Promise *detection* belongs to csbridge.standards.promises; here the detector is
replaced by one that returns Promise objects built in the test, so that only the
resolution of promised times on the calendar is judged.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from csbridge.config import load_config
from csbridge.models import FindingStatus, Message, Person, Priority, Role, Status, StatusChange, Ticket
from csbridge.plugins import load_plugins
from csbridge.standards import Engine, Evaluation
from csbridge.standards.follow_up import FollowUp
from csbridge.standards.promises import Promise

WARSAW = ZoneInfo("Europe/Warsaw")
CUSTOMER = Person("c1", Role.CUSTOMER)
AGENT = Person("a1", Role.AGENT)

BOOK = """
[calendars.warsaw]
timezone = "Europe/Warsaw"
hours = { mon = "09:00-17:00", tue = "09:00-17:00", wed = "09:00-17:00", thu = "09:00-17:00", \
fri = "09:00-13:00,14:00-17:00" }
holidays = "PL"

[standards.response_time]
calendar = "warsaw"
first_reply = { normal = "8h" }
next_reply = { normal = "16h" }
warn_at = 0.75

[standards.follow_up]
promises = true
pending_reminder_after = "16h"
"""


PROMISES = {
    "P-2H": Promise("within 2 hours", within=timedelta(hours=2)),
    "P-TOMORROW": Promise("tomorrow", working_days=1),
    "P-FRIDAY": Promise("by Friday", weekday=4),
    "P-SATURDAY": Promise("by Saturday", weekday=5),
    "P-NEXT-WEEK": Promise("next week", next_week=True),
    "P-TODAY": Promise("later today", today=True),
    "P-AFTER-WEEKEND": Promise("after the weekend", after_weekend=True),
    "P-3PM": Promise("by 3 pm", clock=time(15)),
    "P-20-NOV": Promise("by 20 November", on_date=(11, 20)),
    "P-THE-7TH": Promise("by the 7th", on_date=(0, 7)),
    "P-AT-10-TOMORROW": Promise("tomorrow at 10:00", working_days=1, clock=time(10)),
    "P-2PM-FRIDAY": Promise("by Friday at 2 pm", weekday=4, clock=time(14)),
}


def find_promise(text: str, language: str | None) -> Promise | None:
    return next((p for key, p in PROMISES.items() if key in text), None)


def engine(tmp_path: Path, book: str = BOOK) -> Engine:
    path = tmp_path / "csbridge.toml"
    path.write_text(book, encoding="utf-8")
    standards = [s for name, s in load_plugins().standards.items() if name != "follow_up"]
    return Engine(load_config(path).book, [*standards, FollowUp(find_promise)])


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


def msg(mid: str, who: Person, t: datetime, body: str = "Hello") -> Message:
    return Message(mid, who, True, t, body)


def ticket(messages: list[Message], status: Status = Status.OPEN, changes: tuple[StatusChange, ...] = ()) -> Ticket:
    return Ticket("7", "acme", "s", status, Priority.NORMAL, messages[0].created_at, tuple(messages),
                  assignee=AGENT, status_changes=changes)


def promise_findings(evaluation: Evaluation) -> list[tuple[str | None, FindingStatus, datetime | None]]:
    return [(f.message_id, f.status, f.due_at) for f in evaluation.findings if f.rule == "follow_up.promise"]


def promise_due(tmp_path: Path, key: str, at: datetime) -> datetime:
    """The due instant the engine gives a promise made at ``at``, read from its deadline."""
    t = ticket([msg("m1", CUSTOMER, at - timedelta(minutes=1)), msg("m2", AGENT, at, f"I will write {key}")])
    [deadline] = [d for d in engine(tmp_path).evaluate(t, at).deadlines if d.rule == "follow_up.promise"]
    return deadline.due_at


@pytest.mark.parametrize(
    ("key", "made", "due"),
    [
        ("P-2H", local(2026, 11, 2, 16), local(2026, 11, 3, 10)),  # 1h Monday + 1h Tuesday
        ("P-TOMORROW", local(2026, 11, 10, 11), local(2026, 11, 12, 17)),  # the 11th is a holiday
        ("P-TOMORROW", local(2026, 11, 6, 11), local(2026, 11, 9, 17)),  # Friday -> Monday
        ("P-FRIDAY", local(2026, 11, 2, 11), local(2026, 11, 6, 17)),
        ("P-FRIDAY", local(2026, 11, 6, 11), local(2026, 11, 6, 17)),  # today, still open
        ("P-FRIDAY", local(2026, 11, 6, 17, 30), local(2026, 11, 13, 17)),  # after hours: next Friday
        ("P-SATURDAY", local(2026, 11, 2, 11), local(2026, 11, 8, 0)),  # never works: the calendar day's end
        ("P-NEXT-WEEK", local(2026, 11, 4, 11), local(2026, 11, 13, 17)),
        ("P-TODAY", local(2026, 11, 2, 11), local(2026, 11, 2, 17)),
        ("P-TODAY", local(2026, 11, 2, 18), local(2026, 11, 3, 17)),  # after hours: next working day
        ("P-AFTER-WEEKEND", local(2026, 11, 2, 11), local(2026, 11, 9, 17)),  # on a Monday: the next one
        ("P-AFTER-WEEKEND", local(2026, 11, 6, 16), local(2026, 11, 9, 17)),
        ("P-AFTER-WEEKEND", local(2026, 11, 8, 12), local(2026, 11, 9, 17)),  # on the weekend: this one
        ("P-AFTER-WEEKEND", local(2026, 4, 2, 11), local(2026, 4, 7, 17)),  # Easter Monday is a holiday
        ("P-3PM", local(2026, 11, 2, 11), local(2026, 11, 2, 15)),
        ("P-20-NOV", local(2026, 11, 2, 11), local(2026, 11, 20, 17)),
        ("P-20-NOV", local(2026, 11, 21, 11), local(2027, 11, 21, 0)),  # passed: next year's, a Saturday (midnight after it)
        ("P-THE-7TH", local(2026, 11, 2, 11), local(2026, 11, 8, 0)),  # the 7th is a Saturday: its calendar end
        ("P-THE-7TH", local(2026, 11, 9, 11), local(2026, 12, 7, 17)),  # next month's
        ("P-3PM", local(2026, 11, 2, 16), local(2026, 11, 3, 15)),  # passed today: the next working day
        ("P-3PM", local(2026, 11, 10, 16), local(2026, 11, 12, 15)),  # the 11th is a holiday
        ("P-AT-10-TOMORROW", local(2026, 11, 6, 11), local(2026, 11, 9, 10)),  # Friday -> Monday at 10:00
        ("P-2PM-FRIDAY", local(2026, 11, 2, 11), local(2026, 11, 6, 14)),
        ("P-3PM", local(2026, 3, 27, 16), local(2026, 3, 30, 15)),  # summer time starts on the 29th
    ],
)
def test_promised_times_on_the_calendar(tmp_path: Path, key: str, made: datetime, due: datetime) -> None:
    assert promise_due(tmp_path, key, made) == due


def test_promise_kept_is_met_and_late_update_is_breached(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    base = [msg("m1", CUSTOMER, local(2026, 11, 2, 9)), msg("m2", AGENT, local(2026, 11, 2, 10), "P-2H")]
    kept = ticket([*base, msg("m3", AGENT, local(2026, 11, 2, 11, 30))])
    assert promise_findings(eng.evaluate(kept, local(2026, 11, 3, 9))) == [
        ("m2", FindingStatus.MET, local(2026, 11, 2, 12))
    ]
    late = ticket([*base, msg("m3", AGENT, local(2026, 11, 2, 13))])
    [finding] = [f for f in eng.evaluate(late, local(2026, 11, 3, 9)).findings if f.rule == "follow_up.promise"]
    assert finding.status is FindingStatus.BREACHED
    assert '"within 2 hours"' in finding.detail and "1h of business time late" in finding.detail
    assert finding.agent_id == "a1" and finding.fix


def test_running_promise_warns_then_breaches(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    t = ticket([msg("m1", CUSTOMER, local(2026, 11, 2, 9)), msg("m2", AGENT, local(2026, 11, 2, 10), "P-2H")])
    early = eng.evaluate(t, local(2026, 11, 2, 11))
    assert promise_findings(early) == []
    [deadline] = [d for d in early.deadlines if d.rule == "follow_up.promise"]
    assert deadline.warn_at == local(2026, 11, 2, 11, 30)  # warn_at 0.75 of the book, of a 2h window
    assert promise_findings(eng.evaluate(t, local(2026, 11, 2, 11, 40))) == [
        ("m2", FindingStatus.AT_RISK, local(2026, 11, 2, 12))
    ]
    late = eng.evaluate(t, local(2026, 11, 2, 12, 1))
    assert promise_findings(late) == [("m2", FindingStatus.BREACHED, local(2026, 11, 2, 12))]
    assert [d for d in late.deadlines if d.rule == "follow_up.promise"] == []


def test_solved_before_the_promised_time_owes_nothing(tmp_path: Path) -> None:
    messages = [msg("m1", CUSTOMER, local(2026, 11, 2, 9)), msg("m2", AGENT, local(2026, 11, 2, 10), "P-TOMORROW")]
    t = ticket(messages, Status.SOLVED, (StatusChange(local(2026, 11, 2, 12), Status.SOLVED),))
    evaluation = engine(tmp_path).evaluate(t, local(2026, 11, 9, 9))
    assert promise_findings(evaluation) == []
    assert [d for d in evaluation.deadlines if d.rule.startswith("follow_up")] == []


def test_messages_without_promises_are_not_judged(tmp_path: Path) -> None:
    t = ticket([msg("m1", CUSTOMER, local(2026, 11, 2, 9)), msg("m2", AGENT, local(2026, 11, 2, 10), "Done.")])
    evaluation = engine(tmp_path).evaluate(t, local(2026, 11, 9, 9))
    assert [f for f in evaluation.findings if f.rule.startswith("follow_up")] == []


# -- pending ---------------------------------------------------------------------


def pending_ticket(extra: list[Message] | None = None) -> Ticket:
    messages = [msg("m1", CUSTOMER, local(2026, 11, 2, 9)), msg("m2", AGENT, local(2026, 11, 2, 10), "Which model?")]
    changes = (StatusChange(local(2026, 11, 2, 9), Status.OPEN), StatusChange(local(2026, 11, 2, 10), Status.PENDING))
    return ticket(messages + (extra or []), Status.PENDING, changes)


def pending_findings(evaluation: Evaluation) -> list[tuple[str | None, FindingStatus, datetime | None]]:
    return [(f.message_id, f.status, f.due_at) for f in evaluation.findings if f.rule == "follow_up.pending"]


def test_silent_customer_on_pending_ticket_must_be_chased(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    # 16h of business time from Monday 10:00: 7h Monday, 8h Tuesday, due Wednesday 10:00.
    due = local(2026, 11, 4, 10)
    early = eng.evaluate(pending_ticket(), local(2026, 11, 3, 9))
    assert pending_findings(early) == []
    [deadline] = [d for d in early.deadlines if d.rule == "follow_up.pending"]
    assert (deadline.due_at, deadline.warn_at, deadline.message_id) == (due, local(2026, 11, 3, 14), "m2")
    assert pending_findings(eng.evaluate(pending_ticket(), local(2026, 11, 3, 15))) == [
        ("m2", FindingStatus.AT_RISK, due)
    ]
    [breach] = [f for f in eng.evaluate(pending_ticket(), local(2026, 11, 4, 11)).findings
                if f.rule == "follow_up.pending"]
    assert breach.status is FindingStatus.BREACHED
    assert "17h of business time" in breach.detail and breach.agent_id == "a1"


def test_agent_chasing_restarts_and_customer_answer_ends_the_pending_wait(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    chased = pending_ticket([msg("m3", AGENT, local(2026, 11, 4, 9), "Any news?")])
    [deadline] = [d for d in eng.evaluate(chased, local(2026, 11, 4, 11)).deadlines if d.rule == "follow_up.pending"]
    assert deadline.message_id == "m3" and deadline.due_at == local(2026, 11, 5, 17)  # 16h from Wednesday 09:00
    answered = pending_ticket([msg("m3", CUSTOMER, local(2026, 11, 2, 15), "It is the X200")])
    evaluation = eng.evaluate(answered, local(2026, 11, 20, 9))
    assert pending_findings(evaluation) == []
    assert [d for d in evaluation.deadlines if d.rule == "follow_up.pending"] == []


def test_follow_up_calendar_can_be_24_7(tmp_path: Path) -> None:
    book = BOOK.replace('pending_reminder_after = "16h"', 'pending_reminder_after = "48h"\ncalendar = "24/7"')
    [deadline] = [d for d in engine(tmp_path, book).evaluate(pending_ticket(), local(2026, 11, 3, 9)).deadlines
                  if d.rule == "follow_up.pending"]
    assert deadline.due_at == local(2026, 11, 4, 10)


def test_follow_up_runs_without_the_promises_module(tmp_path: Path) -> None:
    # The real plugin, with whatever promise detection is installed: pending still works.
    path = tmp_path / "csbridge.toml"
    path.write_text(BOOK, encoding="utf-8")
    eng = Engine(load_config(path).book, load_plugins().standards.values())
    assert pending_findings(eng.evaluate(pending_ticket(), local(2026, 11, 4, 11)))[0][1] is FindingStatus.BREACHED
