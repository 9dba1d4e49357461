"""The caller's side of RPC: ``RPCClient`` (call, cast, fanout) and ``EngineClient``."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from kombu import Connection, Message

from common import exception
from common.context import RequestContext
from common.rpc import wire
from common.rpc.consumer import QueueConsumer
from common.rpc.publisher import Publisher

LOG = logging.getLogger(__name__)

READY_TIMEOUT = 5.0


class _Pending:
    __slots__ = ("body", "event")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.body: dict[str, Any] | None = None


class RPCClient:
    """Request/reply over the broker with correlation ids and a timeout.

    One instance per process: it owns a private reply queue consumed on its own
    thread. ``call`` never waits longer than its timeout, whatever the broker does.
    """

    def __init__(self, connection_factory: Callable[[], Connection], timeout: float) -> None:
        self.timeout = timeout
        self._pending: dict[str, _Pending] = {}
        self._reply_queue = wire.reply_queue()
        self._publisher = Publisher(connection_factory())
        self._replies = QueueConsumer(
            connection_factory, [self._reply_queue], self._on_reply, 1, "rpc-replies", auto_ack=True
        )
        self._replies.start()

    def close(self) -> None:
        self._replies.stop()
        self._publisher.close()

    def _on_reply(self, body: dict[str, Any], message: Message) -> None:
        pending = self._pending.get(message.properties.get("correlation_id", ""))
        if pending is not None:
            pending.body = body
            pending.event.set()

    def call(
        self, ctx: RequestContext | None, method: str, timeout: float | None = None, **args: Any
    ) -> Any:
        """Send ``method`` to an engine and return its result or raise its error."""
        timeout = self.timeout if timeout is None else timeout
        if not self._replies.ready.wait(min(timeout, READY_TIMEOUT)):
            raise exception.ServiceUnavailable(
                reason="The messaging service is unavailable: cannot reach the message broker."
            )
        correlation_id = uuid.uuid4().hex
        pending = _Pending()
        self._pending[correlation_id] = pending
        try:
            self._publisher.publish(
                wire.encode_request(method, args),
                routing_key=wire.ENGINE_TOPIC,
                declare=[wire.engine_queue()],
                headers=wire.encode_context(ctx),
                reply_to=self._reply_queue.name,
                correlation_id=correlation_id,
                expiration=timeout,
            )
            if not pending.event.wait(timeout):
                raise exception.MessagingTimeout(
                    reason=f"Timed out waiting for a reply to {method} from heat-engine "
                    f"after {timeout:g} s; is a heat-engine running?"
                )
            assert pending.body is not None
            return wire.decode_reply(pending.body)
        finally:
            self._pending.pop(correlation_id, None)

    def cast(self, ctx: RequestContext | None, method: str, **args: Any) -> None:
        """Send ``method`` to one engine without waiting for it."""
        self._publisher.publish(
            wire.encode_request(method, args),
            routing_key=wire.ENGINE_TOPIC,
            declare=[wire.engine_queue()],
            headers=wire.encode_context(ctx),
        )

    def fanout(self, ctx: RequestContext | None, method: str, **args: Any) -> None:
        """Send ``method`` to every running engine."""
        self._publisher.publish(
            wire.encode_request(method, args),
            routing_key="",
            exchange=wire.FANOUT_EXCHANGE,
            declare=[wire.FANOUT_EXCHANGE],
            headers=wire.encode_context(ctx),
        )


Identity = dict[str, str]


def stack_summaries(table: dict[str, Any]) -> list[dict[str, Any]]:
    """The summaries of the table ``list_stacks`` answers with (``keys``, one row of values
    per stack), each with its ``stack_identity`` as upstream's engine includes it."""
    keys = table["keys"]
    summaries = []
    for row in table["rows"]:
        summary = dict(zip(keys, row, strict=True))
        summary["stack_identity"] = {
            "stack_name": summary["stack_name"],
            "stack_id": summary["id"],
            "tenant": summary["project"],
            "path": "",
        }
        summaries.append(summary)
    return summaries


