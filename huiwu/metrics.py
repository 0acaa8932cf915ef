"""Prometheus metrics of one process, served at ``/metrics``."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter("huiwu_http_requests_total", "HTTP requests served", ["service", "method", "status"])
HTTP_LATENCY = Histogram("huiwu_http_request_seconds", "HTTP request latency", ["service", "method"])
OUTBOX_PUBLISHED = Counter("huiwu_outbox_published_total", "Outbox events published to NATS")
OUTBOX_PUBLISH_FAILURES = Counter(
    "huiwu_outbox_publish_failures_total", "Outbox publish attempts that failed"
)
EVENTS_CONSUMED = Counter(
    "huiwu_events_consumed_total",
    "Events taken from NATS, by consumer and outcome (applied, duplicate, retried, parked, ignored)",
    ["consumer", "outcome"],
)
