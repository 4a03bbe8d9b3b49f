"""Outcome questionnaires (FAAM, LEFS): the built-in YAML files, their loader and models."""

from rehab.instruments.loader import builtin_ids, find, load_all, load_file, parse

__all__ = ["builtin_ids", "find", "load_all", "load_file", "parse"]
