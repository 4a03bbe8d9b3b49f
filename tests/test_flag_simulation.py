"""Seeded simulated patients (tests/flag_simulation.py): an adherent log raises few warnings
and no urgent flag; each kind of trouble is flagged within the days the thresholds imply.
`python3 tests/flag_simulation.py` prints the figures."""

from __future__ import annotations

import pytest

from flag_simulation import PATIENTS, adherent_figures, trouble_figures
from rehab.protocols import builtin_ids


@pytest.mark.parametrize("protocol_id", sorted(builtin_ids()))
def test_adherent_patients_raise_few_warnings_and_nothing_urgent(protocol_id):
    figures = adherent_figures(protocol_id)
    print(f"{protocol_id}: {figures}")
    assert figures["mean_warnings"] <= 0.5, figures
    assert figures["urgent"] == 0, figures


@pytest.mark.parametrize("protocol_id", sorted(builtin_ids()))
def test_each_trouble_pattern_is_flagged_in_time(protocol_id):
    for row in trouble_figures(protocol_id):
        print(row)
        assert row["flagged"] == PATIENTS, row
        assert row["within_bound"] == PATIENTS, row


def test_the_same_patients_would_be_noisy_with_a_2_point_rise():
    """Why the built-ins set pain_rise 3: with the contract's default of 2, +-1 noise alone
    rises 2 points above a recent low often enough to warn several times per patient."""
    figures = adherent_figures("fhl-release", contract_defaults=True)
    print(figures)
    assert figures["mean_warnings"] > 0.5 and set(figures["by_rule"]) == {"pain-rising"}
