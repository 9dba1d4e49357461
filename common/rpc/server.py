"""The engine's side of RPC: consume calls, dispatch to an explicit method table, reply, ack."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from typing import Any

from kombu import Connection, Message

from common import exception
from common.context import RequestContext
from common.rpc import wire
from common.rpc.consumer import QueueConsumer
from common.rpc.publisher import Publisher

LOG = logging.getLogger(__name__)

Method = Callable[..., Any]


class RPCServer:
    """Serves ``methods`` (name → callable taking ``ctx`` first) on the engine queue."""

    def __init__(
        self,
        connection_factory: Callable[[], Connection],
        methods: Mapping[str, Method],
        concurrency: int,
        engine_id: str,
    ) -> None:
        self._methods = dict(methods)
        self._publisher = Publisher(connection_factory())
        self._consumer = QueueConsumer(
            connection_factory,
            [wire.engine_queue(), wire.fanout_queue(engine_id)],
            self._handle,
            concurrency,
            "rpc",
        )

    @property
    def ready(self) -> Any:
        return self._consumer.ready

    def start(self) -> None:
        self._consumer.start()

    def stop(self) -> None:
        self._consumer.stop()
        self._publisher.close()

    def _dispatch(self, ctx: RequestContext | None, body: dict[str, Any]) -> Any:
        name = body.get("method")
        method = self._methods.get(name) if isinstance(name, str) else None
        if method is None:
            raise exception.NotSupported(feature=f"RPC method {name!r}")
        args = body.get("args") or {}
        try:
            inspect.signature(method).bind(ctx, **args)
        except TypeError as ex:
            raise exception.Invalid(reason=f"Bad arguments to {name}: {ex}") from ex
        return method(ctx, **args)

    def _handle(self, body: dict[str, Any], message: Message) -> None:
        ctx = wire.decode_context(message.headers)
        try:
            reply = wire.encode_result(self._dispatch(ctx, body))
        except exception.HeatException as ex:
            reply = wire.encode_error(ex)
        except Exception as ex:
            LOG.exception("RPC method %s failed", body.get("method"))
            reply = wire.encode_error(ex)
        reply_to = message.properties.get("reply_to")
        if reply_to:
            try:
                self._publisher.publish(
                    reply,
                    routing_key=reply_to,
                    exchange="",
                    correlation_id=message.properties.get("correlation_id"),
                )
            except exception.ServiceUnavailable:
                LOG.warning("Could not send the reply to %s", body.get("method"))
