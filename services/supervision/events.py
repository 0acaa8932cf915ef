"""Supervision's side of the outbox: every event it records names its meeting."""

from huiwu.outbox import emitter

PRODUCER = "supervision"

emit = emitter(PRODUCER)
