"""The `rehab` command (its console script) and `python -m rehab`."""

import gc

# Start-up allocates a few hundred thousand objects that live until the process exits
# (modules, classes, SQLAlchemy's and pydantic's tables). At CPython's default first-
# generation threshold (700 allocations) the collector walks them over 150 times, about
# 40 ms of every database command. A larger first generation finds the same cycles in a
# tenth of the passes, and the garbage it can hold back stays small and bounded.
FIRST_GENERATION_THRESHOLD = 10_000


def main() -> None:
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, *gc.get_threshold()[1:])
    from rehab.cli import main as run  # after the line above: the imports are most of the work

    run()


if __name__ == "__main__":
    main()
