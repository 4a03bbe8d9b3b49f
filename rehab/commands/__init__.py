"""The commands of `rehab`, grouped by what they are for; rehab/cli.py puts them together."""
