"""Fresh databases for a test: SQLite files, or PostgreSQL databases created and dropped."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from huiwu.db import normalize_url

POSTGRES_URL_VARIABLE = "HUIWU_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


class Databases:
    """Hands out one new database per service name; drops the PostgreSQL ones at the end."""

    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self.directory = directory
        self._created: list[str] = []

    def url(self, service: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.directory / f'{service}-{uuid.uuid4().hex[:8]}.db'}"
        admin = postgres_admin_url()
        assert admin is not None, f"{POSTGRES_URL_VARIABLE} is not set"
        name = f"huiwu_test_{service}_{uuid.uuid4().hex[:10]}"
        self._admin_execute(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return make_url(normalize_url(admin)).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self._created:
            self._admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.clear()

    def _admin_execute(self, statement: str) -> None:
        admin = postgres_admin_url()
        assert admin is not None
        engine = create_engine(normalize_url(admin), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(statement))
        finally:
            engine.dispose()


@contextmanager
def scratch_database(backend: str, service: str) -> Iterator[str]:
    """One throwaway database for a benchmark: a SQLite file in a temporary folder, or a
    PostgreSQL database (through ``HUIWU_TEST_POSTGRES_URL``) dropped afterwards."""
    if backend == "postgres" and postgres_admin_url() is None:
        raise SystemExit(f"--database postgres needs {POSTGRES_URL_VARIABLE}")
    with tempfile.TemporaryDirectory(prefix=f"huiwu-bench-{service}-") as folder:
        databases = Databases(backend, Path(folder))
        try:
            yield databases.url(service)
        finally:
            databases.drop_all()
