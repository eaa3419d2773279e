"""Command line entry point: each command lives in its own module and registers on `app`."""

from contactexport.cli.app import app


def main() -> None:
    app()
