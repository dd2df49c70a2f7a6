"""The config file: the example loads; each kind of mistake is one clear line naming file, key and problem."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from csbridge.cli import main
from csbridge.config import load_config
from csbridge.models import Priority, Status
from csbridge.plugins import load_plugins


def test_example_loads_with_every_value(example_config: Path) -> None:
    host = load_plugins()
    config = load_config(example_config, host.adapter_options, host.extra_standards)
    assert config.daemon.poll_interval == timedelta(minutes=2)
    assert config.daemon.state == "sqlite:///var/lib/csbridge/state.db"
    warsaw = config.book.calendars["warsaw"]
    assert warsaw.hours[4] == ((9 * 60, 13 * 60), (14 * 60, 17 * 60))
    assert 5 not in warsaw.hours and warsaw.holidays == ("PL",)
    rt = config.book.response_time
    assert rt is not None and rt.calendar == "warsaw"
    assert rt.first_reply[Priority.NORMAL] == timedelta(hours=8)
    assert rt.pause_on == (Status.PENDING, Status.ON_HOLD)
    assert config.book.follow_up is not None and config.book.follow_up.calendar == "warsaw"
    assert config.sources["acme"].adapter == "zendesk"


def test_config_check_cli_accepts_example(example_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(example_config)]) == 0
    assert "OK" in capsys.readouterr().out


def _broken(tmp_path: Path, example_config: Path, old: str, new: str) -> Path:
    text = example_config.read_text()
    assert old in text
    path = tmp_path / "csbridge.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("first_reply =", "frist_reply =", "standards.response_time.frist_reply", "did you mean 'first_reply'"),
        ('adapter = "zendesk"', 'adapter = "zendsk"', "sources.acme.adapter", "unknown adapter 'zendsk'"),
        ('calendar = "warsaw"', 'calendar = "krakow"', "standards.response_time.calendar", "unknown calendar 'krakow'"),
        ('normal = "8h"', 'normal = "8 hours"', "standards.response_time.first_reply.normal", "bad duration"),
        ('poll_interval = "2m"', 'poll_interval = "0m"', "daemon.poll_interval", "longer than zero"),
        ('mon = "09:00-17:00"', 'mon = "9-17"', "calendars.warsaw.hours.mon", "bad time range '9-17'"),
        ('tue = "09:00-17:00"', 'tue = "17:00-09:00"', "calendars.warsaw.hours.tue", "end must come after"),
        ('subdomain = "acme"', 'subdomian = "acme"', "sources.acme.subdomian", "did you mean 'subdomain'"),
        ('holidays = "PL"', 'holidays = "XX"', "calendars.warsaw.holidays", "unknown holiday country 'XX'"),
        ('timezone = "Europe/Warsaw"', 'timezone = "Europe/Warsow"', "calendars.warsaw.timezone", "unknown time zone"),
        ("warn_at = 0.8", "warn_at = 1.5", "standards.response_time.warn_at", "between 0 and 1"),
        ('languages = ["en"', 'languages = ["xx"', "standards.courtesy.languages", "no lexicon for language 'xx'"),
    ],
)
def test_each_mistake_is_one_clear_line(
    tmp_path: Path,
    example_config: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    key: str,
    problem: str,
) -> None:
    path = _broken(tmp_path, example_config, old, new)
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    line_no = next(i for i, line in enumerate(path.read_text().splitlines(), 1) if new in line)
    assert lines[0].startswith(f"csbridge: error: {path}:{line_no}: {key}: "), lines[0]
    assert problem in lines[0]


def test_toml_syntax_error_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[daemon]\npoll_interval = 2m\n")
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "line 2" in err


def test_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(tmp_path / "nope.toml")]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_state_defaults_to_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    path = tmp_path / "c.toml"
    path.write_text("[daemon]\n")
    assert load_config(path).daemon.state == f"sqlite:///{tmp_path}/csbridge/state.db"


def test_contrib_sample_config_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    sample = Path(__file__).parents[1] / "contrib" / "csbridge.toml"
    assert main(["config", "check", str(sample)]) == 0, capsys.readouterr().err
