"""Alembic environment: runs on the connection rehab.store.migrate hands over.

The target metadata, the SQLModel classes' schema, is loaded only for autogenerate (a
developer writing the next migration sets attributes["autogenerate"]): running migrations
does not need it, and building the classes is a tenth of a second of every new database."""

from alembic import context

target_metadata = None
if context.config.attributes.get("autogenerate"):
    from sqlmodel import SQLModel

    from rehab.store import tables  # noqa: F401 - defining the classes fills SQLModel.metadata

    target_metadata = SQLModel.metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
