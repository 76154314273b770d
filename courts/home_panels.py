"""Panels on the court's home page, contributed by the floors above (registered in their AppConfig.ready).

The home page belongs to this floor, but its inbox is about filings, requests and mediations, which this floor
does not know. Each higher app registers a function that returns a panel (a template and its context) for the
request, or None when it has nothing to show.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


PanelSource = Callable[[object], Panel | None]
_sources: list[PanelSource] = []


def register_panel(source: PanelSource) -> None:
    if source not in _sources:
        _sources.append(source)


def panels_for(request) -> list[Panel]:
    panels = [panel for source in _sources if (panel := source(request)) is not None]
    return sorted(panels, key=lambda panel: panel.order)
