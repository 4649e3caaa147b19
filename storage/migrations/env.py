"""Alembic environment: runs on the connection zsbot hands over (see storage/migrate.py)."""
from __future__ import annotations

from alembic import context

from storage.schema import schema

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("zsbot runs migrations through `zsbot init`, which passes a connection")

context.configure(connection=connection, target_metadata=schema().metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
