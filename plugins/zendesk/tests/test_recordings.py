"""The recorded Zendesk answers (shared/fixtures/zendesk) parsed by the adapter's mapping,
and the simulator's answers compared with them key by key."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import requests
from csbridge_zendesk import mapping
from csbridge_zendesk.simulator import ZendeskSimulator

from csbridge.errors import TicketError
from csbridge.models import Role, Status

from .conftest import EMAIL, TOKEN, FakeClock

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "zendesk"


def interactions(name: str) -> list[dict[str, Any]]:
    return json.loads((FIXTURES / name).read_text())["http_interactions"]  # type: ignore[no-any-return]


def body(interaction: dict[str, Any]) -> Any:
    raw = interaction["response"]["body"]
    if raw.get("string"):
        return json.loads(raw["string"])
    data = base64.b64decode(raw["base64_string"])
    with contextlib.suppress(OSError):
        data = gzip.decompress(data)
    return json.loads(data)


def recorded(name: str, method: str, fragment: str) -> dict[str, Any]:
    for item in interactions(name):
        if item["request"]["method"] == method and fragment in item["request"]["uri"]:
            return item  # type: ignore[no-any-return]
    raise AssertionError(f"{name} has no {method} {fragment}")


def headers_of(item: dict[str, Any]) -> dict[str, str]:
    return {k.lower(): (v[0] if isinstance(v, list) else v) for k, v in item["response"]["headers"].items()}


def same_shape(ours: Any, theirs: Any, where: str = "$") -> None:
    """Every key of the recording is in our answer with a value of the same JSON type
    (null in either is accepted, as the value may legitimately be empty)."""
    if theirs is None or ours is None:
        return
    kind = (int, float) if isinstance(theirs, int | float) and not isinstance(theirs, bool) else type(theirs)
    assert isinstance(ours, kind), f"{where}: {type(ours).__name__} where the recording has {type(theirs).__name__}"
    if isinstance(theirs, dict):
        missing = set(theirs) - set(ours)
        assert not missing, f"{where}: missing keys {sorted(missing)}"
        for key in theirs:
            if key not in ("custom_fields", "fields", "photo", "metadata", "via", "user_fields"):
                same_shape(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list) and theirs and ours:
        same_shape(ours[0], theirs[0], f"{where}[0]")


ALL = sorted(p.name for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", ALL)
def test_every_recording_parses(name: str) -> None:
    parsed = 0
    for item in interactions(name):
        data = body(item)
        people = {str(u["id"]): mapping.person(u) for u in data.get("users", [])}
        if "user" in data:
            user = data["user"]
            assert mapping.person(user).role is {"end-user": Role.CUSTOMER}.get(user["role"], Role.AGENT)
            parsed += 1
        for user in data.get("users", []):
            assert mapping.user_role(user) is {"end-user": Role.CUSTOMER}.get(user["role"], Role.AGENT)
            parsed += 1
        for raw in data.get("tickets", []) + ([data["ticket"]] if "ticket" in data else []):
            if raw["status"] == "deleted":  # the reader leaves deleted tickets out before mapping
                with pytest.raises(TicketError):
                    mapping.ticket(raw, source="rec", messages=(), status_changes=(), people=people)
                continue
            ticket = mapping.ticket(raw, source="rec", messages=(), status_changes=(), people=people)
            assert ticket.id == str(raw["id"]) and ticket.status in Status
            parsed += 1
        for comment in data.get("comments", []):
            message = mapping.message(comment, people)
            assert message.body == comment["plain_body"] and message.public is comment["public"]
            parsed += 1
        for audit in data.get("audits", []) + ([data["audit"]] if "audit" in data else []):
            for event in audit["events"]:
                if event["type"] == "Comment":
                    assert mapping.message({"created_at": audit["created_at"], **event}, people).body == event["plain_body"]
            parsed += 1
        if "job_status" in data:
            results = mapping.job_results(data["job_status"])
            assert all(ok for ok, _ in results.values())
            parsed += 1
    assert parsed > 0


def test_bad_ticket_object_is_a_ticket_error() -> None:
    raw = body(recorded("TicketsIncrementalTest.test_get_values.json", "GET", "cursor.json?start_time"))["tickets"][0]
    with pytest.raises(TicketError):
        mapping.ticket({**raw, "status": "exploded"}, source="x", messages=(), status_changes=(), people={})


@pytest.fixture
def live(clock: FakeClock, sim: ZendeskSimulator) -> tuple[ZendeskSimulator, requests.Session]:
    session = requests.Session()
    session.auth = (f"{EMAIL}/token", TOKEN)
    return sim, session


def test_simulator_answers_like_the_recordings(live: tuple[ZendeskSimulator, requests.Session], clock: FakeClock) -> None:
    sim, http = live
    base = sim.base_url
    start = int(clock().timestamp()) - 90 * 86400

    rec = recorded("TicketsIncrementalTest.test_get_values.json", "GET", "cursor.json?per_page=1")
    ours = http.get(f"{base}/api/v2/incremental/tickets/cursor.json", params={"start_time": start, "per_page": 1})
    same_shape(ours.json(), body(rec))
    assert ours.json()["end_of_stream"] is False and ours.json()["after_cursor"]
    for header in ("x-rate-limit", "x-rate-limit-remaining", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
        assert header in {k.lower() for k in ours.headers} and header in headers_of(rec)
    assert ours.headers["Content-Type"] == headers_of(rec)["content-type"]
    follow = http.get(ours.json()["after_url"].replace("https://acme.zendesk.com", base))
    assert follow.status_code == 200 and follow.json()["tickets"][0]["id"] != ours.json()["tickets"][0]["id"]

    rec = recorded("TicketsIncrementalTest.test_get_values.json", "GET", "cursor.json?start_time=0")
    ours = http.get(f"{base}/api/v2/incremental/tickets/cursor.json", params={"start_time": start})
    same_shape(ours.json(), body(rec))
    assert ours.json()["end_of_stream"] is True

    rec = recorded("TestTicketAPIMethods.test_show_ticket_comments.json", "GET", "comments.json")
    same_shape(http.get(f"{base}/api/v2/tickets/1/comments.json").json(), body(rec))

    rec = recorded("TestTicketAudits.test_values.json", "GET", "page%5Bsize%5D=100")
    ours_audits = http.get(f"{base}/api/v2/tickets/1/audits.json", params={"page[size]": 100}).json()
    same_shape({k: v for k, v in ours_audits.items()}, {k: v for k, v in body(rec).items()})

    rec = recorded("TestUserMe.test_users_me.json", "GET", "users/me.json")
    same_shape(http.get(f"{base}/api/v2/users/me.json").json(), {"user": {k: v for k, v in body(rec)["user"].items()
                                                                          if k != "authenticity_token"}})
    rec = recorded("TestUsersPagination.test_values.json", "GET", "users.json?page%5Bsize%5D=100")
    users = http.get(f"{base}/api/v2/users/show_many.json", params={"ids": "10000001,10000002"}).json()
    same_shape(users["users"], body(rec)["users"])

    update = recorded("TestTicketCreateUpdateDelete.test_multiple_update_single_object-update-many.json", "PUT", "update_many")
    queued = http.put(f"{base}/api/v2/tickets/update_many.json",
                      json={"tickets": [{"id": 1, "comment": {"body": "x", "public": False}}]})
    same_shape(queued.json(), body(update))
    assert queued.json()["job_status"]["status"] == "queued"
    done_rec = interactions("TestTicketCreateUpdateDelete.test_multiple_update_single_object-update-many.json")[4]
    done = http.get(f"{base}/api/v2/job_statuses/{queued.json()['job_status']['id']}.json")
    same_shape(done.json(), body(done_rec))
    assert done.json()["job_status"]["status"] == "completed"

    single = recorded("TestTicketCreateUpdateDelete.test_single_object_update-update-single.json", "PUT", "4016.json")
    status = "hold" if sim.ticket("2")["status"] != "hold" else "open"
    ours = http.put(f"{base}/api/v2/tickets/2.json", json={"ticket": {"status": status}})
    same_shape(ours.json(), body(single))
    assert ours.json()["audit"]["events"][0]["value"] == status
    assert "zendesk-rate-limit-tickets-update" in headers_of(single)
    assert ours.headers["zendesk-rate-limit-tickets-update"].startswith("total=")


def test_simulator_error_bodies(live: tuple[ZendeskSimulator, requests.Session], clock: FakeClock) -> None:
    sim, http = live
    base = sim.base_url
    missing = http.get(f"{base}/api/v2/tickets/999999/comments.json")
    assert missing.status_code == 404 and missing.json() == {"error": "RecordNotFound", "description": "Not found"}
    sim.set_status("2", "closed", clock())
    closed = http.put(f"{base}/api/v2/tickets/2.json", json={"ticket": {"comment": {"body": "y", "public": False}}})
    assert closed.status_code == 422 and closed.json()["error"] == "RecordInvalid"
    anonymous = requests.get(f"{base}/api/v2/users/me.json")
    assert anonymous.status_code == 401 and anonymous.json() == {"error": "Couldn't authenticate you"}
    sim.faults.add("GET /api/v2/users/me.json", status=429, retry_after=11)
    limited = http.get(f"{base}/api/v2/users/me.json")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "11"
    sim.requests_per_minute = 1
    http.get(f"{base}/api/v2/users/me.json")
    over = http.get(f"{base}/api/v2/users/me.json")
    assert over.status_code == 429 and int(over.headers["Retry-After"]) >= 1
