"""Command line entry point: each command lives in its own module and registers on `app`."""

from contactexport.cli import anomalies as _anomalies  # noqa: F401
from contactexport.cli import check as _check  # noqa: F401  (registers commands)
from contactexport.cli import diagram as _diagram  # noqa: F401
from contactexport.cli import export as _export  # noqa: F401
from contactexport.cli import ingest as _ingest  # noqa: F401
from contactexport.cli import replay as _replay  # noqa: F401
from contactexport.cli import simulate as _simulate  # noqa: F401
from contactexport.cli import summary as _summary  # noqa: F401
from contactexport.cli import timeline as _timeline  # noqa: F401
from contactexport.cli.app import app


def main() -> None:
    app()
