"""Shared fixtures: a store holding every regression fixture's events, and a CLI runner."""

import json
import os
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from contactexport.cli import app
from contactexport.ingest import ingest_files
from eventstore import EventStore

# CI explores the same examples on every run, so a red build always means a change broke
# something; locally hypothesis keeps searching new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parents[1] / "fixtures"
REFERENCE = Path(__file__).parents[2] / "shared" / "reference"


@pytest.fixture
def invoke(tmp_path):
    """Run the CLI against a store in tmp_path: invoke("export", "--channel", "voice")."""
    runner = CliRunner()
    db = tmp_path / "store.db"

    def run(*args: str, **kwargs):
        return runner.invoke(app, ["--db", str(db), *args], catch_exceptions=False, **kwargs)

    run.db = db
    return run


@pytest.fixture
def loaded(invoke):
    """`invoke`, with every fixture's events already ingested."""
    with EventStore(invoke.db) as store:
        ingest_files(store, sorted(FIXTURES.glob("*/events.jsonl")))
    return invoke


def write_events(path: Path, events: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path
