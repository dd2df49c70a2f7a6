"""Durations as written in the config and as agents read them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from csbridge.durations import format_duration, parse_duration


@pytest.mark.parametrize(("text", "value"), [("30m", timedelta(minutes=30)), ("8h", timedelta(hours=8)),
                                             ("2d", timedelta(days=2)), ("1h30m", timedelta(hours=1, minutes=30)),
                                             ("1d 2h", timedelta(hours=26))])
def test_parse(text: str, value: timedelta) -> None:
    assert parse_duration(text) == value


@pytest.mark.parametrize("text", ["", "8", "8 hours", "h", "-1h", "0m", "1.5h"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_format_keeps_hours() -> None:
    assert format_duration(timedelta(hours=9, minutes=40)) == "9h 40m"
    assert format_duration(timedelta(days=2, hours=13, minutes=5)) == "61h 5m"
    assert format_duration(timedelta(minutes=45)) == "45m"
    assert format_duration(timedelta(0)) == "0m"