class EngineClient:
    """One typed method per engine call; names and arguments follow upstream's engine RPC."""

    def __init__(self, rpc: RPCClient) -> None:
        self._rpc = rpc

    def _call(self, ctx: RequestContext, method: str, **args: Any) -> Any:
        return self._rpc.call(ctx, method, **args)

    def identify_stack(self, ctx: RequestContext, stack_name: str) -> Identity:
        return self._call(ctx, "identify_stack", stack_name=stack_name)

    def list_stacks(self, ctx: RequestContext, **params: Any) -> list[dict[str, Any]]:
        """Stack summaries as upstream's engine gives them; they travel as a table."""
        return stack_summaries(self._call(ctx, "list_stacks", **params))

    def count_stacks(self, ctx: RequestContext, **params: Any) -> int:
        return self._call(ctx, "count_stacks", **params)

    def create_stack(
        self,
        ctx: RequestContext,
        stack_name: str,
        template: Any,
        params: dict[str, Any],
        files: dict[str, Any],
        args: dict[str, Any],
        environment_files: list[str] | None = None,
    ) -> Identity:
        return self._call(
            ctx,
            "create_stack",
            stack_name=stack_name,
            template=template,
            params=params,
            files=files,
            args=args,
            environment_files=environment_files,
        )

    def preview_stack(
        self,
        ctx: RequestContext,
        stack_name: str,
        template: Any,
        params: dict[str, Any],
        files: dict[str, Any],
        args: dict[str, Any],
        environment_files: list[str] | None = None,
    ) -> dict[str, Any]:
        return self._call(
            ctx,
            "preview_stack",
            stack_name=stack_name,
            template=template,
            params=params,
            files=files,
            args=args,
            environment_files=environment_files,
        )

    def update_stack(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        template: Any,
        params: dict[str, Any],
        files: dict[str, Any],
        args: dict[str, Any],
        environment_files: list[str] | None = None,
    ) -> Identity:
        return self._call(
            ctx,
            "update_stack",
            stack_identity=stack_identity,
            template=template,
            params=params,
            files=files,
            args=args,
            environment_files=environment_files,
        )

    def show_stack(
        self, ctx: RequestContext, stack_identity: Identity | None, resolve_outputs: bool = True
    ) -> list[dict[str, Any]]:
        return self._call(
            ctx, "show_stack", stack_identity=stack_identity, resolve_outputs=resolve_outputs
        )

    def delete_stack(self, ctx: RequestContext, stack_identity: Identity) -> None:
        return self._call(ctx, "delete_stack", stack_identity=stack_identity)

    def list_stack_resources(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        nested_depth: int = 0,
        with_detail: bool = False,
        filters: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        return self._call(
            ctx,
            "list_stack_resources",
            stack_identity=stack_identity,
            nested_depth=nested_depth,
            with_detail=with_detail,
            filters=filters,
        )

    def describe_stack_resource(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        resource_name: str,
        with_attr: list[str] | None = None,
    ) -> dict[str, Any]:
        return self._call(
            ctx,
            "describe_stack_resource",
            stack_identity=stack_identity,
            resource_name=resource_name,
            with_attr=with_attr,
        )

    def describe_stack_resources(
        self, ctx: RequestContext, stack_identity: Identity | None, resource_name: str | None
    ) -> list[dict[str, Any]]:
        return self._call(
            ctx,
            "describe_stack_resources",
            stack_identity=stack_identity,
            resource_name=resource_name,
        )

    def list_events(
        self,
        ctx: RequestContext,
        stack_identity: Identity | None,
        filters: dict[str, Any] | None = None,
        limit: int | None = None,
        marker: str | None = None,
        sort_keys: list[str] | None = None,
        sort_dir: str | None = None,
        nested_depth: int | None = None,
    ) -> list[dict[str, Any]]:
        return self._call(
            ctx,
            "list_events",
            stack_identity=stack_identity,
            filters=filters,
            limit=limit,
            marker=marker,
            sort_keys=sort_keys,
            sort_dir=sort_dir,
            nested_depth=nested_depth,
        )

    def list_outputs(self, ctx: RequestContext, stack_identity: Identity) -> list[dict[str, Any]]:
        return self._call(ctx, "list_outputs", stack_identity=stack_identity)

    def show_output(
        self, ctx: RequestContext, stack_identity: Identity, output_key: str
    ) -> dict[str, Any]:
        return self._call(ctx, "show_output", stack_identity=stack_identity, output_key=output_key)

    def get_template(self, ctx: RequestContext, stack_identity: Identity) -> Any:
        return self._call(ctx, "get_template", stack_identity=stack_identity)

    def get_environment(self, ctx: RequestContext, stack_identity: Identity) -> dict[str, Any]:
        return self._call(ctx, "get_environment", stack_identity=stack_identity)

    def get_files(self, ctx: RequestContext, stack_identity: Identity) -> dict[str, Any]:
        return self._call(ctx, "get_files", stack_identity=stack_identity)

    def list_services(self, ctx: RequestContext) -> list[dict[str, Any]]:
        return self._call(ctx, "list_services")

    def get_revision(self, ctx: RequestContext) -> str:
        return self._call(ctx, "get_revision")

    def stack_suspend(self, ctx: RequestContext, stack_identity: Identity) -> None:
        return self._call(ctx, "stack_suspend", stack_identity=stack_identity)

    def stack_resume(self, ctx: RequestContext, stack_identity: Identity) -> None:
        return self._call(ctx, "stack_resume", stack_identity=stack_identity)

    def stack_check(self, ctx: RequestContext, stack_identity: Identity) -> None:
        return self._call(ctx, "stack_check", stack_identity=stack_identity)

    def stack_cancel_update(
        self, ctx: RequestContext, stack_identity: Identity, cancel_with_rollback: bool = True
    ) -> None:
        return self._call(
            ctx,
            "stack_cancel_update",
            stack_identity=stack_identity,
            cancel_with_rollback=cancel_with_rollback,
        )

    def resource_mark_unhealthy(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        resource_name: str,
        mark_unhealthy: bool,
        resource_status_reason: str | None = None,
    ) -> None:
        return self._call(
            ctx,
            "resource_mark_unhealthy",
            stack_identity=stack_identity,
            resource_name=resource_name,
            mark_unhealthy=mark_unhealthy,
            resource_status_reason=resource_status_reason,
        )

    def resource_signal(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        resource_name: str,
        details: Any = None,
        sync_call: bool = False,
    ) -> Any:
        return self._call(
            ctx,
            "resource_signal",
            stack_identity=stack_identity,
            resource_name=resource_name,
            details=details,
            sync_call=sync_call,
        )

    def preview_update_stack(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        template: Any,
        params: dict[str, Any],
        files: dict[str, Any],
        args: dict[str, Any],
        environment_files: list[str] | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        return self._call(
            ctx,
            "preview_update_stack",
            stack_identity=stack_identity,
            template=template,
            params=params,
            files=files,
            args=args,
            environment_files=environment_files,
        )

    def validate_template(
        self,
        ctx: RequestContext,
        template: Any,
        params: dict[str, Any],
        files: dict[str, Any] | None = None,
        environment_files: list[str] | None = None,
        files_container: str | None = None,
        show_nested: bool = False,
        ignorable_errors: list[str] | None = None,
    ) -> dict[str, Any]:
        return self._call(
            ctx,
            "validate_template",
            template=template,
            params=params,
            files=files,
            environment_files=environment_files,
            files_container=files_container,
            show_nested=show_nested,
            ignorable_errors=ignorable_errors,
        )

    def list_template_versions(self, ctx: RequestContext) -> list[dict[str, Any]]:
        return self._call(ctx, "list_template_versions")

    def list_template_functions(
        self, ctx: RequestContext, template_version: str, with_condition: bool = False
    ) -> list[dict[str, str]]:
        return self._call(
            ctx,
            "list_template_functions",
            template_version=template_version,
            with_condition=with_condition,
        )

    def list_resource_types(
        self,
        ctx: RequestContext,
        support_status: str | None = None,
        type_name: str | None = None,
        heat_version: str | None = None,
        with_description: bool = False,
    ) -> list[Any]:
        return self._call(
            ctx,
            "list_resource_types",
            support_status=support_status,
            type_name=type_name,
            heat_version=heat_version,
            with_description=with_description,
        )

    def resource_schema(
        self, ctx: RequestContext, type_name: str, with_description: bool = False
    ) -> dict[str, Any]:
        return self._call(
            ctx, "resource_schema", type_name=type_name, with_description=with_description
        )

    def generate_template(
        self, ctx: RequestContext, type_name: str, template_type: str = "cfn"
    ) -> dict[str, Any]:
        return self._call(
            ctx, "generate_template", type_name=type_name, template_type=template_type
        )

    def stack_snapshot(
        self, ctx: RequestContext, stack_identity: Identity, name: str | None
    ) -> dict[str, Any]:
        return self._call(ctx, "stack_snapshot", stack_identity=stack_identity, name=name)

    def show_snapshot(
        self, ctx: RequestContext, stack_identity: Identity, snapshot_id: str
    ) -> dict[str, Any]:
        return self._call(
            ctx, "show_snapshot", stack_identity=stack_identity, snapshot_id=snapshot_id
        )

    def delete_snapshot(
        self, ctx: RequestContext, stack_identity: Identity, snapshot_id: str
    ) -> None:
        return self._call(
            ctx, "delete_snapshot", stack_identity=stack_identity, snapshot_id=snapshot_id
        )

    def stack_list_snapshots(
        self, ctx: RequestContext, stack_identity: Identity
    ) -> list[dict[str, Any]]:
        return self._call(ctx, "stack_list_snapshots", stack_identity=stack_identity)

    def stack_restore(
        self, ctx: RequestContext, stack_identity: Identity, snapshot_id: str
    ) -> None:
        return self._call(
            ctx, "stack_restore", stack_identity=stack_identity, snapshot_id=snapshot_id
        )

    def abandon_stack(self, ctx: RequestContext, stack_identity: Identity) -> dict[str, Any]:
        return self._call(ctx, "abandon_stack", stack_identity=stack_identity)

    def export_stack(self, ctx: RequestContext, stack_identity: Identity) -> dict[str, Any]:
        return self._call(ctx, "export_stack", stack_identity=stack_identity)
