"""Business calendars: how much working time lies between two instants, and when a
given amount of working time runs out.

A :class:`BusinessCalendar` is built from a ``[calendars.NAME]`` table
(:class:`~csbridge.config.CalendarConfig`) or is :meth:`BusinessCalendar.always`
(``"24/7"``). Working hours are local wall time in the calendar's IANA time zone,
so a ``09:00-17:00`` day is 8 hours on both daylight-saving change days, and an
``00:00-24:00`` day is 23 or 25 hours long on them.

Which days work, first rule that applies wins:

1. a date in ``extra_holidays`` is off;
2. a date in ``extra_workdays`` works with the hours of its own weekday when the
   week defines any, else with the hours of the first weekday that has hours
   (Monday's in a Monday-Friday week): a working Saturday keeps Monday's hours;
3. a public holiday of any of the ``holidays`` codes (``"PL"``, ``"ES-CT"``,
   ``"DE-BY"``: country, optionally a subdivision; several codes are a union,
   observed days included) is off;
4. otherwise the weekday's hours apply.

A boundary that does not exist because the clock springs forward (``02:30`` on
the spring-forward night in Europe) is read with the offset in force before the
change, as :pep:`495` does; a boundary that occurs twice when the clock falls
back is its first occurrence.

Internally time is measured on a *business clock*: the number of working
seconds since the start of the calendar's table of days. The table is built day
by day on demand (each day's intervals and a running total), so
:meth:`~BusinessCalendar.elapsed` and :meth:`~BusinessCalendar.add` cost two
binary searches, not a walk over minutes or days. All methods are pure: the
same arguments give the same result.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from csbridge.config import ALWAYS, CalendarConfig, StandardsBook

Pause = tuple[float, float]
"""A pause as POSIX timestamps ``(start, end)``; ``end`` may be ``math.inf``."""

_DAY = 86400.0
_CHUNK = 366  # days added at once when the table must grow into the past
_NO_WORK_LIMIT = 3660  # days without any working time before add() gives up


def normalize_pauses(pauses: Iterable[tuple[float, float]]) -> tuple[Pause, ...]:
    """Sorted, merged, non-empty pause intervals (POSIX timestamps) as the
    ``*_ts`` methods expect them."""
    merged: list[list[float]] = []
    for start, end in sorted(p for p in pauses if p[1] > p[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((s, e) for s, e in merged)


def _pauses_ts(pauses: Iterable[tuple[datetime, datetime | None]]) -> tuple[Pause, ...]:
    return normalize_pauses((s.timestamp(), math.inf if e is None else e.timestamp()) for s, e in pauses)


class BusinessCalendar:
    """Weekly working hours in one time zone, with public and extra holidays.

    ``hours`` maps a weekday (0 = Monday) to sorted, non-overlapping working
    intervals in minutes after local midnight (``(540, 1020)`` is 09:00-17:00).
    ``holidays`` are codes of the ``holidays`` package (``"PL"``, ``"ES-CT"``).
    Raises :class:`ValueError` for an unknown holiday code or a calendar that
    can never work (no hours and no extra working days).
    """

    def __init__(
        self,
        name: str,
        timezone: str,
        hours: Mapping[int, Sequence[tuple[int, int]]],
        holidays: Sequence[str] = (),
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ) -> None:
        self.name = name
        self.timezone = timezone
        self.tz: tzinfo = ZoneInfo(timezone)
        self.hours: dict[int, tuple[tuple[int, int], ...]] = {
            day: tuple(spans) for day, spans in sorted(hours.items()) if spans
        }
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        if not self.hours and not self.extra_workdays:
            raise ValueError(f"calendar {name!r} has no working hours")
        first = next(iter(self.hours.values()), ((9 * 60, 17 * 60),))
        self._extra_day_hours = first
        self._holidays = [_holiday_set(code) for code in holidays]
        self._always = False
        # The day table: day i is the local date with ordinal _base + i; it starts
        # at _starts[i] and ends at _starts[i + 1]; _cum[i] is the business clock at
        # its start (working seconds since the first day the table was built for); _spans[i] its working intervals, flattened (s0, e0, s1, ...).
        # _edges: every day's spans in one flat list (s0, e0, s1, ... of the first day, then the next day's)
        # and _edge_clock[j] the business clock at _edges[j], so that _clock is one binary search.
        self._base = 0
        self._starts: list[float] = []
        self._cum: list[float] = []
        self._spans: list[tuple[float, ...]] = []
        self._edges: list[float] = []
        self._edge_clock: list[float] = []

    @classmethod
    def from_config(cls, config: CalendarConfig) -> BusinessCalendar:
        """The calendar of a ``[calendars.NAME]`` table."""
        return cls(
            config.name,
            config.timezone,
            config.hours,
            config.holidays,
            config.extra_holidays,
            config.extra_workdays,
        )

    @classmethod
    def always(cls) -> BusinessCalendar:
        """The ``"24/7"`` calendar: every instant is working time (days are UTC days)."""
        calendar = cls(ALWAYS, "UTC", {d: ((0, 24 * 60),) for d in range(7)})
        calendar._always = True
        return calendar

    @property
    def is_always(self) -> bool:
        """True for the 24/7 calendar, where business time is plain time."""
        return self._always

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.name!r}, {self.timezone!r})"

    # -- days -----------------------------------------------------------------

    def day_hours(self, day: date) -> tuple[tuple[int, int], ...]:
        """The working intervals of ``day`` in minutes after local midnight
        (empty on a day off), after holidays and extra days are applied."""
        if day in self.extra_holidays:
            return ()
        weekday = day.weekday()
        if day in self.extra_workdays:
            return self.hours.get(weekday) or self._extra_day_hours
        if self._always:
            return self.hours[weekday]
        if any(day in h for h in self._holidays):
            return ()
        return self.hours.get(weekday, ())

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` has any working hours."""
        return bool(self.day_hours(day))

    def local_date(self, t: datetime) -> date:
        """The calendar date at instant ``t`` in the calendar's time zone."""
        return t.astimezone(self.tz).date()

    def end_of_day(self, day: date) -> datetime:
        """The end of the last working interval of ``day`` (aware, in the
        calendar's zone). Raises :class:`ValueError` if ``day`` does not work."""
        i = self._index_of_day(day)
        spans = self._spans[i]
        if not spans:
            raise ValueError(f"{day.isoformat()} is not a working day in calendar {self.name!r}")
        return datetime.fromtimestamp(spans[-1], self.tz)

    def working_day(self, day: date, after: int = 0) -> date:
        """The ``after``-th working day after ``day`` (``after=0``: ``day``
        itself if it works, else the next working day)."""
        current = day if after else day - timedelta(days=1)
        count = after if after else 1
        for _ in range(count * 7 + _NO_WORK_LIMIT):
            current += timedelta(days=1)
            if self.is_working_day(current):
                count -= 1
                if count == 0:
                    return current
        raise ValueError(f"calendar {self.name!r} has no working day after {day.isoformat()}")

    def is_open(self, t: datetime) -> bool:
        """Whether ``t`` lies inside a working interval."""
        ts = t.timestamp()
        i = self._index(ts)
        spans = self._spans[i]
        return any(spans[k] <= ts < spans[k + 1] for k in range(0, len(spans), 2))

    def next_open(self, t: datetime) -> datetime:
        """``t`` if it is inside working hours, else the start of the next
        working interval (aware, in the calendar's zone)."""
        ts = t.timestamp()
        if self.is_open(t):
            return t
        # The instant when the business clock first moves on after ts.
        position = self._clock(ts)
        end = self._inverse(position + 1.0) - 1.0
        return datetime.fromtimestamp(end, self.tz)

    # -- durations --------------------------------------------------------------

    def elapsed(
        self, start: datetime, end: datetime, pauses: Iterable[tuple[datetime, datetime | None]] = ()
    ) -> timedelta:
        """Working time in ``[start, end)`` minus the ``pauses`` (``(start, end)``
        pairs; ``end`` ``None`` for a pause still going). Zero if ``end <= start``."""
        seconds = self.elapsed_ts(start.timestamp(), end.timestamp(), _pauses_ts(pauses))
        return timedelta(seconds=seconds)

    def add(
        self, start: datetime, amount: timedelta, pauses: Iterable[tuple[datetime, datetime | None]] = ()
    ) -> datetime | None:
        """The first instant at which ``amount`` of working time after ``start``
        (not counting ``pauses``) is used up, aware in the calendar's zone;
        ``start`` itself for a zero amount. ``None`` when a pause that never ends
        comes first. Raises :class:`ValueError` if the calendar has no working
        time left for ten years."""
        ts = self.add_ts(start.timestamp(), amount.total_seconds(), _pauses_ts(pauses))
        if ts == start.timestamp():
            return start
        return None if math.isinf(ts) else datetime.fromtimestamp(ts, self.tz)

    def elapsed_ts(self, start: float, end: float, pauses: Sequence[Pause] = ()) -> float:
        """:meth:`elapsed` on POSIX timestamps, in seconds; ``pauses`` as from
        :func:`normalize_pauses`."""
        if end <= start:
            return 0.0
        clock = self._clock
        total = clock(end) - clock(start)
        for pause_start, pause_end in pauses:
            if pause_start >= end:
                break
            s = pause_start if pause_start > start else start
            e = pause_end if pause_end < end else end
            if e > s:
                total -= clock(e) - clock(s)
        return total

    def add_ts(self, start: float, seconds: float, pauses: Sequence[Pause] = ()) -> float:
        """:meth:`add` on POSIX timestamps; ``math.inf`` where :meth:`add`
        returns ``None``."""
        if seconds <= 0:
            return start
        clock = self._clock
        t = start
        for pause_start, pause_end in pauses:
            if pause_end <= t:
                continue
            if pause_start > t:
                available = clock(pause_start) - clock(t)
                if seconds <= available:
                    return self._inverse(clock(t) + seconds)
                seconds -= available
            t = pause_end
            if math.isinf(t):
                return math.inf
        return self._inverse(clock(t) + seconds)

    # -- the business clock -------------------------------------------------------

    def _clock(self, t: float) -> float:
        """Working seconds from the start of the table to ``t``."""
        if self._always:
            return t
        starts = self._starts
        if not starts or t < starts[0] or t >= starts[-1]:
            self._cover(t)
        edges = self._edges
        j = bisect_right(edges, t)
        if j & 1:  # inside the working interval that starts at edges[j - 1]
            return self._edge_clock[j - 1] + (t - edges[j - 1])
        return self._edge_clock[j - 1] if j else self._cum[0]

    def _inverse(self, value: float) -> float:
        """The first instant at which the business clock reaches ``value``."""
        if self._always:
            return value
        cum = self._cum
        stalled = 0
        while cum[-1] < value:
            before = cum[-1]
            self._extend_forward(64)
            cum = self._cum
            stalled = stalled + 64 if cum[-1] == before else 0
            if stalled > _NO_WORK_LIMIT:
                raise ValueError(f"calendar {self.name!r} has no working time left")
        j = bisect_left(cum, value)
        i = max(j - 1, 0)
        remaining = value - cum[i]
        spans = self._spans[i]
        for k in range(0, len(spans), 2):
            length = spans[k + 1] - spans[k]
            if remaining <= length:
                return spans[k] + remaining
            remaining -= length
        return spans[-1] if spans else self._starts[i]

    def _index(self, t: float) -> int:
        if not self._starts or t < self._starts[0] or t >= self._starts[-1]:
            self._cover(t)
        return bisect_right(self._starts, t) - 1

    def _index_of_day(self, day: date) -> int:
        ordinal = day.toordinal()
        if not self._starts:
            self._start_table(ordinal)
        while ordinal < self._base:
            self._extend_backward()
        while ordinal >= self._base + len(self._spans):
            self._extend_forward(ordinal - self._base - len(self._spans) + 1)
        return ordinal - self._base

    def _cover(self, t: float) -> None:
        """Grow the table until it contains the instant ``t``."""
        if not self._starts:
            self._start_table(datetime.fromtimestamp(t, self.tz).date().toordinal())
        while t < self._starts[0]:
            self._extend_backward()
        while t >= self._starts[-1]:
            days = int((t - self._starts[-1]) // _DAY) + 1
            self._extend_forward(days)

    def _start_table(self, ordinal: int) -> None:
        self._base = ordinal
        self._starts = [self._midnight(ordinal)]
        self._cum = [0.0]
        self._spans = []
        self._edges = []
        self._edge_clock = []

    def _extend_forward(self, days: int) -> None:
        ordinal = self._base + len(self._spans)
        for _ in range(days):
            spans, end = self._day(ordinal)
            self._spans.append(spans)
            self._starts.append(end)
            _add_edges(spans, self._cum[-1], self._edges, self._edge_clock)
            self._cum.append(self._cum[-1] + _length(spans))
            ordinal += 1

    def _extend_backward(self) -> None:
        first = self._base - _CHUNK
        days = [self._day(o) for o in range(first, self._base)]
        starts = [self._midnight(first)] + [end for _, end in days]
        # Running totals count backwards from the old first day, so values the
        # clock already handed out stay valid (the clock's origin never moves).
        cum = [self._cum[0]]
        for spans, _ in reversed(days):
            cum.append(cum[-1] - _length(spans))
        cum.reverse()
        edges: list[float] = []
        edge_clock: list[float] = []
        for (spans, _), clock in zip(days, cum[:-1], strict=True):
            _add_edges(spans, clock, edges, edge_clock)
        self._edges = edges + self._edges
        self._edge_clock = edge_clock + self._edge_clock
        self._starts = starts[:-1] + self._starts
        self._cum = cum[:-1] + self._cum
        self._spans = [spans for spans, _ in days] + self._spans
        self._base = first

    def _midnight(self, ordinal: int) -> float:
        day = date.fromordinal(ordinal)
        return datetime(day.year, day.month, day.day, tzinfo=self.tz).timestamp()

    def _day(self, ordinal: int) -> tuple[tuple[float, ...], float]:
        """Working intervals of one local day as timestamps, and the day's end."""
        day = date.fromordinal(ordinal)
        midnight = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        start_ts = midnight.timestamp()
        end_ts = self._midnight(ordinal + 1)
        flat: list[float] = []
        previous = start_ts
        for lo, hi in self.day_hours(day):
            # Wall-clock arithmetic: aware datetime + timedelta keeps the zone and
            # moves the wall time, so 09:00 is 09:00 on a daylight-saving day.
            s = max((midnight + timedelta(minutes=lo)).timestamp(), previous)
            e = min((midnight + timedelta(minutes=hi)).timestamp(), end_ts)
            if e > s:
                flat += (s, e)
                previous = e
        return tuple(flat), end_ts


def _add_edges(spans: tuple[float, ...], clock: float, edges: list[float], edge_clock: list[float]) -> None:
    """Append one day's ``spans`` to ``edges`` with the business clock at each edge,
    ``clock`` being its value at the day's start (summed span by span, as :meth:`_clock`
    counted before it had edges)."""
    for k in range(0, len(spans), 2):
        s, e = spans[k], spans[k + 1]
        edges += (s, e)
        edge_clock.append(clock)
        clock += e - s
        edge_clock.append(clock)


def _length(spans: tuple[float, ...]) -> float:
    return sum(spans[k + 1] - spans[k] for k in range(0, len(spans), 2))


def _holiday_set(code: str) -> Any:
    import holidays

    country, _, subdiv = code.partition("-")
    try:
        return holidays.country_holidays(country, subdiv=subdiv or None)
    except NotImplementedError as exc:
        raise ValueError(f"unknown holiday code {code!r}: {exc}") from None


def calendar_for(book: StandardsBook, name: str) -> BusinessCalendar:
    """The calendar called ``name`` in ``book`` (``"24/7"`` for :meth:`BusinessCalendar.always`).
    Raises :class:`KeyError` for a name the book does not define."""
    if name == ALWAYS:
        return BusinessCalendar.always()
    return BusinessCalendar.from_config(book.calendars[name])


def format_local(t: datetime, calendar: BusinessCalendar) -> str:
    """``t`` as an agent reads it: ``2026-11-02 16:15 Europe/Warsaw``."""
    local = t.astimezone(calendar.tz)
    if local.year < 1000:  # strftime writes such years unpadded on some platforms: keep its answer
        return f"{local.strftime('%Y-%m-%d %H:%M')} {calendar.timezone}"
    # what strftime('%Y-%m-%d %H:%M') writes, without its slower C-level formatting
    return f"{local.year}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d} {calendar.timezone}"


def utc(ts: float) -> datetime:
    """An aware UTC datetime from a POSIX timestamp."""
    return datetime.fromtimestamp(ts, UTC)
