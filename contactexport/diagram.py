"""The contact state machine drawn from its declaration, never by hand."""

from typing import Literal

from transitions.extensions import GraphMachine

from contactexport.machine import declaration

Format = Literal["mermaid", "dot"]

# transitions colours the model's current state; a drawing of the machine has none.
STYLING = ("classdef ", "class ")  # compared in lower case: transitions writes "Class"


def draw(fmt: Format = "mermaid") -> str:
    """Mermaid `stateDiagram-v2` or Graphviz DOT source, guards shown in brackets."""

    class Drawing:
        """A throwaway model: diagrams in `transitions` are drawn for a model."""

    model = Drawing()
    GraphMachine(
        model=model,
        graph_engine="mermaid" if fmt == "mermaid" else "graphviz",
        show_conditions=True,
        title="Contact",
        **declaration(),
    )
    graph = model.get_graph()
    if fmt == "dot":
        return "\n".join(line.rstrip() for line in graph.source.strip().splitlines()) + "\n"
    lines: list[str] = []
    for line in graph.draw(None).strip().splitlines():
        if line.strip().lower().startswith(STYLING):
            continue
        if line.strip() or (lines and lines[-1]):  # no blank line left doubled
            lines.append(line.rstrip())
    return "\n".join(lines) + "\n"
