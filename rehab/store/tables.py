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


class FlagAckRow(SQLModel, table=True):
    model_config = LAZY
    """A clinician has seen a flag; flags themselves are computed, never stored."""

    __tablename__ = "flag_ack"
    __table_args__ = (UniqueConstraint("patient_id", "date", "rule", "subject", name="uq_flag_ack"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    patient_id: str = Field(sa_column=Column(String(64), ForeignKey("patient.id", ondelete="CASCADE"), nullable=False))
    date: date
    rule: str = Field(max_length=40)
    subject: str = Field(default="", max_length=64)
    note: Optional[str] = None
    by: Optional[str] = Field(default=None, max_length=200)
    acknowledged_at: datetime


class SettingRow(SQLModel, table=True):
    model_config = LAZY
    """Small key/value settings, such as the default patient."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str
