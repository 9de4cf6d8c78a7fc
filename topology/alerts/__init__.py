"""Alerts: built-in rules over the live network, the engine that keeps them, their config.

* :mod:`topology.alerts.model`: :class:`Alert`, :class:`Finding`, kinds and severities;
* :mod:`topology.alerts.rules`: the rules, pure functions over plain inputs;
* :mod:`topology.alerts.config`: :class:`AlertConfig`, thresholds with defaults;
* :mod:`topology.alerts.engine`: :class:`~topology.alerts.engine.AlertEngine`, which
  listens to the network's events, raises and clears alerts, stores and publishes them.

This package imports only the pure modules: the store imports :mod:`.model`.
"""

from topology.alerts.config import AlertConfig, ConfigError
from topology.alerts.model import Alert, AlertKind, Finding, Severity

__all__ = ["Alert", "AlertConfig", "AlertKind", "ConfigError", "Finding", "Severity"]
