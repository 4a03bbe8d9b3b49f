"""Recovery protocols: the built-in YAML files, their loader and their models."""

from rehab.protocols.loader import builtin_ids, find, find_combined, load_all, load_file, parse
from rehab.protocols.models import Milestone, Offset, Phase, Protocol, Thresholds

__all__ = [
    "Milestone", "Offset", "Phase", "Protocol", "Thresholds",
    "builtin_ids", "find", "find_combined", "load_all", "load_file", "parse",
]
