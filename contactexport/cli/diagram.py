"""`contactexport diagram`: the contact state machine as Mermaid or DOT text."""

from enum import StrEnum
from typing import Annotated

import typer

from contactexport.cli.app import app
from contactexport.cli.options import choice
from contactexport.diagram import draw


class DiagramFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"


@app.command(rich_help_panel="Explain")
def diagram(
    fmt: Annotated[
        DiagramFormat,
        choice("--format", choices=DiagramFormat, help="Mermaid stateDiagram-v2, or Graphviz DOT."),
    ] = DiagramFormat.mermaid,
) -> None:
    """Print the contact state machine, drawn from its declaration in machine.py."""
    typer.echo(draw(fmt.value), nl=False)
