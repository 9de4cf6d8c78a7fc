"""The agent's exceptions. Each has one documented meaning::

AgentError                  any failure the agent itself raises
├── ConfigError             the configuration file is invalid (message: file:line: field: why)
├── CollectorError          a collector failed this cycle (reported, never fatal)
│   ├── RetrievalError      could not retrieve: daemon down, timeout, refused, no permission
│   ├── ParseError          format recognised but the data is invalid (or not recognised)
│   └── MissingDependency   the collector's library is not installed (with the pip hint)
└── TransportError          a report could not be delivered
    ├── Unreachable         the service did not answer (connection, timeout, 5xx, 429):
    │                       keep the report and retry later
    └── Rejected            the service answered no (4xx): retrying the same bytes won't help
"""

from __future__ import annotations


class AgentError(Exception):
    """Base class of the agent's exceptions."""


class ConfigError(AgentError):
    """The configuration is invalid; the message names file, line and field."""


class CollectorError(AgentError):
    """A collector failed; the agent reports it and carries on."""


class RetrievalError(CollectorError):
    """Could not retrieve the data (daemon down, timeout, connection refused, permission)."""


class ParseError(CollectorError):
    """The data was retrieved but is not in the expected format, or its values are invalid."""


class MissingDependency(CollectorError):
    """The library a collector needs is not installed."""

    def __init__(self, module: str, extra: str = "agent") -> None:
        super().__init__(
            f"the Python module {module!r} is not installed: "
            f"pip install 'meshcommons[{extra}]' (or the distribution's package)"
        )
        self.module = module


class TransportError(AgentError):
    """A report could not be delivered."""


class Unreachable(TransportError):
    """The service did not take the report (no answer, timeout, 5xx, 429): retry later.

    ``retry_after`` is the server's ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Rejected(TransportError):
    """The service refused the report for good (4xx other than 429)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
