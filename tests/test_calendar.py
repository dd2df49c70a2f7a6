"""BusinessCalendar: hours in a time zone, daylight saving, holidays, extra days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csbridge.calendar import BusinessCalendar, calendar_for, format_local
from csbridge.config import load_config

WARSAW = ZoneInfo("Europe/Warsaw")
NINE_TO_FIVE = ((9 * 60, 17 * 60),)
WEEKDAYS_9_17 = {d: NINE_TO_FIVE for d in range(5)}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WARSAW)


def warsaw(**kwargs: object) -> BusinessCalendar:
    return BusinessCalendar("warsaw", "Europe/Warsaw", WEEKDAYS_9_17, **kwargs)  # type: ignore[arg-type]


def test_a_working_day_is_eight_hours_and_nights_do_not_count() -> None:
    cal = warsaw()
    assert cal.elapsed(at(2026, 11, 2, 9), at(2026, 11, 2, 17)) == timedelta(hours=8)
    assert cal.elapsed(at(2026, 11, 2, 16), at(2026, 11, 3, 10)) == timedelta(hours=2)
    # Friday 16:00 to Monday 10:00: the weekend does not count.
    assert cal.elapsed(at(2026, 11, 6, 16), at(2026, 11, 9, 10)) == timedelta(hours=2)
    assert cal.elapsed(at(2026, 11, 3), at(2026, 11, 2)) == timedelta(0)


def test_spring_forward_day_keeps_wall_clock_hours() -> None:
    # 2026-03-29 is the Sunday the clocks go 02:00 -> 03:00 in Warsaw.
    cal = BusinessCalendar("s", "Europe/Warsaw", {6: NINE_TO_FIVE, 0: ((0, 24 * 60),)})
    assert cal.elapsed(at(2026, 3, 29, 0), at(2026, 3, 30, 0)) == timedelta(hours=8)
    # A whole-day interval on the spring-forward Sunday is 23 real hours.
    whole = BusinessCalendar("w", "Europe/Warsaw", {6: ((0, 24 * 60),)})
    assert whole.elapsed(at(2026, 3, 29), at(2026, 3, 30)) == timedelta(hours=23)
    # 17:00 local is 15:00 UTC after the change (16:00 UTC before it).
    assert cal.end_of_day(date(2026, 3, 29)) == datetime(2026, 3, 29, 15, tzinfo=UTC)
    assert cal.end_of_day(date(2026, 3, 22)) == datetime(2026, 3, 22, 16, tzinfo=UTC)


def test_fall_back_day_keeps_wall_clock_hours() -> None:
    # 2026-10-25: 03:00 -> 02:00; the day has 25 hours.
    cal = BusinessCalendar("s", "Europe/Warsaw", {6: NINE_TO_FIVE})
    assert cal.elapsed(at(2026, 10, 25), at(2026, 10, 26)) == timedelta(hours=8)
    whole = BusinessCalendar("w", "Europe/Warsaw", {6: ((0, 24 * 60),)})
    assert whole.elapsed(at(2026, 10, 25), at(2026, 10, 26)) == timedelta(hours=25)
    night = BusinessCalendar("n", "Europe/Warsaw", {6: ((60, 4 * 60),)})
    assert night.elapsed(at(2026, 10, 25), at(2026, 10, 26)) == timedelta(hours=4)
    assert night.elapsed(at(2026, 3, 29), at(2026, 3, 30)) == timedelta(hours=2)


def test_add_across_daylight_saving_change_lands_on_local_wall_time() -> None:
    cal = warsaw()
    # Friday 2026-10-23 15:00 + 4h: 2h on Friday, 2h on Monday after the change.
    due = cal.add(at(2026, 10, 23, 15), timedelta(hours=4))
    assert due == at(2026, 10, 26, 11)
    assert due is not None and due.utcoffset() == timedelta(hours=1)


def test_polish_public_holiday_does_not_work() -> None:
    cal = warsaw(holidays=("PL",))
    assert not cal.is_working_day(date(2026, 11, 11))  # Independence Day, a Wednesday
    assert cal.is_working_day(date(2026, 11, 12))
    assert cal.elapsed(at(2026, 11, 10, 9), at(2026, 11, 12, 17)) == timedelta(hours=16)
    assert cal.add(at(2026, 11, 10, 16), timedelta(hours=2)) == at(2026, 11, 12, 10)
    assert warsaw().is_working_day(date(2026, 11, 11))


def test_catalan_subdivision_and_union_of_codes() -> None:
    catalonia = warsaw(holidays=("ES-CT",))
    spain = warsaw(holidays=("ES",))
    # 11 September is the National Day of Catalonia (a Friday in 2026), not a Spanish holiday.
    assert not catalonia.is_working_day(date(2026, 9, 11))
    assert spain.is_working_day(date(2026, 9, 11))
    both = warsaw(holidays=("PL", "ES-CT"))
    assert not both.is_working_day(date(2026, 9, 11))
    assert not both.is_working_day(date(2026, 11, 11))


def test_extra_holidays_and_extra_workdays() -> None:
    cal = warsaw(holidays=("PL",), extra_holidays=(date(2026, 12, 31),), extra_workdays=(date(2026, 11, 14),))
    assert not cal.is_working_day(date(2026, 12, 31))
    # A working Saturday takes the hours of the first defined weekday (Monday).
    assert cal.day_hours(date(2026, 11, 14)) == NINE_TO_FIVE
    assert cal.elapsed(at(2026, 11, 13, 16), at(2026, 11, 16, 10)) == timedelta(hours=10)
    # An extra workday on a public holiday wins over the holiday, with its weekday's hours.
    holiday_worked = warsaw(holidays=("PL",), extra_workdays=(date(2026, 11, 11),))
    assert holiday_worked.is_working_day(date(2026, 11, 11))


def test_split_day_counts_only_the_intervals() -> None:
    split = {**WEEKDAYS_9_17, 4: ((9 * 60, 13 * 60), (14 * 60, 17 * 60))}
    cal = BusinessCalendar("split", "Europe/Warsaw", split)
    friday = date(2026, 11, 6)
    assert cal.elapsed(at(2026, 11, 6, 12), at(2026, 11, 6, 15)) == timedelta(hours=2)
    assert cal.add(at(2026, 11, 6, 12, 30), timedelta(hours=1)) == at(2026, 11, 6, 14, 30)
    # Used up exactly at the end of the morning: the instant is 13:00, not 14:00.
    assert cal.add(at(2026, 11, 6, 12), timedelta(hours=1)) == at(2026, 11, 6, 13)
    assert cal.next_open(at(2026, 11, 6, 13, 20)) == at(2026, 11, 6, 14)
    assert cal.next_open(at(2026, 11, 6, 17, 30)) == at(2026, 11, 9, 9)
    assert cal.next_open(at(2026, 11, 6, 10)) == at(2026, 11, 6, 10)
    assert cal.end_of_day(friday) == at(2026, 11, 6, 17)
    assert cal.is_open(at(2026, 11, 6, 15)) and not cal.is_open(at(2026, 11, 6, 13, 30))


def test_pauses_are_not_counted_and_push_add_forward() -> None:
    cal = warsaw()
    pause = [(at(2026, 11, 2, 10), at(2026, 11, 2, 12))]
    assert cal.elapsed(at(2026, 11, 2, 9), at(2026, 11, 2, 17), pause) == timedelta(hours=6)
    assert cal.add(at(2026, 11, 2, 9), timedelta(hours=2), pause) == at(2026, 11, 2, 13)
    overlapping = [(at(2026, 11, 2, 10), at(2026, 11, 2, 12)), (at(2026, 11, 2, 11), at(2026, 11, 2, 13))]
    assert cal.elapsed(at(2026, 11, 2, 9), at(2026, 11, 2, 17), overlapping) == timedelta(hours=5)
    # A pause that never ends stops the clock for good.
    assert cal.add(at(2026, 11, 2, 9), timedelta(hours=2), [(at(2026, 11, 2, 10), None)]) is None


def test_working_day_and_end_of_day_for_follow_up() -> None:
    cal = warsaw(holidays=("PL",))
    assert cal.working_day(date(2026, 11, 10), after=1) == date(2026, 11, 12)  # skips the 11th
    assert cal.working_day(date(2026, 11, 7)) == date(2026, 11, 9)  # Saturday -> Monday
    assert cal.working_day(date(2026, 11, 9)) == date(2026, 11, 9)
    with pytest.raises(ValueError, match="not a working day"):
        cal.end_of_day(date(2026, 11, 11))


def test_far_past_and_future_share_one_clock() -> None:
    cal = warsaw()
    # Asking about a later instant first, then an earlier one, grows the table backwards.
    later = cal.elapsed(at(2026, 11, 2, 9), at(2026, 11, 9, 9))
    assert later == timedelta(hours=40)
    assert cal.elapsed(at(2020, 1, 6, 9), at(2020, 1, 13, 9)) == timedelta(hours=40)
    assert cal.elapsed(at(2026, 11, 2, 9), at(2026, 11, 9, 9)) == later
    assert cal.add(at(2019, 1, 7, 9), timedelta(hours=8)) == at(2019, 1, 7, 17)


def test_always_calendar_is_plain_time() -> None:
    cal = BusinessCalendar.always()
    start = datetime(2026, 3, 28, 22, tzinfo=UTC)
    assert cal.elapsed(start, start + timedelta(days=2)) == timedelta(days=2)
    assert cal.add(start, timedelta(hours=30)) == start + timedelta(hours=30)
    assert cal.is_always and not warsaw().is_always


def test_calendar_from_example_config(example_config: object) -> None:
    book = load_config(str(example_config)).book
    cal = calendar_for(book, "warsaw")
    assert not cal.is_working_day(date(2026, 12, 31))  # extra holiday
    assert not cal.is_working_day(date(2026, 11, 11))  # PL
    assert cal.elapsed(at(2026, 11, 6, 9), at(2026, 11, 6, 17)) == timedelta(hours=7)  # split Friday
    assert calendar_for(book, "24/7").is_always
    assert format_local(datetime(2026, 11, 2, 15, 15, tzinfo=UTC), cal) == "2026-11-02 16:15 Europe/Warsaw"


def test_bad_calendars_are_refused() -> None:
    with pytest.raises(ValueError, match="no working hours"):
        BusinessCalendar("empty", "Europe/Warsaw", {})
    with pytest.raises(ValueError, match="unknown holiday code"):
        warsaw(holidays=("XX",))


# -- the business clock against a minute-by-minute walk, and the local time as strftime writes it --------


TOUCHING = BusinessCalendar(
    "touching", "Europe/Warsaw",
    {0: ((9 * 60, 13 * 60), (13 * 60, 17 * 60)), 2: ((0, 24 * 60),), 3: ((0, 24 * 60),), 5: ((20, 90), (1200, 1440))},
)


def working_minutes(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Minutes in [start, end) whose local wall time lies in the hours of its local day."""
    count, t = 0, start
    while t < end:
        local_time = t.astimezone(cal.tz)
        minute = local_time.hour * 60 + local_time.minute
        count += any(lo <= minute < hi for lo, hi in cal.day_hours(local_time.date()))
        t += timedelta(minutes=1)
    return count


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=60 * 24 * 400),
    st.integers(min_value=0, max_value=60 * 24 * 9),
)
def test_elapsed_counts_working_minutes_with_touching_spans_and_daylight_saving(offset: int, length: int) -> None:
    # Starts from 2026-01-01 cover both daylight-saving changes; days meeting at midnight and spans
    # meeting at 13:00 must count once; the table grows both ways as the examples come.
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=offset)
    end = start + timedelta(minutes=length)
    assert TOUCHING.elapsed(start, end) == timedelta(minutes=working_minutes(TOUCHING, start, end))


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)),
    st.sampled_from(["Europe/Warsaw", "America/St_Johns", "Asia/Kathmandu", "UTC"]),
)
def test_format_local_writes_the_local_wall_time_to_the_minute(t: datetime, zone: str) -> None:
    cal = BusinessCalendar("c", zone, WEEKDAYS_9_17)
    assert format_local(t, cal) == f"{t.astimezone(ZoneInfo(zone)).strftime('%Y-%m-%d %H:%M')} {zone}"
