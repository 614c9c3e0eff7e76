"""Extra panels on the dashboard, registered by apps above families (e.g. upcoming bookings).

families does not know about bookings; queueing registers its panel when it starts:

    # queueing/apps.py
    def ready(self):
        from families.panels import register_dashboard_panel
        register_dashboard_panel("queueing/_dashboard_bookings.html", get_context=upcoming_for_dashboard, order=10)

The dashboard template includes each panel's template with the dashboard's own context
(`user`, `members`, `request`) plus `panel` (this object) and `panel_context` (what
`get_context(request)` returned). Views expose them as the context variable `extra_panels`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class DashboardPanel:
    template_name: str
    get_context: Callable[[HttpRequest], dict[str, Any]] | None = None
    order: int = 100


@dataclass
class RenderedPanel:
    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


_PANELS: dict[str, DashboardPanel] = {}


def register_dashboard_panel(
    template_name: str, get_context: Callable[[HttpRequest], dict[str, Any]] | None = None, order: int = 100
) -> None:
    """Add (or replace, so `ready()` running twice is harmless) a panel on the dashboard."""
    _PANELS[template_name] = DashboardPanel(template_name, get_context, order)


def unregister_dashboard_panel(template_name: str) -> None:
    _PANELS.pop(template_name, None)


def dashboard_panels(request: HttpRequest) -> list[RenderedPanel]:
    """The registered panels in order, each with its context for this request."""
    panels = sorted(_PANELS.values(), key=lambda p: (p.order, p.template_name))
    return [RenderedPanel(p.template_name, p.get_context(request) if p.get_context else {}) for p in panels]
