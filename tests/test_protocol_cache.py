"""The JSON cache of checked protocols (rehab/protocols/json_cache.py): what it returns is
what checking the file returns; an edited file, a damaged or strange entry, or a folder that
cannot be written never gives a wrong or stale plan; entries are private."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml

from rehab.errors import ProtocolError
from rehab.protocols import builtin_ids, find_combined, json_cache, load_file, schema
from rehab.protocols.loader import BUILTIN_DIR


def cache_folder() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "rehab" / "protocols"


def entries() -> list[Path]:
    return sorted(cache_folder().glob("*.json"))


def checked(path: Path):
    """The protocol as its schema checks it, without the cache."""
    return schema.check(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("pid", builtin_ids())
def test_a_cached_protocol_is_the_checked_protocol(pid):
    path = BUILTIN_DIR / f"{pid}.yaml"
    first = load_file(path)  # checks the file and writes the entry
    assert len(entries()) == 1
    again = load_file(path)  # from the entry
    assert first == again == checked(path)
    assert again.to_data() == schema.checked_data(yaml.safe_load(path.read_text(encoding="utf-8")))


def test_combined_protocols_are_cached_and_equal_to_combining_again():
    from rehab.protocols.combine import combine
    from rehab.protocols import find

    ids = "fhl-release+os-trigonum-excision"
    first = find_combined(ids)
    count = len(entries())
    assert find_combined(ids) == first == combine([find("fhl-release"), find("os-trigonum-excision")])
    assert len(entries()) == count  # read, not written again


def test_entries_are_private(tmp_path):
    load_file(BUILTIN_DIR / "fhl-release.yaml")
    [entry] = entries()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache_folder().stat().st_mode) == 0o700
    assert not [p for p in cache_folder().iterdir() if p.name.startswith(".")]  # no temporary left


def test_an_edited_file_is_checked_again_never_read_stale(tmp_path):
    path = tmp_path / "mine.yaml"
    text = (BUILTIN_DIR / "fhl-release.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    assert load_file(path).thresholds.pain_spike == 3
    path.write_text(text.replace("pain_spike: 3 ", "pain_spike: 5 ", 1), encoding="utf-8")
    assert load_file(path).thresholds.pain_spike == 5
    # A mistake added later is found, though the earlier version was cached.
    path.write_text(text.replace("pain_spike: 3 ", "pain_spike: 50", 1), encoding="utf-8")
    with pytest.raises(ProtocolError, match="pain_spike"):
        load_file(path)


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[1, 2]", b'{"id": "fhl-release"}',
                                    json.dumps({"phases": 3}).encode(), b"\xff\xfe"],
                         ids=["empty", "broken", "a-list", "missing-fields", "wrong-types", "not-utf8"])
def test_a_damaged_entry_is_rebuilt(damage):
    path = BUILTIN_DIR / "fhl-release.yaml"
    good = load_file(path)
    [entry] = entries()
    entry.write_bytes(damage)
    assert load_file(path) == good
    assert load_file(path) == good  # and the entry was written again, whole
    assert json.loads(entry.read_bytes())["id"] == "fhl-release"


def test_a_fifo_or_a_link_in_place_of_an_entry_neither_hangs_nor_misleads(tmp_path):
    path = BUILTIN_DIR / "fhl-release.yaml"
    good = load_file(path)
    [entry] = entries()
    entry.unlink()
    os.mkfifo(entry)
    assert load_file(path) == good  # O_NONBLOCK: no reader waits on the FIFO
    other = tmp_path / "other.json"
    other.write_text(json.dumps(load_file(BUILTIN_DIR / "os-trigonum-excision.yaml").to_data()))
    entry.unlink()
    entry.symlink_to(other)
    assert load_file(path) == good  # O_NOFOLLOW: another protocol's entry is not followed


def test_a_cache_path_that_is_a_file_still_gives_the_plan():
    """A cache that cannot be written (for root too): the folder's place is taken by a file."""
    cache_folder().parent.mkdir(parents=True)
    cache_folder().write_text("not a folder")
    assert load_file(BUILTIN_DIR / "fhl-release.yaml") == checked(BUILTIN_DIR / "fhl-release.yaml")


def test_the_key_names_every_input():
    text = "id: x\n"
    assert json_cache.key("protocol", text) == json_cache.key("protocol", text)
    assert json_cache.key("protocol", text) != json_cache.key("protocol", text + " ")
    assert json_cache.key("protocol", text) != json_cache.key("combined", text)
    # Parts are length-prefixed: moving text between inputs is another key.
    assert json_cache.key("combined", "ab", "c") != json_cache.key("combined", "a", "bc")


@pytest.mark.parametrize("name", ["Source", "WeightBearingPlan", "Phase", "Milestone", "Thresholds",
                                  "OutcomeSchedule", "Protocol"])
def test_the_schema_and_the_plain_models_name_the_same_fields(name):
    """A field added to one and not the other would be dropped, or refused, between a checked
    file and the plan the commands use."""
    from dataclasses import fields

    from rehab.protocols import models

    assert [f.name for f in fields(getattr(models, name))] == list(getattr(schema, name).model_fields)
