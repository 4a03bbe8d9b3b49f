"""Flag acknowledgements: a clinician's note that a deviation flag has been seen.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flag_ack",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.String(64), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("note", sa.String, nullable=True),
        sa.Column("by", sa.String(200), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("patient_id", "date", "rule", "subject", name="uq_flag_ack"),
    )


def downgrade() -> None:
    op.drop_table("flag_ack")
