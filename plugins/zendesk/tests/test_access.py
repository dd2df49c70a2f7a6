"""``check_access`` (what ``csbridge doctor`` runs): one ``users/me`` request names the
account, the API user and its role; refused tokens, end-users and an unreachable
account are errors that never carry the token."""

from __future__ import annotations

import pytest
from csbridge_zendesk.adapter import ZendeskAdapter
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.errors import AdapterError, AuthError
from csbridge.secrets import Secret

from .conftest import EMAIL, TOKEN, FakeClock, make_adapter

ME = "GET /api/v2/users/me.json"


def test_admin_is_described_in_one_request(sim: ZendeskSimulator, adapter: ZendeskAdapter) -> None:
    before = sum(sim.requests.values())
    line = adapter.check_access()
    assert line == f"Zendesk {sim.base_url} as {EMAIL} (admin)"
    assert sum(sim.requests.values()) - before == 1 and sim.requests[ME] == 1
    assert "\n" not in line and TOKEN not in line


def test_simulator_answers_me_for_the_authenticated_user(clock: FakeClock) -> None:
    with ZendeskSimulator(clock=clock, token=TOKEN, api_role="agent") as sim:
        adapter = make_adapter(sim, clock)
        line = adapter.check_access()
        assert line.startswith(f"Zendesk {sim.base_url} as {EMAIL} (agent") and "need an admin" in line
        other = ZendeskAdapter(sim.base_url, "someone@acme.example", Secret(TOKEN), clock=clock, sleep=clock.sleep)
        assert "as someone@acme.example (agent" in other.check_access()
        user = sim.api_user(EMAIL)
        assert user["email"] == EMAIL and user["role"] == "agent" and isinstance(user["id"], int)


def test_end_user_cannot_write_private_notes(clock: FakeClock) -> None:
    with ZendeskSimulator(clock=clock, token=TOKEN, api_role="end-user") as sim, pytest.raises(AuthError) as info:
        make_adapter(sim, clock).check_access()
    assert "end-user" in str(info.value) and EMAIL in str(info.value) and TOKEN not in str(info.value)


def test_refused_token_is_an_auth_error_without_the_token(sim: ZendeskSimulator, clock: FakeClock) -> None:
    adapter = ZendeskAdapter(sim.base_url, EMAIL, Secret("wrong-token-123"), clock=clock, sleep=clock.sleep)
    with pytest.raises(AuthError) as info:
        adapter.check_access()
    assert "401" in str(info.value) and "wrong-token-123" not in str(info.value)
    assert sim.requests[ME] == 1  # refused credentials are not retried


def test_forbidden_is_an_auth_error(sim: ZendeskSimulator, adapter: ZendeskAdapter) -> None:
    sim.faults.add(ME, status=403)
    with pytest.raises(AuthError):
        adapter.check_access()


def test_unreachable_account_is_an_adapter_error_after_two_tries(clock: FakeClock) -> None:
    with ZendeskSimulator(clock=clock, token=TOKEN) as sim:
        base = sim.base_url
    adapter = ZendeskAdapter(base, EMAIL, Secret(TOKEN), clock=clock, sleep=clock.sleep)
    with pytest.raises(AdapterError) as info:
        adapter.check_access()
    assert not isinstance(info.value, AuthError) and info.value.retry
    assert "2 tries" in str(info.value) and len(clock.slept) == 1
