"""response_time through the Engine, with the standards book loaded from a TOML file."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from csbridge.config import load_config
from csbridge.durations import format_duration
from csbridge.models import (
    Deadline,
    Finding,
    FindingStatus,
    Message,
    Person,
    Priority,
    Role,
    Status,
    StatusChange,
    Ticket,
)
from csbridge.plugins import load_plugins
from csbridge.standards import Engine, Evaluation

WARSAW = ZoneInfo("Europe/Warsaw")
CUSTOMER = Person("c1", Role.CUSTOMER, "Ana")
AGENT = Person("a1", Role.AGENT, "Bob")
OTHER_AGENT = Person("a2", Role.AGENT, "Eve")
BOT = Person("sys", Role.SYSTEM)

BOOK = """
[calendars.warsaw]
timezone = "Europe/Warsaw"
hours = {{ mon = "09:00-17:00", tue = "09:00-17:00", wed = "09:00-17:00", thu = "09:00-17:00", \
fri = "09:00-13:00,14:00-17:00", sun = "01:00-04:00,20:00-24:00" }}
holidays = "PL"

[standards.response_time]
calendar = "{calendar}"
first_reply = {{ urgent = "1h", high = "4h", normal = "8h", low = "24h" }}
next_reply = {{ urgent = "2h", high = "8h", normal = "16h", low = "48h" }}
{extra}
"""


def engine(tmp_path: Path, calendar: str = "warsaw", extra: str = "") -> Engine:
    path = tmp_path / "csbridge.toml"
    path.write_text(BOOK.format(calendar=calendar, extra=extra), encoding="utf-8")
    return Engine(load_config(path).book, load_plugins().standards.values())


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


def msg(mid: str, who: Person, t: datetime, public: bool = True, **kw: bool) -> Message:
    return Message(mid, who, public, t, "text", **kw)


def ticket(
    messages: Sequence[Message],
    priority: Priority = Priority.NORMAL,
    status: Status = Status.OPEN,
    changes: Sequence[StatusChange] = (),
    assignee: Person | None = None,
) -> Ticket:
    created = min((m.created_at for m in messages), default=local(2026, 11, 2, 9))
    return Ticket(
        "42", "acme", "subject", status, priority, created, tuple(messages),
        assignee=assignee, status_changes=tuple(changes),
    )


def only(evaluation: Evaluation, rule: str) -> list[Finding]:
    return [f for f in evaluation.findings if f.rule == rule]


# -- first reply --------------------------------------------------------------


def test_late_first_reply_is_breached_with_the_business_time_it_took(tmp_path: Path) -> None:
    # Monday 09:15 -> Tuesday 10:55: 7h45m + 1h55m = 9h40m of business time.
    t = ticket([msg("m1", CUSTOMER, local(2026, 11, 2, 9, 15)), msg("m2", AGENT, local(2026, 11, 3, 10, 55))])
    [finding] = only(engine(tmp_path).evaluate(t, local(2026, 11, 4, 12)), "response_time.first_reply")
    assert finding.status is FindingStatus.BREACHED
    assert finding.message_id == "m1" and finding.agent_id == "a1"
    assert finding.detail == "First reply took 9h 40m of business time; the target for normal priority is 8h."
    assert finding.due_at == local(2026, 11, 3, 9, 15)
    assert finding.fix


def test_first_reply_in_time_is_met_and_internal_notes_do_not_count(tmp_path: Path) -> None:
    t = ticket(
        [
            msg("m1", CUSTOMER, local(2026, 11, 2, 9)),
            msg("n1", AGENT, local(2026, 11, 2, 9, 5), public=False),
            msg("csb", AGENT, local(2026, 11, 2, 9, 6), from_csbridge=True),
            msg("bot", BOT, local(2026, 11, 2, 9, 7)),
            msg("m2", OTHER_AGENT, local(2026, 11, 2, 16)),
        ],
        assignee=AGENT,
    )
    [finding] = only(engine(tmp_path).evaluate(t, local(2026, 11, 4, 12)), "response_time.first_reply")
    assert finding.status is FindingStatus.MET
    assert finding.agent_id == "a1"  # the assignee owns it, not the agent who answered
    assert "7h" in finding.detail


def test_unanswered_first_message_is_at_risk_then_breached_with_a_deadline(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    t = ticket([msg("m1", CUSTOMER, local(2026, 11, 2, 9, 15))], priority=Priority.HIGH, assignee=AGENT)
    early = eng.evaluate(t, local(2026, 11, 2, 10))
    assert only(early, "response_time.first_reply") == []
    [deadline] = early.deadlines
    assert isinstance(deadline, Deadline)
    assert deadline.due_at == local(2026, 11, 2, 13, 15)
    assert deadline.warn_at == local(2026, 11, 2, 12, 27)  # 80% of 4h = 3h12m
    assert deadline.agent_id == "a1" and deadline.message_id == "m1"

    [risk] = only(eng.evaluate(t, local(2026, 11, 2, 12, 30)), "response_time.first_reply")
    assert risk.status is FindingStatus.AT_RISK

    late = eng.evaluate(t, local(2026, 11, 3, 9, 25))
    [breach] = only(late, "response_time.first_reply")
    assert breach.status is FindingStatus.BREACHED
    assert breach.detail == (
        "The customer has waited 8h 10m of business time for a first reply; "
        "the target for high priority is 4h, due 2026-11-02 13:15 Europe/Warsaw."
    )
    assert late.deadlines == []


def test_no_customer_message_means_nothing_to_judge(tmp_path: Path) -> None:
    t = ticket([msg("m1", AGENT, local(2026, 11, 2, 9))])
    evaluation = engine(tmp_path).evaluate(t, local(2026, 11, 9, 9))
    assert evaluation.findings == [] and evaluation.deadlines == []
    assert engine(tmp_path).evaluate(ticket([]), local(2026, 11, 9, 9)).findings == []


def test_agent_created_ticket_has_only_next_replies(tmp_path: Path) -> None:
    t = ticket(
        [
            msg("m1", AGENT, local(2026, 11, 2, 9)),
            msg("m2", CUSTOMER, local(2026, 11, 2, 10)),
            msg("m3", AGENT, local(2026, 11, 4, 11)),  # 7h + 8h + 2h = 17h > 16h
        ]
    )
    evaluation = engine(tmp_path).evaluate(t, local(2026, 11, 5, 9))
    assert only(evaluation, "response_time.first_reply") == []
    [finding] = only(evaluation, "response_time.next_reply")
    assert (finding.status, finding.message_id) == (FindingStatus.BREACHED, "m2")
    assert "17h" in finding.detail


def test_oldest_of_several_customer_messages_counts_and_order_does_not_matter(tmp_path: Path) -> None:
    messages = [
        msg("m1", CUSTOMER, local(2026, 11, 2, 9)),
        msg("m2", AGENT, local(2026, 11, 2, 10)),
        msg("m3", CUSTOMER, local(2026, 11, 2, 11)),
        msg("m4", CUSTOMER, local(2026, 11, 3, 16)),
        msg("m5", AGENT, local(2026, 11, 4, 12)),
    ]
    eng = engine(tmp_path)
    now = local(2026, 11, 5, 9)
    in_order = eng.evaluate(ticket(messages), now)
    shuffled = eng.evaluate(ticket(list(reversed(messages))), now)
    assert in_order.findings == shuffled.findings
    [next_reply] = only(in_order, "response_time.next_reply")
    assert next_reply.message_id == "m3"
    assert next_reply.status is FindingStatus.BREACHED  # 6h + 8h + 3h = 17h > 16h


def test_pending_time_is_not_counted(tmp_path: Path) -> None:
    changes = [
        StatusChange(local(2026, 11, 2, 9), Status.OPEN),
        StatusChange(local(2026, 11, 2, 10), Status.PENDING),
        StatusChange(local(2026, 11, 3, 10), Status.OPEN),
    ]
    messages = [msg("m1", CUSTOMER, local(2026, 11, 2, 9)), msg("m2", AGENT, local(2026, 11, 3, 16))]
    # 1h before pending + 6h after it = 7h of the 8h target.
    [finding] = only(engine(tmp_path).evaluate(ticket(messages, changes=changes), local(2026, 11, 4, 9)),
                     "response_time.first_reply")
    assert finding.status is FindingStatus.MET
    assert "7h" in finding.detail


def test_clock_stopped_in_pause_status_gives_no_deadline(tmp_path: Path) -> None:
    changes = [StatusChange(local(2026, 11, 2, 10), Status.ON_HOLD)]
    t = ticket([msg("m1", CUSTOMER, local(2026, 11, 2, 9))], status=Status.ON_HOLD, changes=changes)
    evaluation = engine(tmp_path).evaluate(t, local(2026, 11, 9, 9))
    assert evaluation.findings == [] and evaluation.deadlines == []


def test_solved_ticket_is_measured_up_to_the_solve(tmp_path: Path) -> None:
    eng = engine(tmp_path)
    messages = [msg("m1", CUSTOMER, local(2026, 11, 2, 9))]
    quick = [StatusChange(local(2026, 11, 2, 12), Status.SOLVED)]
    solved_quickly = eng.evaluate(ticket(messages, status=Status.SOLVED, changes=quick), local(2026, 11, 20, 9))
    assert solved_quickly.findings == [] and solved_quickly.deadlines == []
    slow = [StatusChange(local(2026, 11, 3, 12), Status.SOLVED)]
    [finding] = only(eng.evaluate(ticket(messages, status=Status.SOLVED, changes=slow), local(2026, 11, 20, 9)),
                     "response_time.first_reply")
    assert finding.status is FindingStatus.BREACHED
    assert "11h" in finding.detail and "solved" in finding.detail


def test_ticket_without_status_changes_holds_its_status_since_updated_at(tmp_path: Path) -> None:
    messages = [msg("m1", CUSTOMER, local(2026, 11, 2, 9))]
    t = Ticket("42", "acme", "s", Status.SOLVED, Priority.NORMAL, local(2026, 11, 2, 9), tuple(messages),
               updated_at=local(2026, 11, 4, 9))
    [finding] = only(engine(tmp_path).evaluate(t, local(2026, 11, 20, 9)), "response_time.first_reply")
    assert finding.status is FindingStatus.BREACHED  # 16h until it was solved on the 4th
    assert "16h" in finding.detail


def test_messages_after_now_are_not_known_yet(tmp_path: Path) -> None:
    t = ticket([msg("m1", CUSTOMER, local(2026, 11, 2, 9)), msg("m2", AGENT, local(2026, 11, 2, 10))])
    evaluation = engine(tmp_path).evaluate(t, local(2026, 11, 2, 9, 30))
    assert only(evaluation, "response_time.first_reply") == []
    assert [d.rule for d in evaluation.deadlines] == ["response_time.first_reply"]


def test_always_calendar_counts_nights_and_says_no_business_time(tmp_path: Path) -> None:
    t = ticket([msg("m1", CUSTOMER, local(2026, 11, 2, 18)), msg("m2", AGENT, local(2026, 11, 3, 9))])
    [finding] = only(engine(tmp_path, calendar="24/7").evaluate(t, local(2026, 11, 4, 9)),
                     "response_time.first_reply")
    assert finding.status is FindingStatus.BREACHED
    assert finding.detail == "First reply took 15h; the target for normal priority is 8h."


def test_periodic_update_between_agent_messages(tmp_path: Path) -> None:
    eng = engine(tmp_path, extra='periodic_update = { normal = "4h" }')
    messages = [
        msg("m1", CUSTOMER, local(2026, 11, 2, 9)),
        msg("m2", AGENT, local(2026, 11, 2, 10)),
        msg("m3", AGENT, local(2026, 11, 2, 16)),  # 6h after m2: breached
    ]
    # Tuesday 10:00: 2h since m3 (16-17 and 09-10), under 80% of 4h.
    evaluation = eng.evaluate(ticket(messages), local(2026, 11, 3, 10))
    periodic = {f.message_id: f.status for f in only(evaluation, "response_time.periodic_update")}
    assert periodic == {"m2": FindingStatus.BREACHED}
    running = [d for d in evaluation.deadlines if d.rule == "response_time.periodic_update"]
    assert [(d.message_id, d.due_at) for d in running] == [("m3", local(2026, 11, 3, 12))]
    # Tuesday 11:30: 3h30m, past 80% of 4h.
    later = {f.message_id: f.status for f in only(eng.evaluate(ticket(messages), local(2026, 11, 3, 11, 30)),
                                                  "response_time.periodic_update")}
    assert later == {"m2": FindingStatus.BREACHED, "m3": FindingStatus.AT_RISK}
    # A solved ticket owes no more updates.
    solved = ticket(messages, status=Status.SOLVED, changes=[StatusChange(local(2026, 11, 2, 16, 30), Status.SOLVED)])
    assert {f.message_id for f in only(eng.evaluate(solved, local(2026, 11, 5, 9)),
                                       "response_time.periodic_update")} == {"m2"}


# -- randomized comparison with a minute-by-minute count ------------------------------

WINDOWS = [(local(2026, 3, 23), local(2026, 4, 14)), (local(2026, 10, 19), local(2026, 11, 24))]
# Public holidays in the windows, written down independently of the calendar code.
HOLIDAYS = {date(2026, 4, 5), date(2026, 4, 6), date(2026, 11, 1), date(2026, 11, 11)}
HOURS = {
    0: [(540, 1020)], 1: [(540, 1020)], 2: [(540, 1020)], 3: [(540, 1020)],
    4: [(540, 780), (840, 1020)], 6: [(60, 240), (1200, 1440)],
}
FIRST = {"urgent": 60, "high": 240, "normal": 480, "low": 1440}
NEXT = {"urgent": 120, "high": 480, "normal": 960, "low": 2880}
PAUSE = {Status.PENDING, Status.ON_HOLD}


def test_holiday_list_of_the_randomized_test_matches_the_holidays_package() -> None:
    pl = holidays.country_holidays("PL", years=2026)
    for start, end in WINDOWS:
        days = {start.date() + timedelta(days=i) for i in range((end - start).days + 6)}
        assert {d for d in days if d in pl} == {d for d in HOLIDAYS if d in days}


class MinuteGrid:
    """Whether each minute from ``start`` is working time, decided minute by minute."""

    def __init__(self, start: datetime, days: int) -> None:
        self.start = int(start.timestamp())
        self.working = []
        for minute in range(days * 1440):
            wall = datetime.fromtimestamp(self.start + minute * 60, WARSAW)
            of_day = wall.hour * 60 + wall.minute
            spans = [] if wall.date() in HOLIDAYS else HOURS.get(wall.weekday(), [])
            self.working.append(any(lo <= of_day < hi for lo, hi in spans))

    def index(self, t: datetime) -> int:
        return (int(t.timestamp()) - self.start) // 60


@dataclass
class Expected:
    status: FindingStatus
    minutes: int
    due: datetime | None


def brute_force(t: Ticket, now: datetime, grid: MinuteGrid) -> dict[tuple[str, str], Expected]:
    """Independent reading of the first/next reply rules, counting minute by minute."""
    changes = sorted(t.status_changes, key=lambda c: c.at)

    def status_at(minute_start: datetime) -> Status:
        current = Status.OPEN
        for change in changes:
            if change.at <= minute_start:
                current = change.status
        return current

    def counting(i: int) -> bool:
        moment = datetime.fromtimestamp(grid.start + i * 60, UTC)
        return grid.working[i] and status_at(moment) not in PAUSE

    def count(a: datetime, b: datetime, limit: int) -> tuple[int, datetime | None]:
        n, due = 0, None
        for i in range(grid.index(a), grid.index(b)):
            if counting(i):
                n += 1
                if n == limit:
                    due = datetime.fromtimestamp(grid.start + (i + 1) * 60, UTC)
        if due is None:  # keep counting past b to find when the target runs out
            i, m = grid.index(b), n
            while i < len(grid.working) and due is None:
                if counting(i):
                    m += 1
                    if m == limit:
                        due = datetime.fromtimestamp(grid.start + (i + 1) * 60, UTC)
                i += 1
        return n, due

    public = [m for m in t.messages if m.public and m.created_at <= now]
    solves = [c.at for c in changes if c.status is Status.SOLVED and c.at <= now]
    result: dict[tuple[str, str], Expected] = {}
    waiting: Message | None = None
    rule, anyone_spoke = "", False
    timeline = sorted([(m.created_at, 0, m) for m in public] + [(s, 1, None) for s in solves],
                      key=lambda e: (e[0], e[1]))
    for when, _, m in timeline:
        if m is not None and m.author.role is Role.CUSTOMER:
            if waiting is None:
                waiting = m
                rule = "response_time.next_reply" if anyone_spoke else "response_time.first_reply"
            anyone_spoke = True
            continue
        if m is not None:
            anyone_spoke = True
        if waiting is None:
            continue
        limit = (FIRST if rule.endswith("first_reply") else NEXT)[t.priority.value]
        n, due = count(waiting.created_at, when, limit)
        if n > limit:
            result[(rule, waiting.id)] = Expected(FindingStatus.BREACHED, n, due)
        elif m is not None:
            result[(rule, waiting.id)] = Expected(FindingStatus.MET, n, due)
        waiting = None
    if waiting is not None and status_at(now) is not Status.SOLVED:
        limit = (FIRST if rule.endswith("first_reply") else NEXT)[t.priority.value]
        n, due = count(waiting.created_at, now, limit)
        if n > limit:
            result[(rule, waiting.id)] = Expected(FindingStatus.BREACHED, n, due)
        elif status_at(now) not in PAUSE and n >= 0.8 * limit:
            result[(rule, waiting.id)] = Expected(FindingStatus.AT_RISK, n, due)
    return result


def random_ticket(rng: random.Random, number: int, start: datetime) -> tuple[Ticket, datetime]:
    minute = timedelta(minutes=1)
    t = start + rng.randrange(0, 20 * 1440) * minute
    messages = []
    for i in range(rng.randint(1, 6)):
        who = CUSTOMER if (i == 0 and rng.random() < 0.85) or rng.random() < 0.5 else AGENT
        messages.append(msg(f"m{i}", who, t, public=rng.random() > 0.12))
        t += rng.randint(1, 1500) * minute
    changes = []
    if rng.random() < 0.4:
        p = messages[0].created_at + rng.randint(1, 2000) * minute
        changes += [StatusChange(p, Status.PENDING), StatusChange(p + rng.randint(1, 2000) * minute, Status.OPEN)]
    if rng.random() < 0.2:
        changes.append(StatusChange(t + rng.randint(-1500, 10) * minute, Status.SOLVED))
    changes.sort(key=lambda c: c.at)
    now = t + rng.randint(0, 1500) * minute
    priority = rng.choice(list(Priority))
    status = changes[-1].status if changes else Status.OPEN
    return (
        Ticket(str(number), "acme", "s", status, priority, messages[0].created_at, tuple(messages),
               status_changes=tuple(changes) or (StatusChange(messages[0].created_at, Status.OPEN),)),
        now,
    )


@pytest.mark.parametrize("window", [0, 1], ids=["spring-forward-and-easter", "fall-back-and-11-november"])
def test_randomized_tickets_agree_with_minute_by_minute_count(tmp_path: Path, window: int) -> None:
    eng = engine(tmp_path)
    from csbridge.calendar import calendar_for

    calendar = calendar_for(eng.book, "warsaw")
    start, end = WINDOWS[window]
    grid = MinuteGrid(start, (end - start).days + 6)
    rng = random.Random(20261111 + window)
    compared = breaches = 0
    for number in range(250):
        t, now = random_ticket(rng, number, start)
        expected = brute_force(t, now, grid)
        got = {
            (f.rule, f.message_id or ""): f
            for f in eng.evaluate(t, now).findings
            if f.rule in ("response_time.first_reply", "response_time.next_reply")
        }
        assert set(got) == set(expected), f"ticket {number}: {t} at {now}"
        for key, finding in got.items():
            want = expected[key]
            assert finding.status is want.status, f"ticket {number} {key}: {finding.detail}"
            assert format_duration(timedelta(minutes=want.minutes)) in finding.detail, finding.detail
            if want.status is FindingStatus.BREACHED:
                assert finding.due_at == want.due, f"ticket {number} {key}"
                breaches += 1
            compared += 1
        # The calendar itself agrees with the grid on plain (unpaused) stretches too.
        a, b = t.messages[0].created_at, now
        assert calendar.elapsed(a, b) == timedelta(minutes=sum(grid.working[grid.index(a):grid.index(b)]))
    assert breaches > 30 and compared > 150


def test_shuffled_messages_and_status_changes_give_the_same_evaluation(tmp_path: Path) -> None:
    # The engine sorts what comes out of order; every instant differs, so the order is one.
    eng = engine(tmp_path, extra='periodic_update = { low = "6h", normal = "5h", high = "4h", urgent = "3h" }')
    rng = random.Random(4)
    judged = 0
    for number in range(150):
        t, now = random_ticket(rng, number, WINDOWS[number % 2][0])
        changes = [*t.status_changes, StatusChange(t.messages[0].created_at + timedelta(seconds=30), Status.ON_HOLD)]
        t = replace(t, status_changes=tuple(sorted(changes, key=lambda c: c.at)))
        shuffled = replace(
            t, messages=tuple(rng.sample(t.messages, len(t.messages))),
            status_changes=tuple(rng.sample(t.status_changes, len(t.status_changes))),
        )
        expected = eng.evaluate(t, now)
        assert eng.evaluate(shuffled, now) == expected, f"ticket {number}"
        judged += len(expected.findings) + len(expected.deadlines)
    assert judged > 150
