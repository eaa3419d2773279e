"""`--help` of every command reads cleanly: a flag takes no value, so no type follows it; every
other option and argument is named by a metavar (ZONE, N, FILE), not labelled with its Python
type; the description's paragraphs flow instead of breaking where the docstring's source lines do.
"""

import inspect
import re
from importlib import metadata

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
# typer's labels: <str>, <int>, <int range>, <float range>, <file>, <path>, <list[str]>, <csv|jsonl>
TYPE_LABEL = re.compile(r"<[a-z][\w\[\]|, ]*>", re.IGNORECASE)


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


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_values_are_named_not_typed(invoke, command):
    shown = invoke(*filter(None, [command]), "--help", env={"COLUMNS": "200"}).stdout
    assert TYPE_LABEL.findall(shown) == []


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_nothing_is_cut_off_on_an_80_column_terminal(invoke, command):
    """Rich wraps help at spaces only: a longer word (a URL, a list without spaces) in an option's
    help column is cut with an ellipsis."""
    shown = invoke(*filter(None, [command]), "--help", env={"COLUMNS": "80"}).stdout
    assert "…" not in shown


def test_metavars_keep_what_the_type_said(invoke):
    """A range and a choice still show: `N [x>=1]`, `csv|jsonl`; arguments read as in the usage."""
    assert "N [1<=x<=10]" in invoke("replay", "--help").stdout
    assert "csv|jsonl" in invoke("export", "--help").stdout
    assert "RATE [0.0<=x<=1.0]" in invoke("simulate", "--help", env={"COLUMNS": "200"}).stdout
    assert "{CONTACT_ID}" in invoke("timeline", "--help").stdout


def test_version_comes_from_the_package_metadata(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"contactexport {metadata.version('contactexport')}\n"
    assert not invoke.db.exists()
