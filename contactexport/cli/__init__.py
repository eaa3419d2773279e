"""Command line entry point: each command lives in its own module and registers on `app`."""

import sys
from importlib import import_module

from contactexport.cli.app import (
    ClosedStdout,
    StdoutError,
    TaggedStdout,
    app,
    say_stdout_failed,
)

# Registration order is the order of `--help`: store, report, explain, fixtures and data.
COMMANDS = (
    "ingest", "rejects", "replay",
    "export", "summary",
    "timeline", "anomalies", "diagram",
    "check", "simulate",
)  # fmt: skip
for _name in COMMANDS:
    import_module(f"contactexport.cli.{_name}")


def main() -> None:
    sys.stdout = TaggedStdout(sys.stdout if sys.stdout is not None else ClosedStdout())
    try:
        app()
    except StdoutError as error:  # outside any command: --help or --version to a full disk
        say_stdout_failed(error)
        raise SystemExit(1) from None
