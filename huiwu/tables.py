"""Declarative bases. Each service has its own table registry so services never share a schema,
even when tests import them into one process; the kernel's tables (outbox, inbox, dead letters)
live in the kernel's registry and are migrated into every service's database."""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel


class KernelTable(SQLModel, registry=registry()):
    """Tables every service has: the outbox, the inbox and the dead letters."""
