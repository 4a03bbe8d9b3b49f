"""Timestamps with their time zone, as the SQLModel classes define them (UTCDateTime).

The first migrations made them without one; databases that rehab created from the classes
already have it. On PostgreSQL each such column becomes `timestamp with time zone`, its
values read as the UTC they always were. SQLite has one DATETIME either way: nothing to do.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIMESTAMPS = {
    "patient": ("created_at",),
    "entry": ("created_at", "updated_at"),
    "entry_revision": ("replaced_at",),
    "flag_ack": ("acknowledged_at",),
    "plan_adjustment": ("created_at", "removed_at"),
    "outcome_score": ("created_at",),
    "measure": ("created_at",),
}


def _change(with_zone: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    inspector = sa.inspect(bind)
    for table, names in TIMESTAMPS.items():
        for column in inspector.get_columns(table):
            if column["name"] in names and bool(getattr(column["type"], "timezone", False)) != with_zone:
                op.alter_column(table, column["name"], type_=sa.DateTime(timezone=with_zone),
                                existing_type=column["type"], existing_nullable=column["nullable"],
                                postgresql_using=f"{column['name']} AT TIME ZONE 'UTC'")


def upgrade() -> None:
    _change(with_zone=True)


def downgrade() -> None:
    _change(with_zone=False)
