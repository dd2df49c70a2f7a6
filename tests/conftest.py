"""Shared fixtures for the core tests."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def example_config() -> Path:
    """The config example of the core issue, as the README shows it."""
    return DATA / "example.toml"
