"""Tab completion: command names, and the values of options that come from a fixed list."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rehab.cli import app


def complete(words: str) -> list[str]:
    """What bash would offer for the last word of `words` (an empty last word: a trailing space)."""
    parts = words.split()
    cword = len(parts) if words.endswith(" ") else len(parts) - 1
    result = CliRunner().invoke(app, [], prog_name="rehab", env={
        "_REHAB_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)})
    assert result.exit_code == 0, result.output
    return result.stdout.split()


@pytest.mark.parametrize(("words", "expected"), [
    ("rehab to", ["today"]),
    ("rehab log --symptom ca", ["calf-pain", "calf-swelling", "cannot-move-toes", "cannot-bear-weight"]),
    ("rehab log --wb ", ["none", "toe-touch", "partial", "as-tolerated", "full"]),
    ("rehab log --weight-bearing p", ["partial"]),
    ("rehab log --wb t", ["toe-touch"]),
    ("rehab patient add Ann --side ", ["left", "right"]),
    ("rehab log --activity ", ["rest", "walking", "low-impact", "sport"]),
    ("rehab timeline --procedure ", ["arthroscopic-debridement", "fhl-release", "os-trigonum-excision"]),
    ("rehab patient add Ann --procedure os", ["os-trigonum-excision"]),
    ("rehab report --format p", ["pdf"]),
])
def test_completion_offers_the_known_values(words, expected):
    assert complete(words) == expected


def test_completion_offers_the_ids_of_custom_protocols_not_their_file_names(tmp_path, monkeypatch):
    (tmp_path / "my-protocol.yaml").write_text("# ours\nid: clinic-fhl\nname: FHL (clinic)\n", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"aliases": [], "before": [{"id": "cl-src"}], "id": "clinic-scope"}',
                                         encoding="utf-8")  # keys sorted: a nested id comes first
    (tmp_path / "bom.yaml").write_text("\ufeffid: clinic-bom\n", encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("just: notes\n", encoding="utf-8")
    assert complete(f"rehab --protocols-dir {tmp_path} timeline --procedure cl") == [
        "clinic-bom", "clinic-fhl", "clinic-scope"]
    monkeypatch.setenv("REHAB_PROTOCOLS_DIR", str(tmp_path))
    assert complete("rehab timeline --procedure clinic-f") == ["clinic-fhl"]
    monkeypatch.setenv("REHAB_PROTOCOLS_DIR", str(tmp_path / "missing"))
    assert complete("rehab timeline --procedure f") == ["fhl-release"]
