"""Alembic environment: runs on the connection the store hands over (see store.engine)."""

from alembic import context

from rehab.store.schema import from_classes

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=from_classes(), render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
