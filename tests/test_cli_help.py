"""`--help` of every command reads cleanly: a flag takes no value, so no type follows it, and
the description's paragraphs flow instead of breaking where the docstring's source lines do."""

import inspect

import pytest
import typer
from rich.text import Text

from contactexport.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)
DOCSTRINGS = {
    typer.main.get_command_name(info.callback.__name__): inspect.getdoc(info.callback)
    for info in app.registered_commands
}
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


@pytest.mark.parametrize("command", COMMANDS)
def test_each_paragraph_of_the_description_is_one_line(invoke, command):
    """On a terminal wide enough for any paragraph, each renders on one line: rich help would keep
    the docstring's line breaks (replay's "late and / out-of-order")."""
    shown = invoke(command, "--help", env={"COLUMNS": "1000"}).stdout
    lines = [line.strip() for line in shown.splitlines()]
    for paragraph in DOCSTRINGS[command].split("\n\n"):
        assert Text.from_markup(" ".join(paragraph.split())).plain in lines
