"""Writing notes and reminders: private comments plus ``additional_tags``, up to 100
tickets per ``PUT /api/v2/tickets/update_many.json``, each ticket its own payload.
The jobs are followed with one ``job_statuses/show_many`` request for all of them.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from csbridge.adapter import WriteResult
from csbridge.errors import AdapterError
from csbridge.marker import find_marker, marker_line
from csbridge_zendesk.client import ZendeskClient
from csbridge_zendesk.mapping import job_results

log = logging.getLogger(__name__)

UPDATE_MANY = "/api/v2/tickets/update_many.json"
JOBS = "/api/v2/job_statuses/show_many.json"
BATCH = 100
FINISHED = {"completed", "failed", "killed"}


@dataclass(frozen=True)
class Write:
    """One private comment to put on one ticket."""

    ticket_id: str
    marker: str
    html: str
    tags: tuple[str, ...] = ()


def with_marker(body_html: str, marker: str) -> str:
    """``body_html`` with the marker line (as its own paragraph) unless it has it."""
    if find_marker(body_html) == marker:
        return body_html
    return f"{body_html}\n<p>{html.escape(marker_line(marker))}</p>"


class Writer:
    """Sends writes in batches and waits for their jobs through ``wait`` (seconds)."""

    def __init__(
        self, client: ZendeskClient, wait: Callable[[float], None], *, author_id: int | None = None, max_polls: int = 30
    ) -> None:
        self.client = client
        self.wait = wait
        self.author_id = author_id
        self.max_polls = max_polls

    def write(self, writes: Sequence[Write]) -> list[WriteResult]:
        """One :class:`WriteResult` per write, in order."""
        results: dict[int, WriteResult] = {}
        batches: list[list[int]] = []
        for index, item in enumerate(writes):
            if not item.ticket_id.isdigit():
                results[index] = WriteResult(item.marker, False, f"ticket {item.ticket_id}: not a Zendesk id", False)
                continue
            # one payload per ticket in a batch: a second write to a ticket goes in a later batch
            target = next((b for b in batches if len(b) < BATCH and all(writes[i].ticket_id != item.ticket_id for i in b)), None)
            if target is None:
                target = []
                batches.append(target)
            target.append(index)
        jobs: dict[str, list[int]] = {}
        for batch in batches:
            body = {"tickets": [self._payload(writes[i]) for i in batch]}
            try:
                data = self.client.put(UPDATE_MANY, body, endpoint=f"PUT {UPDATE_MANY}")
                job_id = str(data["job_status"]["id"])
            except AdapterError as exc:
                for i in batch:
                    results[i] = WriteResult(writes[i].marker, False, f"ticket {writes[i].ticket_id}: {exc}", exc.retry)
                continue
            except (KeyError, TypeError):
                for i in batch:
                    results[i] = WriteResult(writes[i].marker, False, "update_many gave no job_status", True)
                continue
            jobs[job_id] = batch
        for job_id, job in self._follow(list(jobs)).items():
            batch = jobs[job_id]
            outcome = job_results(job) if job is not None else {}
            for i in batch:
                results[i] = self._result(writes[i], job, outcome)
        return [results[i] for i in range(len(writes))]

    def _payload(self, item: Write) -> dict[str, Any]:
        comment: dict[str, Any] = {"html_body": with_marker(item.html, item.marker), "public": False}
        if self.author_id is not None:
            comment["author_id"] = self.author_id
        payload: dict[str, Any] = {"id": int(item.ticket_id), "comment": comment}
        if item.tags:
            payload["additional_tags"] = list(item.tags)
        return payload

    def _follow(self, job_ids: list[str]) -> dict[str, dict[str, Any] | None]:
        """Poll all jobs together until each is finished or the polls run out."""
        done: dict[str, dict[str, Any] | None] = {}
        pending = list(job_ids)
        delay = 1.0
        for _ in range(self.max_polls):
            if not pending:
                break
            for i in range(0, len(pending), 100):
                chunk = pending[i : i + 100]
                try:
                    data = self.client.get(JOBS, {"ids": ",".join(chunk)}, endpoint=f"GET {JOBS}")
                except AdapterError as exc:
                    log.warning("zendesk job statuses unreadable: %s", exc)
                    continue
                for job in data.get("job_statuses") or []:
                    if isinstance(job, dict) and job.get("status") in FINISHED:
                        done[str(job.get("id"))] = job
            pending = [j for j in pending if j not in done]
            if pending:
                self.wait(delay)
                delay = min(delay * 2, 10.0)
        for job_id in pending:
            done[job_id] = None
        return done

    def _result(self, item: Write, job: dict[str, Any] | None, outcome: dict[str, tuple[bool, str]]) -> WriteResult:
        if job is None:
            return WriteResult(item.marker, False, f"ticket {item.ticket_id}: update job did not finish in time", True)
        ok, error = outcome.get(item.ticket_id, (job.get("status") == "completed" and not outcome, "no result"))
        if ok:
            return WriteResult(item.marker, True)
        text = error or str(job.get("message") or "update failed")
        lowered = text.lower()
        if "closed" in lowered:
            log.warning("zendesk ticket %s is closed and cannot take the note; not retrying", item.ticket_id)
            return WriteResult(item.marker, False, f"ticket {item.ticket_id} is closed: {text}", False)
        permanent = any(word in lowered for word in ("recordnotfound", "not found", "deleted", "invalid"))
        return WriteResult(item.marker, False, f"ticket {item.ticket_id}: {text}", not permanent)
