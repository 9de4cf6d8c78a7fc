"""Notifications sent out of the service: webhooks for alert events.

:class:`WebhookNotifier` subscribes to the network's event bus and POSTs alert events to
the configured URLs from its own threads (bounded queues, timeouts, retries with
backoff); it never blocks or raises into the service. See :mod:`.webhooks`.
"""

from topology.notify.webhooks import Delivery, WebhookConfig, WebhookNotifier, payload

__all__ = ["Delivery", "WebhookConfig", "WebhookNotifier", "payload"]
