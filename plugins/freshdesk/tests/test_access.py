"""``check_access`` (used by ``csbridge doctor``): a working key, a refused key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from csbridge_freshdesk.adapter import FreshdeskAdapter
from csbridge_freshdesk.simulator import FreshdeskSimulator

from csbridge.config import SourceConfig
from csbridge.errors import AuthError
from csbridge.sample import DEMO_START, generate_helpdesk
from csbridge.secrets import Secret


def test_check_access_names_the_account_and_refuses_a_wrong_key() -> None:
    sim = FreshdeskSimulator(api_key="right-key")
    tickets = list(generate_helpdesk(3, seed=1, start=DEMO_START, source="fd"))
    sim.seed(tickets)
    agents = {m.author.id for t in tickets for m in t.messages if m.author.role.value == "agent"}
    agents |= {t.assignee.id for t in tickets if t.assignee}
    url = sim.start()
    try:
        source = SourceConfig("fd", "freshdesk", {"url": url})
        good = FreshdeskAdapter.create(source, Secret("right-key"), lambda: datetime.now(UTC))
        assert good.check_access() == f"Freshdesk {url}: key accepted, {len(agents)} agents visible"
        bad = FreshdeskAdapter.create(source, Secret("wrong-key"), lambda: datetime.now(UTC))
        with pytest.raises(AuthError) as info:
            bad.check_access()
        assert "wrong-key" not in str(info.value)
    finally:
        sim.stop()
