"""Each service's migrations build exactly the schema its models describe, and run twice safely."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from huiwu import migrations
from huiwu.db import create_db_engine
from huiwu.service import ServiceDefinition
from huiwu.tables import KernelTable
from huiwu.testing.databases import Databases
from services.documents.main import definition as documents
from services.registration.main import definition as registration
from services.supervision.main import definition as supervision
from services.venue.main import definition as venue


@pytest.mark.parametrize("definition", [registration, venue, documents, supervision], ids=lambda d: d.name)
def test_migrations_match_the_models(definition: ServiceDefinition, databases: Databases) -> None:
    engine = create_db_engine(databases.url(definition.name))
    try:
        migrations.upgrade(engine, definition.name, definition.migrations, definition.metadata)
        migrations.upgrade(engine, definition.name, definition.migrations, definition.metadata)  # idempotent

        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, [KernelTable.metadata, definition.metadata])  # type: ignore[arg-type]  # a list works; the stub says one
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()

    assert differences == []
    assert {"outbox_event", "inbox_entry", "dead_letter"} <= tables
    assert set(definition.metadata.tables) <= tables
