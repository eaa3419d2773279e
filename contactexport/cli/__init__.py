"""Command line entry point: each command lives in its own module and registers on `app`."""

from importlib import import_module

from contactexport.cli.app import app, stdout_failed

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
    try:
        app()
    except OSError as error:  # outside any command: --help or --version to a full disk
        if not stdout_failed(error):
            raise
        raise SystemExit(1) from None
