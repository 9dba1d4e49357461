"""Every name on the wire, and how requests, replies and errors are encoded.

Messages are JSON. A request body is ``{"method", "args", "version"}``; the
caller's context travels in the ``heat_context`` header. A reply body is
``{"result": ...}`` or ``{"failure": {"type", "message", "kwargs"}}``. An error
is rebuilt on the caller only when its class is a ``HeatException`` (the
allow-list); anything else becomes ``RemoteError``, which the APIs report as 500.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from kombu import Exchange, Queue

from common import exception
from common.context import RequestContext

RPC_VERSION = "1.0"
SERIALIZER = "json"
CONTEXT_HEADER = "heat_context"

EXCHANGE_NAME = "heat"
ENGINE_TOPIC = "engine"
STEP_TOPIC = "engine.steps"
FANOUT_EXCHANGE_NAME = "heat_engine_fanout"
REPLY_QUEUE_PREFIX = "heat.reply."

EXCHANGE = Exchange(EXCHANGE_NAME, type="direct", durable=True)
FANOUT_EXCHANGE = Exchange(FANOUT_EXCHANGE_NAME, type="fanout", durable=False)


def engine_queue() -> Queue:
    """The shared queue every engine takes RPC calls and casts from."""
    return Queue(ENGINE_TOPIC, EXCHANGE, routing_key=ENGINE_TOPIC, durable=True)


def step_queue() -> Queue:
    """The shared queue of resource steps: any engine may take any step."""
    return Queue(STEP_TOPIC, EXCHANGE, routing_key=STEP_TOPIC, durable=True)


STEP_QUEUE = step_queue()  # declared with each publish (kombu declares it once per channel)


def fanout_queue(engine_id: str) -> Queue:
    """One engine's own queue on the fanout exchange, gone when the engine goes."""
    return Queue(
        f"{FANOUT_EXCHANGE_NAME}.{engine_id}", FANOUT_EXCHANGE, auto_delete=True, durable=False
    )


def reply_queue() -> Queue:
    """A process's private queue for the replies to its calls."""
    name = f"{REPLY_QUEUE_PREFIX}{uuid.uuid4().hex}"
    return Queue(name, exchange=None, routing_key=name, auto_delete=True, durable=False)


def encode_request(method: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"method": method, "args": args, "version": RPC_VERSION}


def encode_context(ctx: RequestContext | None) -> dict[str, str]:
    return {CONTEXT_HEADER: json.dumps(ctx.to_dict() if ctx else None)}


def decode_context(headers: dict[str, Any] | None) -> RequestContext | None:
    raw = (headers or {}).get(CONTEXT_HEADER)
    data = json.loads(raw) if raw else None
    return RequestContext.from_dict(data) if data else None


def encode_result(result: Any) -> dict[str, Any]:
    return {"result": result}


def encode_error(ex: BaseException) -> dict[str, Any]:
    kwargs = getattr(ex, "kwargs", {}) or {}
    safe_kwargs = {k: v for k, v in kwargs.items() if isinstance(v, str | int | float | bool)}
    return {
        "failure": {
            "type": type(ex).__name__,
            "message": str(ex),
            "kwargs": safe_kwargs,
        }
    }


def decode_error(failure: dict[str, Any]) -> exception.HeatException:
    """Rebuild an engine error; classes off the allow-list become RemoteError."""
    name = failure.get("type", "")
    message = failure.get("message", "")
    cls = exception.all_error_classes().get(name)
    if cls is None:
        return exception.RemoteError(exc_type=name, value=message)
    err = cls.__new__(cls)
    exception.HeatException.__init__(err, message, **(failure.get("kwargs") or {}))
    return err


def decode_reply(body: dict[str, Any]) -> Any:
    """The result of a reply, or raise the error it carries."""
    if "failure" in body:
        raise decode_error(body["failure"])
    return body.get("result")
