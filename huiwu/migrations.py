"""Schema migrations with Alembic: the kernel's branch plus one history per service, applied at
start. On PostgreSQL an advisory lock keeps two replicas from migrating at once."""

from __future__ import annotations

import zlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Engine

from huiwu.tables import KernelTable

ALEMBIC_DIR = Path(__file__).parent / "alembic"


def alembic_config(service: str, versions_dir: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", f"{ALEMBIC_DIR / 'versions'}:{versions_dir}")
    config.attributes["service"] = service
    return config


def upgrade(engine: Engine, service: str, versions_dir: Path, metadata: MetaData) -> None:
    config = alembic_config(service, versions_dir)
    config.attributes["target_metadata"] = [KernelTable.metadata, metadata]
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            lock_key = zlib.crc32(f"huiwu-migrate-{service}".encode())
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
