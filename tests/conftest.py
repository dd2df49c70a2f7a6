"""Shared fixtures for the core tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def example_config() -> Path:
    """The config example of the core issue, as the README shows it."""
    return DATA / "example.toml"


@pytest.fixture(autouse=True, scope="session")
def _own_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """csbridge's cache (and that of the commands the tests start) in a folder of this run."""
    from csbridge.standards.literal_cache import CACHE_ENV

    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("cache"))
