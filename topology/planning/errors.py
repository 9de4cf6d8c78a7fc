"""The one error of planning: bad input a user can fix (file, model, point, budget).

It subclasses :class:`~topology.model.ModelError` on purpose: the CLI
(:func:`meshctl.errors.friendly_errors`) already prints those as one line with exit
code 1, and the API answers them as 422 ``invalid``, so planning needs no extra wiring.
"""

from __future__ import annotations

from topology.model import ModelError


class PlanningError(ModelError):
    """Planning input is unusable: the message says what, where and why."""
