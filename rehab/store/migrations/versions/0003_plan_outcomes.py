"""The second wave: the patient's own plan, discharge, richer entries, outcomes.

Adds patient.discharged_on; temperature, swelling and exercises to entries and their
revisions; and the plan_adjustment, outcome_score and measure tables.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None



def _patient_fk():
    return sa.Column("patient_id", sa.String(64), sa.ForeignKey("patient.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.add_column("patient", sa.Column("discharged_on", sa.Date, nullable=True))
    for table in ("entry", "entry_revision"):
        op.add_column(table, sa.Column("temperature", sa.Float, nullable=True))
        op.add_column(table, sa.Column("swelling", sa.String(16), nullable=True))
        op.add_column(table, sa.Column("exercises", sa.String(16), nullable=True))
    op.create_table(
        "plan_adjustment",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_fk(),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("from_day", sa.Integer, nullable=False),
        sa.Column("until_day", sa.Integer, nullable=True),
        sa.Column("weight_bearing", sa.String(16), nullable=True),
        sa.Column("boot", sa.Boolean, nullable=True),
        sa.Column("allow", sa.String, nullable=False),
        sa.Column("forbid", sa.String, nullable=False),
        sa.Column("pain_ceiling", sa.Integer, nullable=True),
        sa.Column("milestone", sa.String(64), nullable=True),
        sa.Column("note", sa.String, nullable=True),
        sa.Column("by", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("removed_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_plan_adjustment_patient", "plan_adjustment", ["patient_id"])
    op.create_table(
        "outcome_score",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_fk(),
        sa.Column("instrument", sa.String(32), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("answers", sa.String, nullable=False),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_outcome_score_patient", "outcome_score", ["patient_id", "instrument", "date"])
    op.create_table(
        "measure",
        sa.Column("id", sa.Integer, primary_key=True),
        _patient_fk(),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_measure_patient", "measure", ["patient_id", "name", "date"])


def downgrade() -> None:
    for name in ("measure", "outcome_score", "plan_adjustment"):
        op.drop_table(name)
    for table in ("entry_revision", "entry"):
        with op.batch_alter_table(table) as batch:
            for column in ("exercises", "swelling", "temperature"):
                batch.drop_column(column)
    with op.batch_alter_table("patient") as batch:
        batch.drop_column("discharged_on")
