def test_version(rehab):
    from rehab import __version__

    result = rehab("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"rehab {__version__}"
