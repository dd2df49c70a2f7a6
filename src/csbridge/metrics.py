"""Optional Prometheus metrics (``daemon.metrics = "127.0.0.1:9464"``; needs prometheus-client)."""

from __future__ import annotations

from typing import Any

from csbridge.config import Config
from csbridge.errors import CsbridgeError
from csbridge.models import Finding


class Metrics:
    """Findings by rule, API requests and 429s by source, cycle duration, reminders sent."""

    def __init__(self, address: str) -> None:
        try:
            import prometheus_client as prom
        except ImportError:
            raise CsbridgeError("daemon.metrics is set but prometheus-client is not installed "
                                "(pip install 'csbridge[metrics]')") from None
        host, _, port = address.rpartition(":")
        if not port.isdigit():
            raise CsbridgeError(f"daemon.metrics: expected HOST:PORT such as 127.0.0.1:9464, got {address!r}")
        reg = self.registry = prom.CollectorRegistry()
        self.findings = prom.Counter("csbridge_findings", "New findings", ["source", "rule", "status"], registry=reg)
        self.requests = prom.Gauge("csbridge_api_requests", "API requests made", ["source"], registry=reg)
        self.rate_limited = prom.Gauge("csbridge_api_rate_limited", "429 answers met", ["source"], registry=reg)
        self.cycle_seconds = prom.Histogram("csbridge_cycle_seconds", "Cycle duration", ["source"], registry=reg)
        self.reminders = prom.Counter("csbridge_reminders_sent", "Reminders sent", ["source"], registry=reg)
        self.server, _thread = prom.start_http_server(int(port), addr=host or "127.0.0.1", registry=reg)

    def finding(self, finding: Finding) -> None:
        self.findings.labels(finding.source, finding.rule, finding.status.value).inc()

    def reminder(self, source: str) -> None:
        self.reminders.labels(source).inc()

    def cycle(self, source: str, report: Any, seconds: float, adapter: Any) -> None:
        self.cycle_seconds.labels(source).observe(seconds)
        stats = getattr(adapter, "stats", None)
        if stats is not None:
            self.requests.labels(source).set(stats.total)
            self.rate_limited.labels(source).set(stats.rate_limited)


def metrics_for(config: Config) -> Metrics | None:
    """The metrics endpoint of ``config``, or ``None`` when it is off."""
    return Metrics(config.daemon.metrics) if config.daemon.metrics else None
