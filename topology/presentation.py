"""How statuses and link quality look in every terminal view (CLI tables, demo summary,
TUI): a symbol as well as a colour, so output reads the same without colour, and the
quality bands of a link's measured cost. Standard library only, so thin clients (the
TUI, ``meshctl`` over HTTP) can import it without the store or networkx."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from topology.client_models import LinkInfo

#: Node status -> (symbol, colour). "default" (not white) so light themes show Planned.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "Working": ("●", "green"),
    "Testing": ("◐", "cyan"),
    "Building": ("◒", "yellow"),
    "Reserved": ("◌", "blue"),
    "Planned": ("○", "default"),
    "Inactive": ("✕", "red"),
    "Dropped": ("✕", "bright_black"),
}
#: Link quality bands by measured cost (ETX-like: 1 = perfect), best first.
BANDS: tuple[tuple[str, float, str], ...] = (
    ("excellent", 1.2, "green"),
    ("good", 2.0, "green"),
    ("fair", 5.0, "yellow"),
    ("poor", math.inf, "red"),
)
BAND_NAMES = (*(b[0] for b in BANDS), "unmeasured")
BAND_COLOUR = {name: colour for name, _, colour in BANDS} | {"unmeasured": "bright_black"}


def status_mark(status: str) -> tuple[str, str]:
    """(symbol, colour) of a status; an unknown one stands out."""
    return STATUS_STYLE.get(status, ("?", "magenta"))


def status_text(status: str) -> str:
    """Rich markup: the coloured symbol and the status name."""
    symbol, colour = status_mark(status)
    return f"[{colour}]{symbol} {status}[/]"


def measured_cost(link: LinkInfo) -> float | None:
    """The measured cost of a link as the API gives it, if any."""
    cost = (link.get("metrics") or {}).get("cost")
    return float(cost) if isinstance(cost, int | float) and cost > 0 else None


def band_of(cost: float | None) -> str:
    """The quality band of a measured cost (``unmeasured`` without one).

    >>> band_of(1.05), band_of(3.0), band_of(None)
    ('excellent', 'fair', 'unmeasured')
    """
    if cost is None or not math.isfinite(cost) or cost <= 0:
        return "unmeasured"
    return next(name for name, upto, _ in BANDS if cost <= upto)
