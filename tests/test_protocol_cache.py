"""The cache of checked protocols: used when the file is unchanged, never when it changed,
and never when someone else could have written it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from rehab.protocols import cache, load_file
from rehab.protocols.loader import BUILTIN_DIR


def copy_builtin(tmp_path: Path) -> Path:
    path = tmp_path / "fhl.yaml"
    shutil.copy(BUILTIN_DIR / "fhl-release.yaml", path)
    return path


def test_second_load_comes_from_the_cache_and_equals_the_first(tmp_path):
    path = copy_builtin(tmp_path)
    first = load_file(path)
    assert cache.read(path, path.stat()) == first
    assert load_file(path) == first
    entries = list(Path(os.environ["XDG_CACHE_HOME"], "rehab", "protocols").glob("*.pickle"))
    assert entries and all(oct(e.stat().st_mode & 0o777) == "0o600" for e in entries)


def test_an_edited_file_is_read_again(tmp_path):
    path = copy_builtin(tmp_path)
    load_file(path)
    path.write_text(path.read_text(encoding="utf-8").replace("name: FHL tendon release", "name: FHL release (clinic)"),
                    encoding="utf-8")
    assert load_file(path).name == "FHL release (clinic)"


def test_a_cache_entry_others_could_write_is_not_trusted(tmp_path):
    path = copy_builtin(tmp_path)
    load_file(path)
    entry = cache._entry(path)
    entry.chmod(0o666)
    assert cache.read(path, path.stat()) is None


def test_a_damaged_cache_entry_is_a_miss(tmp_path):
    path = copy_builtin(tmp_path)
    load_file(path)
    cache._entry(path).write_bytes(b"not a pickle")
    assert load_file(path).id == "fhl-release"


def test_a_change_to_the_protocol_models_makes_every_entry_miss(tmp_path, monkeypatch):
    path = copy_builtin(tmp_path)
    load_file(path)
    assert cache.read(path, path.stat()) is not None
    edited = tmp_path / "models.py"
    edited.write_text(cache.MODELS.read_text(encoding="utf-8") + "\n# a new field would go here\n", encoding="utf-8")
    monkeypatch.setattr(cache, "MODELS", edited)
    assert cache.read(path, path.stat()) is None
