"""Thread-safe publishing with bounded retries: the broker being down is an error, never a hang."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from kombu import Connection, Exchange, Queue
from kombu.exceptions import KombuError
from kombu.pools import ProducerPool

from common import exception
from common.rpc import wire

LOG = logging.getLogger(__name__)

RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1}
ACQUIRE_TIMEOUT = 10
POOL_LIMIT = 16


class Publisher:
    """Publishes JSON messages from any thread over one pooled connection."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        # a pool of our own: kombu's global pools are shared by equal URLs (all memory://)
        self._producers = ProducerPool(connection.Pool(limit=POOL_LIMIT), limit=POOL_LIMIT)

    def publish(
        self,
        body: dict[str, Any],
        routing_key: str,
        exchange: Exchange | str = wire.EXCHANGE,
        declare: Iterable[Queue | Exchange] = (),
        **properties: Any,
    ) -> None:
        conn = self._connection
        errors = (
            *conn.connection_errors,
            *conn.channel_errors,
            KombuError,
            OSError,
            TimeoutError,
        )
        try:
            with self._producers.acquire(block=True, timeout=ACQUIRE_TIMEOUT) as producer:
                producer.publish(
                    body,
                    exchange=exchange,
                    routing_key=routing_key,
                    serializer=wire.SERIALIZER,
                    declare=list(declare),
                    retry=True,
                    retry_policy=RETRY_POLICY,
                    **properties,
                )
        except errors as ex:
            LOG.warning("Publishing to %s failed: %s", routing_key, ex)
            raise exception.ServiceUnavailable(
                reason=f"The messaging service is unavailable: {ex}"
            ) from ex

    def close(self) -> None:
        self._producers.force_close_all()
        self._connection.release()
