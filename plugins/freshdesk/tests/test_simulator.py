"""The simulator's own contract: auth, pagination, windows, ceilings, credits, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from csbridge_freshdesk.simulator import FreshdeskSimulator

CEILING = {
    "description": "Validation failed",
    "errors": [{
        "field": "page",
        "message": "You cannot access tickets beyond the 300th page. Please provide a smaller page number.",
        "code": "invalid_value",
    }],
}


@pytest.fixture
def http(sim):
    session = requests.Session()
    session.auth = (sim.api_key, "X")
    yield session
    session.close()


def test_wrong_key_gets_401_with_freshdesks_body(sim, tickets):
    sim.seed(tickets(1))
    answer = requests.get(f"{sim.url}/api/v2/tickets", auth=("nope", "X"), timeout=5)
    assert answer.status_code == 401
    assert answer.json() == {"code": "invalid_credentials", "message": "You have to be logged in to perform this action."}


def test_link_pagination_until_the_last_page(sim, http, tickets):
    sim.seed(tickets(7))
    url, pages, ids = f"{sim.url}/api/v2/tickets?per_page=3", 0, []
    while url:
        answer = http.get(url)
        ids += [t["id"] for t in answer.json()]
        url = answer.links.get("next", {}).get("url")
        pages += 1
    assert pages == 3 and sorted(ids) == list(range(1000, 1007))
    assert "Link" not in answer.headers


def test_without_updated_since_only_the_last_30_days(sim, http, tickets, clock):
    sim.seed(tickets(2, start=clock() - timedelta(days=40)))  # created 43 days ago
    sim.seed(tickets(4)[2:])
    recent = http.get(f"{sim.url}/api/v2/tickets").json()
    everything = http.get(f"{sim.url}/api/v2/tickets", params={"updated_since": "2000-01-01T00:00:00Z"}).json()
    assert sorted(t["id"] for t in recent) == [1002, 1003]
    assert len(everything) == 4


def test_page_301_is_refused_with_the_exact_error(sim, http):
    answer = http.get(f"{sim.url}/api/v2/tickets", params={"page": 301})
    assert answer.status_code == 400 and answer.json() == CEILING
    assert http.get(f"{sim.url}/api/v2/tickets", params={"page": 300}).status_code == 200


def test_credits_count_includes_and_the_list_share_answers_429(sim, http, clock):
    first = http.get(f"{sim.url}/api/v2/tickets", params={"include": "requester,stats,description"})
    assert first.headers["X-RateLimit-Total"] == "200"
    assert first.headers["X-RateLimit-Used-CurrentRequest"] == "7"
    assert first.headers["X-RateLimit-Remaining"] == "193"
    second = http.get(f"{sim.url}/api/v2/tickets", params={"include": "requester,stats,description"})
    third = http.get(f"{sim.url}/api/v2/tickets", params={"include": "requester,stats,description"})
    assert second.status_code == 200 and third.status_code == 429  # 21 > Growth's list share of 20
    assert third.headers["Retry-After"] == "60"
    assert http.get(f"{sim.url}/api/v2/agents").status_code == 200  # other endpoints go on
    clock.sleep(60)
    assert http.get(f"{sim.url}/api/v2/tickets").status_code == 200


def test_requests_before_retry_after_are_counted_as_early(sim, http, clock):
    sim.faults.add("GET /api/v2/agents", status=429, retry_after=10)
    assert http.get(f"{sim.url}/api/v2/agents").status_code == 429
    clock.sleep(5)
    http.get(f"{sim.url}/api/v2/agents")
    clock.sleep(5)
    http.get(f"{sim.url}/api/v2/agents")
    assert sim.limits.early_requests == 1


def test_notes_bump_updated_at_and_bad_input_gets_the_error_body(sim, http, tickets, clock):
    sim.seed(tickets(1))
    clock.sleep(3600)
    note = http.post(f"{sim.url}/api/v2/tickets/1000/notes", json={"body": "<p>a &amp; b</p>"})
    assert note.status_code == 201 and note.json()["body_text"] == "a & b" and note.json()["private"] is True
    assert http.get(f"{sim.url}/api/v2/tickets/1000").json()["updated_at"] == note.json()["created_at"]
    bad = http.post(f"{sim.url}/api/v2/tickets/1000/notes", json={"private": True})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "body" and bad.json()["description"] == "Validation failed"
    assert http.get(f"{sim.url}/api/v2/tickets/999999").status_code == 404
    assert sim.writes == 2 and sim.requests["POST /api/v2/tickets/{id}/notes"] == 2


def test_tags_put_replaces_the_whole_list(sim, http, tickets):
    sim.seed(tickets(1))
    http.put(f"{sim.url}/api/v2/tickets/1000", json={"tags": ["only"]})
    assert sim.tags("1000") == ["only"]


def test_hourly_plans_report_their_hourly_credits(clock, tickets):
    with FreshdeskSimulator(clock=clock, plan="garden", api_key="k") as sim:
        answer = requests.get(f"{sim.url}/api/v2/agents", auth=("k", "X"), timeout=5)
        assert answer.headers["X-RateLimit-Total"] == "3000"
