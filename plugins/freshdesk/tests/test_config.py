"""Config keys through the core's loader, plugin discovery and custom statuses."""

from __future__ import annotations

import pytest
from csbridge_freshdesk.adapter import FreshdeskAdapter

from csbridge.config import load_config
from csbridge.errors import ConfigError
from csbridge.models import Status
from csbridge.plugins import load_plugins
from csbridge.secrets import Secret


def source(tmp_path, body):
    path = tmp_path / "csbridge.toml"
    path.write_text(f"[sources.helpdesk]\nadapter = 'freshdesk'\n{body}\n", encoding="utf-8")
    host = load_plugins()
    return load_config(path, host.adapter_options).sources["helpdesk"]


def test_entry_point_registers_the_adapter():
    host = load_plugins()
    assert host.adapters["freshdesk"] is FreshdeskAdapter
    assert any(p.distribution == "csbridge-freshdesk" and "freshdesk" in p.adapters for p in host.plugins)


def test_domain_builds_the_freshdesk_url(tmp_path, clock):
    adapter = FreshdeskAdapter.create(source(tmp_path, "domain = 'acme'"), Secret("k"), clock)
    assert adapter.client.base_url == "https://acme.freshdesk.com"


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("", "domain"),
        ("domain = 'acme'\nurl = 'http://127.0.0.1:1'", "domain"),
        ("domain = 'acme.freshdesk.com'", "domain"),
        ("url = 'ftp://x'", "url"),
        ("domain = 'acme'\nrequests_per_minute = 0", "requests_per_minute"),
        ("domain = 'acme'\ncustom_statuses = { 6 = 'snoozed' }", "custom_statuses"),
    ],
)
def test_bad_options_name_the_key(tmp_path, clock, body, key):
    with pytest.raises(ConfigError) as caught:
        FreshdeskAdapter.create(source(tmp_path, body), Secret("k"), clock)
    assert caught.value.key == f"sources.helpdesk.{key}"


def test_unknown_key_is_refused_by_the_loader(tmp_path):
    with pytest.raises(ConfigError) as caught:
        source(tmp_path, "domain = 'acme'\nsubdomain = 'acme'")
    assert "subdomain" in str(caught.value)


def test_custom_statuses_by_number_and_by_name(sim, make_adapter, tickets, tmp_path, clock):
    sim.seed(tickets(3))
    sim.set_status("1000", 6, clock())
    sim.set_status("1001", 7, clock())
    sim.set_status("1002", 8, clock())
    config = source(tmp_path, f"url = '{sim.url}'\ncustom_statuses = {{ 6 = 'pending', 'Waiting on Third Party' = 'on_hold' }}")
    adapter = FreshdeskAdapter.create(config, Secret(sim.api_key), clock, sleep=clock.sleep)
    statuses = {t.id: t.status for p in adapter.fetch_changes(None) for t in p.tickets}
    assert statuses == {"1000": Status.PENDING, "1001": Status.ON_HOLD, "1002": Status.OPEN}
    assert sim.requests["GET /api/v2/ticket_fields"] == 1
    adapter.close()
