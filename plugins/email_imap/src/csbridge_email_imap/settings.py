"""The ``[sources.NAME]`` options of an IMAP support mailbox, validated into :class:`ImapSettings`."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from csbridge.config import Option, SourceConfig
from csbridge.durations import parse_duration
from csbridge.errors import ConfigError
from csbridge.models import Priority

SECURITY = ("tls", "starttls", "none")

OPTIONS: Mapping[str, Option] = {
    "host": Option(str, required=True, help="the IMAP server, e.g. 'imap.example.com'"),
    "port": Option(int, help="default 993 for tls, 143 otherwise"),
    "security": Option(str, help="'tls' (default), 'starttls' or 'none' (loopback only)"),
    "username": Option(str, required=True, help="the mailbox login; the password comes from the keyring"),
    "folders": Option(list, help='folders holding customer mail, default ["INBOX"]'),
    "sent_folder": Option(str, help="agents' replies; default the \\Sent special-use folder, else 'Sent'"),
    "support_addresses": Option(list, help="the team's shared addresses"),
    "agents": Option(dict, help="agent address = name, or = { name = ..., id = ... }"),
    "notes_folder": Option(str, help="where csbridge appends its notes, default 'csbridge'"),
    "smtp": Option(dict, help="{ host, port, security, from, username } for reminders"),
    "priority": Option(dict, help="{ default = 'normal', rules = [{ priority, addresses, domains, subject_words }] }"),
    "assign": Option(list, help="[{ agent, addresses, domains, subject_words }]: owner when no agent answered yet"),
    "solved_after": Option(str, help="quiet time after which a ticket is solved, default '7d'"),
    "thread_window": Option(str, help="how far back a reply with a broken References chain is matched, default '30d'"),
}


@dataclass(frozen=True)
class Agent:
    """A configured agent: the address they write from, their csbridge id and name."""

    email: str
    id: str
    name: str


@dataclass(frozen=True)
class Rule:
    """Matches a message by sender address, sender domain or a word of the subject."""

    value: str
    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    subject_words: tuple[str, ...] = ()

    def matches(self, sender: str, subject: str) -> bool:
        """True when ``sender`` or its domain is listed or ``subject`` contains a listed word."""
        sender = sender.lower()
        folded = subject.casefold()
        return (
            sender in self.addresses
            or sender.rpartition("@")[2] in self.domains
            or any(word in folded for word in self.subject_words)
        )


@dataclass(frozen=True)
class SmtpSettings:
    """Where reminders are sent from."""

    host: str
    port: int
    security: str
    sender: str
    username: str = ""


@dataclass(frozen=True)
class ImapSettings:
    """Everything the adapter needs from the config, validated."""

    host: str
    port: int
    security: str
    username: str
    folders: tuple[str, ...] = ("INBOX",)
    sent_folder: str | None = None
    support_addresses: frozenset[str] = frozenset()
    agents: Mapping[str, Agent] = field(default_factory=dict)
    notes_folder: str = "csbridge"
    smtp: SmtpSettings | None = None
    default_priority: Priority = Priority.NORMAL
    priority_rules: tuple[Rule, ...] = ()
    assign_rules: tuple[Rule, ...] = ()
    solved_after: timedelta = timedelta(days=7)
    thread_window: timedelta = timedelta(days=30)

    @property
    def team(self) -> frozenset[str]:
        """Every address of the support side: shared addresses and agents."""
        return self.support_addresses | frozenset(self.agents)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_settings(source: SourceConfig) -> ImapSettings:
    """Validate ``source.options``; raise :class:`ConfigError` (via ``source.error``) naming the key."""
    o = source.options
    host = _str(source, o, "host", "")
    if not host:
        raise source.error("host", "missing (expected the IMAP server's host name)")
    security = _security(source, o.get("security", "tls"), "security", host)
    port = _int(source, o, "port", 993 if security == "tls" else 143)
    username = _str(source, o, "username", "")
    if not username:
        raise source.error("username", "missing (expected the mailbox login)")
    folders = tuple(_strings(source, o, "folders", ["INBOX"]))
    if not folders:
        raise source.error("folders", "expected at least one folder")
    agents: dict[str, Agent] = {}
    for address, spec in _table(source, o, "agents").items():
        if isinstance(spec, str):
            agents[address.lower()] = Agent(address.lower(), address.lower(), spec)
        elif isinstance(spec, dict) and isinstance(spec.get("name", ""), str) and isinstance(spec.get("id", ""), str):
            agents[address.lower()] = Agent(address.lower(), spec.get("id") or address.lower(), spec.get("name", ""))
        else:
            raise source.error(f"agents.{address}", "expected a name or { name = ..., id = ... }")
    priority = _table(source, o, "priority")
    try:
        default_priority = Priority(priority.get("default", "normal"))
    except ValueError:
        raise source.error("priority.default", "expected one of low, normal, high, urgent") from None
    rules = []
    for index, spec in enumerate(priority.get("rules", [])):
        rule = _rule(source, spec, f"priority.rules[{index}]", "priority")
        try:
            Priority(rule.value)
        except ValueError:
            raise source.error(f"priority.rules[{index}].priority", "expected one of low, normal, high, urgent") from None
        rules.append(rule)
    assign = [_rule(source, spec, f"assign[{i}]", "agent") for i, spec in enumerate(o.get("assign", []))]
    return ImapSettings(
        host=host,
        port=port,
        security=security,
        username=username,
        folders=folders,
        sent_folder=_str(source, o, "sent_folder", "") or None,
        support_addresses=frozenset(a.lower() for a in _strings(source, o, "support_addresses", [])),
        agents=agents,
        notes_folder=_str(source, o, "notes_folder", "csbridge"),
        smtp=_smtp(source, _table(source, o, "smtp")) if "smtp" in o else None,
        default_priority=default_priority,
        priority_rules=tuple(rules),
        assign_rules=tuple(assign),
        solved_after=_duration(source, o, "solved_after", "7d"),
        thread_window=_duration(source, o, "thread_window", "30d"),
    )


def _security(source: SourceConfig, value: Any, key: str, host: str) -> str:
    if value not in SECURITY:
        raise source.error(key, f"expected one of {', '.join(SECURITY)}, got {value!r}")
    if value == "none" and not is_loopback(host):
        raise source.error(key, f"'none' sends the password in clear text; it is only allowed for a loopback host, not {host!r}")
    return str(value)


def _smtp(source: SourceConfig, spec: Mapping[str, Any]) -> SmtpSettings:
    unknown = set(spec) - {"host", "port", "security", "from", "username"}
    if unknown:
        raise source.error(f"smtp.{sorted(unknown)[0]}", "unknown key (expected host, port, security, from, username)")
    host = _str(source, spec, "host", "", "smtp.")
    sender = _str(source, spec, "from", "", "smtp.")
    if not host or not sender:
        raise source.error("smtp", "expected at least host and from")
    security = _security(source, spec.get("security", "starttls"), "smtp.security", host)
    port = _int(source, spec, "port", 465 if security == "tls" else 587, "smtp.")
    return SmtpSettings(host, port, security, sender, _str(source, spec, "username", "", "smtp."))


def _rule(source: SourceConfig, spec: Any, key: str, value_key: str) -> Rule:
    if not isinstance(spec, dict) or not isinstance(spec.get(value_key), str):
        raise source.error(key, f"expected a table with {value_key} and addresses, domains or subject_words")
    return Rule(
        value=spec[value_key].lower() if value_key == "agent" else spec[value_key],
        addresses=frozenset(a.lower() for a in _strings(source, spec, "addresses", [], key + ".")),
        domains=frozenset(d.lower().lstrip("@") for d in _strings(source, spec, "domains", [], key + ".")),
        subject_words=tuple(w.casefold() for w in _strings(source, spec, "subject_words", [], key + ".")),
    )


def _str(source: SourceConfig, o: Mapping[str, Any], key: str, default: str, where: str = "") -> str:
    value = o.get(key, default)
    if not isinstance(value, str):
        raise source.error(where + key, "expected a string")
    return value


def _int(source: SourceConfig, o: Mapping[str, Any], key: str, default: int, where: str = "") -> int:
    value = o.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
        raise source.error(where + key, "expected a port number")
    return value


def _strings(source: SourceConfig, o: Mapping[str, Any], key: str, default: list[str], where: str = "") -> list[str]:
    value = o.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise source.error(where + key, "expected a list of strings")
    return value


def _table(source: SourceConfig, o: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = o.get(key, {})
    if not isinstance(value, dict):
        raise source.error(key, "expected a table")
    return value


def _duration(source: SourceConfig, o: Mapping[str, Any], key: str, default: str) -> timedelta:
    try:
        return parse_duration(o.get(key, default))
    except ValueError as exc:
        raise source.error(key, str(exc)) from None


__all__ = ["OPTIONS", "Agent", "ConfigError", "ImapSettings", "Rule", "SmtpSettings", "is_loopback", "parse_settings"]
