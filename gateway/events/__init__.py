"""Events out: the gateway's NATS connection, and the departments' events streamed to callers (SSE)."""
