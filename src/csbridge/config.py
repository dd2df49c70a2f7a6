"""The one TOML config file: daemon settings, calendars, the standards book, sources.

:func:`load_config` reads and validates the whole file up front. Every problem is a
:class:`~csbridge.errors.ConfigError` naming the file, the line where it can be
found, the key path and what was expected.
"""

from __future__ import annotations

import difflib
import itertools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from csbridge.durations import parse_duration
from csbridge.errors import ConfigError
from csbridge.models import Priority, Status

ALWAYS = "24/7"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
T = TypeVar("T")


@dataclass(frozen=True)
class Option:
    """One config key an adapter accepts under its ``[sources.NAME]`` table."""

    type: type | tuple[type, ...]
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class DaemonConfig:
    """``[daemon]``: where state lives and how the daemon runs."""

    state: str
    poll_interval: timedelta = timedelta(minutes=2)
    log_format: str = "text"
    metrics: str = ""
    reminder_grace: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class CalendarConfig:
    """``[calendars.NAME]``: weekly business hours in a time zone, with holidays.

    ``hours`` maps a weekday (0 = Monday) to its working intervals in minutes
    after midnight, sorted and not overlapping.
    """

    name: str
    timezone: str
    hours: Mapping[int, tuple[tuple[int, int], ...]]
    holidays: tuple[str, ...] = ()
    extra_holidays: tuple[date, ...] = ()
    extra_workdays: tuple[date, ...] = ()


@dataclass(frozen=True)
class ResponseTimeStandard:
    """``[standards.response_time]``: reply targets per priority on a calendar."""

    calendar: str
    first_reply: Mapping[Priority, timedelta]
    next_reply: Mapping[Priority, timedelta]
    periodic_update: Mapping[Priority, timedelta] = field(default_factory=dict)
    warn_at: float = 0.8
    pause_on: tuple[Status, ...] = (Status.PENDING, Status.ON_HOLD)


@dataclass(frozen=True)
class CourtesyStandard:
    """``[standards.courtesy]``: what every public agent message must and must not have."""

    languages: tuple[str, ...] = ("en", "pl", "ru", "ca", "es", "de")
    require: tuple[str, ...] = ("greeting", "closing")
    forbid: tuple[str, ...] = ("rude",)
    empathy_after_complaint: bool = True
    check_language: bool = True


@dataclass(frozen=True)
class FollowUpStandard:
    """``[standards.follow_up]``: promised updates kept, pending tickets chased."""

    promises: bool = True
    pending_reminder_after: timedelta | None = timedelta(hours=48)
    calendar: str = ALWAYS


@dataclass(frozen=True)
class StandardsBook:
    """The company's standards and the calendars they count time in.

    A standard runs when the book has its section. ``extra`` holds the raw
    sections of standards that plugins add.
    """

    calendars: Mapping[str, CalendarConfig] = field(default_factory=dict)
    response_time: ResponseTimeStandard | None = None
    courtesy: CourtesyStandard | None = None
    follow_up: FollowUpStandard | None = None
    extra: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceConfig:
    """``[sources.NAME]``: one helpdesk account read through one adapter."""

    name: str
    adapter: str
    options: Mapping[str, Any]
    enabled: bool = True
    config_file: str = ""
    poll_interval: timedelta | None = None

    def error(self, key: str, problem: str) -> ConfigError:
        """A :class:`ConfigError` about ``sources.NAME.KEY`` of this source."""
        return ConfigError(problem, file=self.config_file, key=f"sources.{self.name}.{key}")


@dataclass(frozen=True)
class Config:
    """A loaded, validated config file."""

    path: str
    daemon: DaemonConfig
    book: StandardsBook
    sources: Mapping[str, SourceConfig]


def default_state_url() -> str:
    """A SQLite file in the user's data directory (``$XDG_DATA_HOME/csbridge``)."""
    import os

    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'csbridge' / 'state.db'}"


