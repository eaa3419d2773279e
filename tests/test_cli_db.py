"""--db before the command (`contactexport --db x.db export`) or after it (`contactexport
export --db x.db`): the same store, the same environment and default, and only ingest creates
one."""

import csv
import inspect
import io
import shutil

import pytest
import typer
from conftest import FIXTURES
from typer.testing import CliRunner

from contactexport.cli import app

EVENTS = FIXTURES / "abandoned-call" / "events.jsonl"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def placed(where: str, db, *command: str) -> list[str]:
    name, *rest = command
    return ["--db", str(db), *command] if where == "before" else [name, *rest, "--db", str(db)]


def contact_ids(export_output: str) -> list[str]:
    return [row["Contact ID"] for row in csv.DictReader(io.StringIO(export_output))]


@pytest.mark.parametrize("where", ["before", "after"])
def test_ingest_replay_and_export_use_the_db_given_either_side(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "chosen.db"
    ingest = run(*placed(where, db, "ingest", str(EVENTS)), env={"CONTACTEXPORT_DB": None})
    assert ingest.exit_code == 0, ingest.stderr
    assert db.is_file() and not (tmp_path / "contactexport.db").exists()
    replay = run(*placed(where, db, "replay", "--strict"))
    assert replay.exit_code == 0 and "1 contact from 1 conversation" in replay.stderr
    export = run(*placed(where, db, "export"))
    assert export.exit_code == 0
    assert contact_ids(export.stdout) == ["abnd-call"]


@pytest.mark.parametrize(
    "command",
    [["export"], ["replay"], ["summary"], ["top", "Talk Time"], ["anomalies"], ["timeline", "c"]],
)
def test_after_the_command_a_missing_store_is_refused_not_created(tmp_path, command):
    db = tmp_path / "typo.db"
    result = run(*placed("after", db, *command))
    assert result.exit_code == 2
    assert f"no event store at {db}: ingest events first" in result.stderr
    assert not db.exists()


def test_after_the_command_it_overrides_the_environment_and_the_one_before(tmp_path):
    db, other = tmp_path / "real.db", tmp_path / "other.db"
    assert run("--db", str(db), "ingest", str(EVENTS)).exit_code == 0
    from_env = run("export", "--db", str(db), env={"CONTACTEXPORT_DB": str(other)})
    assert contact_ids(from_env.stdout) == ["abnd-call"]
    both = run("--db", str(other), "export", "--db", str(db))
    assert contact_ids(both.stdout) == ["abnd-call"]
    assert not other.exists()


def test_without_db_after_the_command_the_environment_then_the_default_apply(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(EVENTS, tmp_path / "events.jsonl")
    assert run("ingest", "events.jsonl", env={"CONTACTEXPORT_DB": "env.db"}).exit_code == 0
    assert (tmp_path / "env.db").is_file()
    assert run("ingest", "events.jsonl", env={"CONTACTEXPORT_DB": None}).exit_code == 0
    assert (tmp_path / "contactexport.db").is_file()
    export = run("export", env={"CONTACTEXPORT_DB": None})
    assert contact_ids(export.stdout) == ["abnd-call"]


def test_every_command_that_opens_the_store_takes_db_after_it():
    """A new command that opens the store needs `db: StorePath = None` to take it there too."""
    commands = typer.main.get_command(app).commands
    opening = {
        name
        for name, command in commands.items()
        if "open_store(" in inspect.getsource(command.callback)
    }
    assert {"ingest", "replay", "export", "summary", "top", "timeline", "anomalies"} <= opening
    for name in opening:
        assert any("--db" in param.opts for param in commands[name].params), name
