"""Who and what caused the work in progress; stamped on every event minted while it runs."""

from __future__ import annotations

from contextvars import ContextVar

current_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
current_causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)
current_actor: ContextVar[str | None] = ContextVar("actor", default=None)
current_clearance: ContextVar[str | None] = ContextVar("clearance", default=None)  # as the gateway vouched
