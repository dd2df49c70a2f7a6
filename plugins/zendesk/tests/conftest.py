"""Shared fixtures: a fake clock, the simulator seeded from the sample helpdesk, an adapter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from csbridge_zendesk.adapter import ZendeskAdapter
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.sample import DEMO_START, generate_helpdesk
from csbridge.secrets import Secret
from csbridge.simkit import FakeClock

TOKEN = "s3cret-token"
EMAIL = "bot@acme.example"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(DEMO_START + timedelta(days=40))


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[ZendeskSimulator]:
    with ZendeskSimulator(clock=clock, token=TOKEN) as simulator:
        simulator.seed(generate_helpdesk(120, seed=7, start=DEMO_START))
        yield simulator


def make_adapter(sim: ZendeskSimulator, clock: FakeClock, **kwargs: object) -> ZendeskAdapter:
    options: dict[str, object] = {"clock": clock, "sleep": clock.sleep, "backfill_days": 60, "source": "acme"}
    options.update(kwargs)
    return ZendeskAdapter(sim.base_url, EMAIL, Secret(TOKEN), **options)  # type: ignore[arg-type]


@pytest.fixture
def adapter(sim: ZendeskSimulator, clock: FakeClock) -> Iterator[ZendeskAdapter]:
    made = make_adapter(sim, clock)
    yield made
    made.close()
