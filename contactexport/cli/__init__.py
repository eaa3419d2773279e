"""Command line entry point: each command lives in its own module and registers on `app`."""

from importlib import import_module

from contactexport.cli.app import app

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
    app()
