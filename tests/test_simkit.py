"""The simulators' building blocks: a fault plan takes faults in the order added, each
``times`` times, per endpoint or for any; a fake clock moves only when told; a local
server starts on loopback and stops."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from csbridge.simkit import FakeClock, FaultPlan, LocalServer

TICKETS = "GET /api/v2/tickets"
NOTES = "POST /api/v2/tickets/{id}/notes"


def statuses(plan: FaultPlan, endpoint: str, requests: int) -> list[int | None]:
    out: list[int | None] = []
    for _ in range(requests):
        fault = plan.take(endpoint)
        out.append(fault.status if fault else None)
    return out


def test_faults_are_taken_in_the_order_added_each_times_times() -> None:
    plan = FaultPlan()
    plan.add(TICKETS, status=429, retry_after=7, times=2)
    plan.add(TICKETS, status=500)
    plan.add(NOTES, status=503, times=3)
    assert len(plan) == 6
    assert statuses(plan, TICKETS, 4) == [429, 429, 500, None]
    assert statuses(plan, NOTES, 4) == [503, 503, 503, None]
    assert len(plan) == 0


def test_a_fault_for_any_endpoint_hits_whichever_request_comes_first() -> None:
    plan = FaultPlan()
    plan.add("*", drop=True)
    plan.add(NOTES, malformed=True)
    first = plan.take(NOTES)
    second = plan.take(NOTES)
    assert first is not None and first.drop and not first.malformed
    assert second is not None and second.malformed and not second.drop
    assert plan.take(TICKETS) is None


def test_clear_drops_every_pending_fault() -> None:
    plan = FaultPlan()
    plan.add(TICKETS, status=502, times=5)
    plan.add(NOTES, delay=0.5)
    assert plan.take(TICKETS) is not None
    plan.clear()
    assert len(plan) == 0
    assert plan.take(TICKETS) is None and plan.take(NOTES) is None


def test_times_below_one_is_refused() -> None:
    plan = FaultPlan()
    with pytest.raises(ValueError, match="times"):
        plan.add(TICKETS, status=500, times=0)
    assert len(plan) == 0


def test_fake_clock_moves_only_when_told_and_records_sleeps() -> None:
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    clock = FakeClock(start)
    assert clock() == start
    clock.sleep(1.5)
    clock.sleep(30)
    assert clock.slept == [1.5, 30]
    assert clock() == start + timedelta(seconds=31.5)
    assert clock.advance(hours=1) == start + timedelta(hours=1, seconds=31.5)
    assert clock.advance(timedelta(minutes=2)) == clock()
    assert clock.slept == [1.5, 30]  # advancing is not sleeping


class _Echo(BaseHTTPRequestHandler):
    sim: Echo

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        body = self.sim.word.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Echo(LocalServer):
    handler = _Echo

    def __init__(self, word: str) -> None:
        self.word = word


def test_local_server_serves_its_simulator_on_loopback_until_stopped() -> None:
    with Echo("hello") as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        port = int(server.base_url.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"hello"
        conn.close()
    server.stop()  # idempotent
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/")
