"""Alembic environment: runs on the connection rehab.store.migrate hands over. The target
metadata (for `alembic revision --autogenerate`) is the SQLModel classes' schema."""

from alembic import context
from sqlmodel import SQLModel

from rehab.store import tables  # noqa: F401 - defining the classes fills SQLModel.metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