def load_config(
    path: str | Path,
    adapters: Mapping[str, Mapping[str, Option]] | None = None,
    standards: frozenset[str] | None = None,
) -> Config:
    """Read and validate the config file at ``path``.

    ``adapters`` maps each installed adapter's name to the options it accepts; when
    given, a source naming another adapter or a key the adapter does not accept is
    an error. ``standards`` names the standards plugins registered beyond the
    built-in three. Raises :class:`ConfigError` on the first problem.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc.strerror})", file=str(path)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=str(path)) from None
    return _Loader(str(path), text, adapters, standards or frozenset()).load(data)


class _Loader:
    """Validates one parsed file; knows the file name and text to point at lines."""

    def __init__(
        self,
        file: str,
        text: str,
        adapters: Mapping[str, Mapping[str, Option]] | None,
        standards: frozenset[str],
    ) -> None:
        self.file = file
        self.lines = text.splitlines()
        self.adapters = adapters
        self.standards = standards

    # -- error helpers -------------------------------------------------------

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(problem, file=self.file, key=key, line=self.line_of(key))

    def line_of(self, key: str) -> int | None:
        """Best-effort line number of a dotted key path: the line that assigns it,
        else the line of its table header."""
        parts = key.split(".")
        table: list[str] = []
        header_line: int | None = None
        best: int | None = None
        for number, raw in enumerate(self.lines, start=1):
            line = raw.split("#", 1)[0].strip()
            header = re.match(r"^\[+\s*([^\]]+?)\s*\]+$", line)
            if header:
                table = [p.strip().strip('"') for p in header.group(1).split(".")]
                if table == parts:
                    header_line = number
                continue
            assign = re.match(r'^("?[\w-]+"?)\s*=', line)
            if not assign:
                continue
            name = assign.group(1).strip('"')
            full = [*table, name]
            if full == parts[: len(full)] and best is None:
                best = number
        return best or header_line

    def unknown_keys(self, table: Mapping[str, Any], allowed: set[str] | frozenset[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                extra = f" (did you mean {hint[0]!r}?)" if hint else f" (expected one of: {', '.join(sorted(allowed))})"
                raise self.error(f"{where}.{key}" if where else key, f"unknown key {key!r}{extra}")

    def table(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(_join(where, key), f"expected a table, got {_kind(value)}")
        return value

    def typed(self, data: Mapping[str, Any], key: str, where: str, kind: type[T], default: T) -> T:
        value = data.get(key, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise self.error(_join(where, key), f"expected {_name(kind)}, got {_kind(value)}")
        return value

    def duration(self, value: Any, key: str) -> timedelta:
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def day(self, value: Any, key: str) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.error(key, f"bad date {value!r} (expected YYYY-MM-DD)") from None

    # -- sections -------------------------------------------------------------

    def load(self, data: Mapping[str, Any]) -> Config:
        self.unknown_keys(data, {"daemon", "calendars", "standards", "sources"}, "")
        daemon = self.daemon(self.table(data, "daemon", ""))
        calendars = {
            name: self.calendar(name, cal) for name, cal in self.table(data, "calendars", "").items()
        }
        book = self.book(self.table(data, "standards", ""), calendars)
        sources = {name: self.source(name, src) for name, src in self.table(data, "sources", "").items()}
        return Config(path=self.file, daemon=daemon, book=book, sources=sources)

    def daemon(self, data: Mapping[str, Any]) -> DaemonConfig:
        where = "daemon"
        self.unknown_keys(data, {"state", "poll_interval", "log_format", "metrics", "reminder_grace"}, where)
        state = self.typed(data, "state", where, str, default_state_url())
        if "://" not in state:
            raise self.error("daemon.state", f"expected a database URL such as 'sqlite:///path/state.db', got {state!r}")
        log_format = self.typed(data, "log_format", where, str, "text")
        if log_format not in ("text", "json"):
            raise self.error("daemon.log_format", f"expected 'text' or 'json', got {log_format!r}")
        return DaemonConfig(
            state=state,
            poll_interval=self.duration(data.get("poll_interval", "2m"), "daemon.poll_interval"),
            log_format=log_format,
            metrics=self.typed(data, "metrics", where, str, ""),
            reminder_grace=self.duration(data.get("reminder_grace", "1h"), "daemon.reminder_grace"),
        )

    def calendar(self, name: str, data: Any) -> CalendarConfig:
        where = f"calendars.{name}"
        if not isinstance(data, dict):
            raise self.error(where, f"expected a table, got {_kind(data)}")
        self.unknown_keys(data, {"timezone", "hours", "holidays", "extra_holidays", "extra_workdays"}, where)
        if "timezone" not in data:
            raise self.error(f"{where}.timezone", "missing (expected an IANA time zone such as 'Europe/Warsaw')")
        tz = self.typed(data, "timezone", where, str, "")
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.error(f"{where}.timezone", f"unknown time zone {tz!r} (expected an IANA name such as 'Europe/Warsaw')") from None
        hours_table = self.table(data, "hours", where)
        self.unknown_keys(hours_table, set(WEEKDAYS), f"{where}.hours")
        hours = {
            WEEKDAYS.index(day): self.intervals(spec, f"{where}.hours.{day}") for day, spec in hours_table.items()
        }
        holidays = data.get("holidays", [])
        if isinstance(holidays, str):
            holidays = [holidays]
        if not isinstance(holidays, list) or not all(isinstance(h, str) for h in holidays):
            raise self.error(f"{where}.holidays", "expected a code such as 'PL' or 'ES-CT', or a list of them")
        for code in holidays:
            self.check_holiday_code(code, f"{where}.holidays")
        return CalendarConfig(
            name=name,
            timezone=tz,
            hours=hours,
            holidays=tuple(holidays),
            extra_holidays=tuple(self.day(d, f"{where}.extra_holidays") for d in self.list(data, "extra_holidays", where)),
            extra_workdays=tuple(self.day(d, f"{where}.extra_workdays") for d in self.list(data, "extra_workdays", where)),
        )

    def list(self, data: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.error(_join(where, key), f"expected a list, got {_kind(value)}")
        return value

    def check_holiday_code(self, code: str, key: str) -> None:
        import holidays as holidays_lib

        country, _, subdiv = code.partition("-")
        try:  # loads only that country's module (listing all countries imports ~250)
            holidays_lib.country_holidays(country, years=[])
        except NotImplementedError:
            raise self.error(key, f"unknown holiday country {country!r} (expected an ISO code such as 'PL', 'ES-CT', "
                                  "'DE-BY')") from None
        if subdiv:
            try:
                holidays_lib.country_holidays(country, subdiv=subdiv, years=[])
            except NotImplementedError:
                known = holidays_lib.country_holidays(country, years=[]).subdivisions
                raise self.error(key, f"unknown subdivision {code!r} of {country} (known: "
                                      f"{', '.join(known[:12])}{'...' if len(known) > 12 else ''})") from None

    def intervals(self, spec: Any, key: str) -> tuple[tuple[int, int], ...]:
        if not isinstance(spec, str):
            raise self.error(key, f"expected a time range such as '09:00-17:00', got {_kind(spec)}")
        result: list[tuple[int, int]] = []
        for part in filter(None, (p.strip() for p in spec.split(","))):
            match = _TIME_RANGE.match(part)
            if not match:
                raise self.error(key, f"bad time range {part!r} (expected HH:MM-HH:MM, e.g. '09:00-17:00')")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            start, end = h1 * 60 + m1, h2 * 60 + m2
            if h1 > 23 or m1 > 59 or m2 > 59 or end > 24 * 60 or end <= start:
                raise self.error(key, f"bad time range {part!r} (the end must come after the start, within one day)")
            result.append((start, end))
        result.sort()
        for (_, end), (start, _) in itertools.pairwise(result):
            if start < end:
                raise self.error(key, f"time ranges overlap in {spec!r}")
        return tuple(result)

    def calendar_name(self, data: Mapping[str, Any], where: str, calendars: Mapping[str, CalendarConfig], default: str) -> str:
        name = self.typed(data, "calendar", where, str, default)
        if name != ALWAYS and name not in calendars:
            known = ", ".join([ALWAYS, *sorted(calendars)])
            raise self.error(f"{where}.calendar", f"unknown calendar {name!r} (defined: {known})")
        return name

    def targets(self, data: Mapping[str, Any], key: str, where: str) -> dict[Priority, timedelta]:
        table = self.table(data, key, where)
        self.unknown_keys(table, {p.value for p in Priority}, f"{where}.{key}")
        return {Priority(p): self.duration(v, f"{where}.{key}.{p}") for p, v in table.items()}

    def book(self, data: Mapping[str, Any], calendars: Mapping[str, CalendarConfig]) -> StandardsBook:
        known = {"response_time", "courtesy", "follow_up", *self.standards}
        self.unknown_keys(data, known, "standards")
        response_time = None
        if "response_time" in data:
            where = "standards.response_time"
            rt = self.table(data, "response_time", "standards")
            self.unknown_keys(rt, {"calendar", "first_reply", "next_reply", "periodic_update", "warn_at", "pause_on"}, where)
            warn_at = self.typed(rt, "warn_at", where, float, 0.8)
            if not 0 < warn_at < 1:
                raise self.error(f"{where}.warn_at", f"expected a fraction between 0 and 1, got {warn_at}")
            statuses = {s.value for s in Status}
            pause_on = self.list(rt, "pause_on", where) if "pause_on" in rt else ["pending", "on_hold"]
            for status in pause_on:
                if status not in statuses:
                    raise self.error(f"{where}.pause_on", f"unknown status {status!r} (expected some of: {', '.join(sorted(statuses))})")
            response_time = ResponseTimeStandard(
                calendar=self.calendar_name(rt, where, calendars, ALWAYS),
                first_reply=self.targets(rt, "first_reply", where),
                next_reply=self.targets(rt, "next_reply", where),
                periodic_update=self.targets(rt, "periodic_update", where),
                warn_at=warn_at,
                pause_on=tuple(Status(s) for s in pause_on),
            )
        courtesy = None
        if "courtesy" in data:
            where = "standards.courtesy"
            ct = self.table(data, "courtesy", "standards")
            self.unknown_keys(ct, {"languages", "require", "forbid", "empathy_after_complaint", "check_language"}, where)
            from csbridge.standards.lexicon import available_languages

            languages = tuple(self.list(ct, "languages", where)) if "languages" in ct else CourtesyStandard.languages
            have = available_languages()
            for lang in languages:
                if lang not in have:
                    raise self.error(f"{where}.languages", f"no lexicon for language {lang!r} (available: {', '.join(sorted(have))})")
            require = tuple(self.list(ct, "require", where)) if "require" in ct else CourtesyStandard.require
            for item in require:
                if item not in ("greeting", "closing"):
                    raise self.error(f"{where}.require", f"unknown requirement {item!r} (expected 'greeting' or 'closing')")
            forbid = tuple(self.list(ct, "forbid", where)) if "forbid" in ct else CourtesyStandard.forbid
            for item in forbid:
                if item != "rude":
                    raise self.error(f"{where}.forbid", f"unknown item {item!r} (expected 'rude')")
            courtesy = CourtesyStandard(
                languages=languages,
                require=require,
                forbid=forbid,
                empathy_after_complaint=self.typed(ct, "empathy_after_complaint", where, bool, True),
                check_language=self.typed(ct, "check_language", where, bool, True),
            )
        follow_up = None
        if "follow_up" in data:
            where = "standards.follow_up"
            fu = self.table(data, "follow_up", "standards")
            self.unknown_keys(fu, {"promises", "pending_reminder_after", "calendar"}, where)
            default_cal = response_time.calendar if response_time else ALWAYS
            after = fu.get("pending_reminder_after")
            follow_up = FollowUpStandard(
                promises=self.typed(fu, "promises", where, bool, True),
                pending_reminder_after=None if after is None else self.duration(after, f"{where}.pending_reminder_after"),
                calendar=self.calendar_name(fu, where, calendars, default_cal),
            )
        extra = {name: self.table(data, name, "standards") for name in self.standards if name in data}
        return StandardsBook(calendars, response_time, courtesy, follow_up, extra)

    def source(self, name: str, data: Any) -> SourceConfig:
        where = f"sources.{name}"
        if not isinstance(data, dict):
            raise self.error(where, f"expected a table, got {_kind(data)}")
        if "adapter" not in data:
            raise self.error(f"{where}.adapter", "missing (expected the name of an installed adapter, e.g. 'zendesk')")
        adapter = self.typed(data, "adapter", where, str, "")
        enabled = self.typed(data, "enabled", where, bool, True)
        interval = self.duration(data["poll_interval"], f"{where}.poll_interval") if "poll_interval" in data else None
        options = {k: v for k, v in data.items() if k not in ("adapter", "enabled", "poll_interval")}
        if self.adapters is not None:
            if adapter not in self.adapters:
                installed = ", ".join(sorted(self.adapters)) or "none"
                raise self.error(f"{where}.adapter", f"unknown adapter {adapter!r} (installed: {installed})")
            spec = self.adapters[adapter]
            self.unknown_keys(options, set(spec) | {"adapter", "enabled", "poll_interval"}, where)
            for key, option in spec.items():
                if key not in options:
                    if option.required:
                        raise self.error(f"{where}.{key}", f"missing ({option.help or 'required by adapter ' + adapter})")
                    continue
                if not isinstance(options[key], option.type) or (
                    isinstance(options[key], bool) and option.type is not bool
                ):
                    raise self.error(f"{where}.{key}", f"expected {_name(option.type)}, got {_kind(options[key])}")
        return SourceConfig(name=name, adapter=adapter, options=options, enabled=enabled, config_file=self.file,
                            poll_interval=interval)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false", list: "a list", dict: "a table"}
    if isinstance(kind, tuple):
        return " or ".join(names.get(k, k.__name__) for k in kind)
    return names.get(kind, kind.__name__)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        return f"{value!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__

