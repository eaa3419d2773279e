"""`--help` of every command reads cleanly: a flag takes no value, so no type follows it."""

import pytest
import typer

from contactexport.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)
TYPE_NOISE = ("<bool>", "BOOLEAN", "<boolean>")


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_shows_no_type_after_flags(invoke, command):
    result = invoke(*filter(None, [command]), "--help")
    assert result.exit_code == 0
    assert "--help" in result.stdout
    for noise in TYPE_NOISE:
        assert noise not in result.stdout


def test_flags_are_still_documented(invoke):
    assert "--full" in invoke("replay", "--help").stdout
    simulate = invoke("simulate", "--help").stdout
    assert "--noise" in simulate and "--no-noise" in simulate
