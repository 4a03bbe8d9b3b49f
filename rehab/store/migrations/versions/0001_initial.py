"""The first release: patients, daily entries, replaced-entry history, settings.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _entry_columns():
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.String(64), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("pain", sa.Integer, nullable=False),
        sa.Column("weight_bearing", sa.String(16), nullable=False),
        sa.Column("boot", sa.Boolean, nullable=True),
        sa.Column("activity", sa.String(16), nullable=True),
        sa.Column("symptoms", sa.String, nullable=False),
        sa.Column("milestones", sa.String, nullable=False),
        sa.Column("note", sa.String, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "patient",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("surgery_date", sa.Date, nullable=False),
        sa.Column("procedure", sa.String(64), nullable=False),
        sa.Column("side", sa.String(5), nullable=True),
        sa.Column("surgeon", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "entry",
        *_entry_columns(),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("patient_id", "date", name="uq_entry_patient_date"),
    )
    op.create_table("entry_revision", *_entry_columns(), sa.Column("replaced_at", sa.DateTime, nullable=False))
    op.create_index("ix_entry_revision_patient_date", "entry_revision", ["patient_id", "date"])
    op.create_table(
        "setting",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String, nullable=False),
    )


def downgrade() -> None:
    for table in ("setting", "entry_revision", "entry", "patient"):
        op.drop_table(table)
