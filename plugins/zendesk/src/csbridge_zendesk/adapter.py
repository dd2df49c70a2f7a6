"""The ``zendesk`` adapter: the factory the plugin registers and the adapter it builds."""

from __future__ import annotations

import html
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from csbridge.adapter import Page, RequestStats, WriteResult
from csbridge.config import Option, SourceConfig
from csbridge.errors import AdapterError, AuthError, CredentialError
from csbridge.marker import find_markers
from csbridge.models import Note, Reminder
from csbridge.secrets import Secret
from csbridge_zendesk.client import ZendeskClient
from csbridge_zendesk.history import HistoryStore
from csbridge_zendesk.mapping import comment_text
from csbridge_zendesk.reader import Reader
from csbridge_zendesk.writer import Write, Writer

Clock = Callable[[], datetime]
ME = "/api/v2/users/me.json"


class ZendeskAdapter:
    """A Zendesk Support account read through the incremental exports and written
    through ``update_many`` (see the plugin README for the request counts).

    Build it with :meth:`create` (from the config) or directly with a base URL,
    which tests use to inject ``sleep`` together with a fake ``clock``.
    """

    name: ClassVar[str] = "zendesk"
    options: ClassVar[Mapping[str, Option]] = {
        "subdomain": Option(str, help="the account: https://SUBDOMAIN.zendesk.com"),
        "url": Option(str, help="base URL instead of subdomain (a simulator or a proxy)"),
        "email": Option(str, required=True, help="the API user; the token comes from the keyring"),
        "note_author_id": Option(int, help="Zendesk user id that notes are written as"),
        "requests_per_minute": Option(int, help="client-side request budget (default 400)"),
        "backfill_days": Option(int, help="how far back the first run reads (default 30)"),
        "max_cached_tickets": Option(int, help="ticket histories kept between cycles (default 20000)"),
    }
    needs_secret: ClassVar[bool] = True

    def __init__(
        self,
        base_url: str,
        email: str,
        token: Secret,
        *,
        source: str = "zendesk",
        clock: Clock,
        sleep: Callable[[float], None] = time.sleep,
        note_author_id: int | None = None,
        requests_per_minute: int = 400,
        backfill_days: int = 30,
        max_cached_tickets: int = 20_000,
        timeout: float = 30.0,
        max_tries: int = 6,
    ) -> None:
        self.client = ZendeskClient(
            base_url,
            email,
            token,
            clock=clock,
            sleep=sleep,
            requests_per_minute=requests_per_minute,
            timeout=timeout,
            max_tries=max_tries,
        )
        self.stats: RequestStats = self.client.stats
        self.reader = Reader(
            self.client,
            source,
            clock,
            backfill_seconds=backfill_days * 86400,
            history=HistoryStore(max_cached_tickets),
        )
        self.writer = Writer(self.client, sleep, author_id=note_author_id)

    @classmethod
    def create(cls, source: SourceConfig, secret: Secret | None, clock: Clock) -> ZendeskAdapter:
        """Build the adapter of ``[sources.NAME]``: exactly one of ``subdomain`` and
        ``url``, ``email`` and the API token as ``secret``.

        Raises :class:`~csbridge.errors.ConfigError` for unusable options and
        :class:`~csbridge.errors.CredentialError` without a token.
        """
        opts = source.options
        subdomain, url = opts.get("subdomain"), opts.get("url")
        if bool(subdomain) == bool(url):
            raise source.error("subdomain", "set exactly one of 'subdomain' and 'url'")
        if subdomain and not all(c.isalnum() or c == "-" for c in subdomain):
            raise source.error("subdomain", f"expected the account name as in https://NAME.zendesk.com, got {subdomain!r}")
        if url and not str(url).startswith(("http://", "https://")):
            raise source.error("url", f"expected an http(s) URL, got {url!r}")
        email = opts.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise source.error("email", "expected the e-mail address of the API user")
        for key in ("requests_per_minute", "backfill_days", "max_cached_tickets"):
            value = opts.get(key)
            if value is not None and value < 1:
                raise source.error(key, f"expected a positive number, got {value}")
        if secret is None:
            raise CredentialError(f"source {source.name!r} needs the Zendesk API token")
        base = str(url) if url else f"https://{subdomain}.zendesk.com"
        return cls(
            base,
            email,
            secret,
            source=source.name,
            clock=clock,
            note_author_id=opts.get("note_author_id"),
            requests_per_minute=opts.get("requests_per_minute") or 400,
            backfill_days=opts.get("backfill_days") or 30,
            max_cached_tickets=opts.get("max_cached_tickets") or 20_000,
        )

    def fetch_changes(self, cursor: str | None) -> Iterator[Page]:
        """Pages of changed tickets with every comment; deleted tickets left out;
        csbridge's own notes flagged ``from_csbridge``."""
        return self.reader.fetch(cursor)

    def post_notes(self, notes: Sequence[Note]) -> list[WriteResult]:
        """Each note as a private comment plus ``additional_tags``, batched 100 a request."""
        return self.writer.write([Write(n.ticket_id, n.marker, n.html, n.tags) for n in notes])

    def deliver_reminders(self, reminders: Sequence[Reminder]) -> list[WriteResult]:
        """Each reminder as a private comment that opens with ``@Agent Name``: Zendesk's
        standard trigger e-mails the assignee about comment updates; customers never see it."""
        writes = []
        for r in reminders:
            body = r.html
            name = r.agent.name if r.agent and r.agent.name else ""
            if name and name not in r.text:
                body = f"<p>@{html.escape(name)},</p>\n{body}"
            writes.append(Write(r.ticket_id, r.marker, body))
        return self.writer.write(writes)

    def written_markers(self, ticket_id: str) -> set[str]:
        """Markers in the ticket's comments, read fresh (one request per 100 comments)."""
        markers: set[str] = set()
        path = f"/api/v2/tickets/{ticket_id}/comments.json"
        params: dict[str, Any] = {"page[size]": 100}
        while True:
            data = self.client.get(path, params, endpoint="GET /api/v2/tickets/{id}/comments.json")
            for comment in data.get("comments") or []:
                if isinstance(comment, Mapping):
                    markers.update(find_markers(comment_text(comment)))
            meta = data.get("meta")
            if isinstance(meta, Mapping) and meta.get("has_more") and meta.get("after_cursor"):
                params = {"page[size]": 100, "page[after]": meta["after_cursor"]}
                continue
            return markers

    def check_access(self) -> str:
        """One ``GET /api/v2/users/me.json``: the account and the API user with its role,
        e.g. ``"Zendesk https://acme.zendesk.com as csbridge@acme.example (admin)"``.

        Raises :class:`~csbridge.errors.AuthError` when Zendesk refuses the token
        (401/403), answers for an anonymous user, or the user is an end-user or
        suspended (neither can write private notes); :class:`~csbridge.errors.AdapterError`
        when the account cannot be reached (two tries). An agent passes, with the remark that
        the incremental exports need an admin.
        """
        data = self.client.get(ME, endpoint=f"GET {ME}", max_tries=2)  # doctor should answer quickly
        user = data.get("user")
        if not isinstance(user, Mapping):
            raise AdapterError(f"GET {ME}: the answer has no user object")
        where = f"Zendesk {self.client.base_url}"
        if user.get("id") is None:
            raise AuthError(f"{where}: not authenticated (Zendesk answered for an anonymous user)")
        who = str(user.get("email") or user.get("name") or user["id"])
        role = str(user.get("role") or "unknown role")
        if role not in ("admin", "agent"):
            raise AuthError(f"{where}: {who} is a {role} and cannot write private notes; use an agent or admin")
        if user.get("suspended"):
            raise AuthError(f"{where}: {who} is suspended")
        remark = "; the incremental exports need an admin" if role != "admin" else ""
        return f"{where} as {who} ({role}{remark})"

    def close(self) -> None:
        """Release the HTTP connections."""
        self.client.close()
