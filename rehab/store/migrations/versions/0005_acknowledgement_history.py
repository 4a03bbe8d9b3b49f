"""Acknowledgement history: an acknowledgement changed with `flags ack --replace` is kept
here, as `log --replace` keeps a day's earlier values, so nothing a clinician wrote is lost.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flag_ack_revision",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.String(64), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("note", sa.String, nullable=True),
        sa.Column("by", sa.String(200), nullable=True),
        # with their zone on PostgreSQL, as 0004 made every other timestamp
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_flag_ack_revision_patient", "flag_ack_revision", ["patient_id", "date"])


def downgrade() -> None:
    op.drop_index("ix_flag_ack_revision_patient", table_name="flag_ack_revision")
    op.drop_table("flag_ack_revision")
