"""The database tables. Lists (symptoms, milestones) are stored as JSON text: portable to
any SQL database, and never queried inside."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from pydantic import ConfigDict
from sqlalchemy import Column, ForeignKey, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

# The store works through the tables (SQLAlchemy Core), never through instances of these
# classes, so pydantic need not build their validators: about 5 ms of every command's start.
LAZY = ConfigDict(defer_build=True)


class PatientRow(SQLModel, table=True):
    model_config = LAZY
    __tablename__ = "patient"

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    surgery_date: date
    procedure: str = Field(max_length=64)
    side: Optional[str] = Field(default=None, max_length=5)
    surgeon: Optional[str] = Field(default=None, max_length=200)
    created_at: datetime
    discharged_on: Optional[date] = None


class EntryValues(SQLModel):
    model_config = LAZY
    """What a day's entry holds; shared by the entry and its replaced revisions."""

    date: date
    pain: int
    weight_bearing: str = Field(max_length=16)
    boot: Optional[bool] = None
    activity: Optional[str] = Field(default=None, max_length=16)
    symptoms: str = "[]"
    milestones: str = "[]"
    note: Optional[str] = None
    temperature: Optional[float] = None
    swelling: Optional[str] = Field(default=None, max_length=16)
    exercises: Optional[str] = Field(default=None, max_length=16)


class EntryRow(EntryValues, table=True):
    model_config = LAZY
    __tablename__ = "entry"
    # One entry per patient per date, enforced by the database; also the index every
    # per-patient query walks.
    __table_args__ = (UniqueConstraint("patient_id", "date", name="uq_entry_patient_date"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    patient_id: str = Field(sa_column=Column(String(64), ForeignKey("patient.id", ondelete="CASCADE"), nullable=False))
    created_at: datetime
    updated_at: datetime


class EntryRevisionRow(EntryValues, table=True):
    model_config = LAZY
    """An entry's values before a replacement."""

    __tablename__ = "entry_revision"
    __table_args__ = (Index("ix_entry_revision_patient_date", "patient_id", "date"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    patient_id: str = Field(sa_column=Column(String(64), ForeignKey("patient.id", ondelete="CASCADE"), nullable=False))
    replaced_at: datetime


class AckValues(SQLModel):
    model_config = LAZY
    """What an acknowledgement holds; shared by the acknowledgement and its replaced revisions."""

    date: date
    rule: str = Field(max_length=40)
    subject: str = Field(default="", max_length=64)
    note: Optional[str] = None
    by: Optional[str] = Field(default=None, max_length=200)
    acknowledged_at: datetime


class FlagAckRow(AckValues, table=True):
    model_config = LAZY
    """A clinician has seen a flag; flags themselves are computed, never stored."""

    __tablename__ = "flag_ack"
    __table_args__ = (UniqueConstraint("patient_id", "date", "rule", "subject", name="uq_flag_ack"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    patient_id: str = Field(sa_column=Column(String(64), ForeignKey("patient.id", ondelete="CASCADE"), nullable=False))


class FlagAckRevisionRow(AckValues, table=True):
    model_config = LAZY
    """An acknowledgement as it was before `flags ack --replace` changed it."""

    __tablename__ = "flag_ack_revision"
    __table_args__ = (Index("ix_flag_ack_revision_patient", "patient_id", "date"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    patient_id: str = Field(sa_column=Column(String(64), ForeignKey("patient.id", ondelete="CASCADE"), nullable=False))
    replaced_at: datetime


class SettingRow(SQLModel, table=True):
    model_config = LAZY
    """Small key/value settings, such as the default patient."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str


class PlanAdjustmentRow(SQLModel, table=True):
    model_config = LAZY
    """A change to one patient's plan (rehab plan adjust|move); removal only stamps removed_at."""

    __tablename__ = "plan_adjustment"
    __table_args__ = (Index("ix_plan_adjustment_patient", "patient_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    patient_id: str = Field(sa_column=Column(String(64), ForeignKey("patient.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(max_length=8)
    from_day: int
    until_day: Optional[int] = None
    weight_bearing: Optional[str] = Field(default=None, max_length=16)
    boot: Optional[bool] = None
    allow: str = "[]"
    forbid: str = "[]"
    pain_ceiling: Optional[int] = None
    milestone: Optional[str] = Field(default=None, max_length=64)
    note: Optional[str] = None
    by: Optional[str] = Field(default=None, max_length=200)
    created_at: datetime
    removed_at: Optional[datetime] = None


class OutcomeScoreRow(SQLModel, table=True):
    model_config = LAZY
    """A completed questionnaire: the answers as given (JSON list, null for n/a) and its score."""

    __tablename__ = "outcome_score"
    __table_args__ = (Index("ix_outcome_score_patient", "patient_id", "instrument", "date"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    patient_id: str = Field(sa_column=Column(String(64), ForeignKey("patient.id", ondelete="CASCADE"), nullable=False))
    instrument: str = Field(max_length=32)
    date: date
    answers: str
    score: Optional[float] = None
    created_at: datetime


class MeasureRow(SQLModel, table=True):
    model_config = LAZY
    """A clinical measure on one side (knee-to-wall cm, calf-raises count)."""

    __tablename__ = "measure"
    __table_args__ = (Index("ix_measure_patient", "patient_id", "name", "date"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    patient_id: str = Field(sa_column=Column(String(64), ForeignKey("patient.id", ondelete="CASCADE"), nullable=False))
    name: str = Field(max_length=32)
    date: date
    side: str = Field(max_length=8)
    value: float
    created_at: datetime
