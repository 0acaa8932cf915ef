"""Alembic environment shared by every service; the connection and metadata come from
``huiwu.migrations.upgrade`` (one history per service, plus the kernel's branch)."""

from alembic import context

config = context.config
context.configure(
    connection=config.attributes["connection"],
    target_metadata=config.attributes.get("target_metadata"),
    render_as_batch=True,  # SQLite alters tables by copy-and-move
)
with context.begin_transaction():
    context.run_migrations()
