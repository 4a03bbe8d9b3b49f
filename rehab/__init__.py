"""rehab: recovery after posterior ankle impingement surgery."""

__version__ = "0.1.0"
