"""Errors of federation: a refused request, a bad registry, a rejected peer feed."""

from __future__ import annotations

from topology.alerts.config import ConfigError
from topology.network import NetworkError


class FederationError(NetworkError):
    """A federation request that cannot be carried out; the message says what and why.

    A :class:`~topology.network.NetworkError`, so the API answers it as 409 (or its own
    status) and ``meshctl`` prints it as one line with exit code 1.
    """


class RegistryError(ConfigError):
    """The federation registry file is unreadable, malformed, or its delegations overlap."""


class FeedRejected(FederationError):
    """A peer's feed failed an acceptance check; ``reason`` is a short code.

    Codes: ``malformed``, ``wrong-key``, ``bad-signature``, ``not-newer``, ``namespace``,
    ``outside-delegation``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
