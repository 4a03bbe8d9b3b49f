"""The `rehab` command (its console script) and `python -m rehab`."""


def main() -> None:
    from rehab.cli import main as run

    run()


if __name__ == "__main__":
    main()
