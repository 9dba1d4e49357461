"""Events of a stack or of one of its resources."""

from __future__ import annotations

from typing import Any

import falcon

from common.rpc.client import EngineClient
from heat_api import params, views
from heat_api.errors import HTTPError
from heat_api.resources.stacks import ctx_of, identity

FILTERS = ("resource_action", "resource_status", "resource_name", "resource_type")


def _query(req: falcon.Request) -> dict[str, Any]:
    filters = {}
    for key in FILTERS:
        values = req.get_param_as_list(key)
        if values:
            filters[key] = values if len(values) > 1 else values[0]
    return {
        "filters": filters,
        "limit": params.as_int(req, "limit"),
        "marker": req.get_param("marker"),
        "sort_keys": params.as_list(req, "sort_keys"),
        "sort_dir": req.get_param("sort_dir"),
        "nested_depth": params.as_int(req, "nested_depth"),
    }


def _event(req: falcon.Request, data: dict[str, Any], detail: bool = False) -> dict[str, Any]:
    """An event as views.event shows it; a nested_depth listing links the stack asked
    about as ``root_stack`` too."""
    shown = views.event(req, data, detail)
    root = data.get("root_stack_id")
    if root:
        shown["links"].append(views.link(views.stack_url(req, root), "root_stack"))
    return shown


class StackEvents:
    """/stacks/{stack_name}/{stack_id}/events"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
    ) -> None:
        query = _query(req)
        query["filters"] = query["filters"] or None
        rows = self.engine.list_events(
            ctx_of(req), identity(tenant_id, stack_name, stack_id), **query
        )
        resp.media = {"events": [_event(req, e) for e in rows]}


class ResourceEvents:
    """/stacks/{stack_name}/{stack_id}/resources/{resource_name}/events"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        resource_name: str,
    ) -> None:
        query = _query(req)
        query["filters"]["resource_name"] = resource_name
        rows = self.engine.list_events(
            ctx_of(req), identity(tenant_id, stack_name, stack_id), **query
        )
        if not rows and query["nested_depth"]:
            raise HTTPError(f"No events found for resource {resource_name}", 404)
        resp.media = {"events": [_event(req, e) for e in rows]}


class Event:
    """/stacks/{stack_name}/{stack_id}/resources/{resource_name}/events/{event_id}"""

    def __init__(self, engine: EngineClient) -> None:
        self.engine = engine

    def on_get(
        self,
        req: falcon.Request,
        resp: falcon.Response,
        tenant_id: str,
        stack_name: str,
        stack_id: str,
        resource_name: str,
        event_id: str,
    ) -> None:
        rows = self.engine.list_events(
            ctx_of(req),
            identity(tenant_id, stack_name, stack_id),
            filters={"resource_name": resource_name, "uuid": event_id},
        )
        if not rows:
            raise HTTPError(f"No event {event_id} found", 404)
        resp.media = {"event": _event(req, rows[0], detail=True)}
