"""The contact state machine drawn from its declaration, never by hand."""

from typing import Literal

from transitions.extensions import GraphMachine

from contactexport.machine import declaration

Format = Literal["mermaid", "dot"]


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
    text = graph.draw(None) if fmt == "mermaid" else graph.source
    return "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"
