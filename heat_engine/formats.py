"""Stacks, resources, events and services as the engine returns them over RPC."""

from __future__ import annotations

import datetime
from typing import Any

from common.db import models
from common.db import stacks as stack_db

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# A stack list's fields, in the order of each row ``list_stacks`` sends.
SUMMARY_KEYS = (
    "id",
    "stack_name",
    "project",
    "description",
    "stack_status",
    "stack_status_reason",
    "creation_time",
    "updated_time",
    "deletion_time",
    "stack_owner",
    "parent",
    "stack_user_project_id",
    "tags",
)


def isotime(value: datetime.datetime | None) -> str | None:
    return value.strftime(TIME_FORMAT) if value else None


def stack_identity(row: models.Stack) -> dict[str, str]:
    return {
        "stack_name": row.name,
        "stack_id": row.id,
        "tenant": row.tenant,
        "path": "",
    }


def format_stack(
    row: models.Stack,
    *,
    description: str | None,
    parameters: dict[str, str],
    outputs: list[dict[str, Any]] | None,
    tags: list[str],
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.id,
        "stack_name": row.name,
        "stack_identity": stack_identity(row),
        "creation_time": isotime(row.created_at),
        "updated_time": isotime(row.updated_at),
        "deletion_time": isotime(row.deleted_at),
        "notification_topics": [],
        "parameters": parameters,
        "description": description if description is not None else "No description",
        "template_description": description if description is not None else "No description",
        "capabilities": [],
        "disable_rollback": bool(row.disable_rollback),
        "timeout_mins": row.timeout,
        "stack_owner": row.username,
        "parent": row.owner_id,
        "stack_user_project_id": row.stack_user_project_id,
        "tags": tags,
        "stack_status": f"{row.action}_{row.status}",
        "stack_status_reason": row.status_reason or "",
        "project": row.tenant,
    }
    if outputs is not None:
        data["outputs"] = outputs
    return data


def isotime_of_text(value: str | None) -> str | None:
    """``isotime`` of a time the database gave as text, ``YYYY-MM-DD HH:MM:SS[.ffffff]``."""
    return f"{value[:10]}T{value[11:19]}Z" if value else None


def format_stack_summaries(page: stack_db.SummaryPage) -> dict[str, Any]:
    """A stack list as a table: ``keys`` (``SUMMARY_KEYS``) and one row of values per stack.

    Rows rather than one mapping per stack: a 500-stack list is then a third of the bytes
    to encode, send and parse (the caller rebuilds the mappings, see ``EngineClient``).
    The database rows are unpacked: reading 500 rows by column name costs more than the
    query itself.
    """
    rows = []
    for row in page.rows:
        (
            stack_id,
            name,
            tenant,
            status,
            reason,
            created,
            updated,
            deleted,
            owner,
            parent,
            user_project,
        ) = row
        rows.append(
            [
                stack_id,
                name,
                tenant,
                "",
                status,
                reason or "",
                isotime_of_text(created),
                isotime_of_text(updated),
                isotime_of_text(deleted),
                owner,
                parent,
                user_project,
                page.tags.get(stack_id),
            ]
        )
    return {"keys": SUMMARY_KEYS, "rows": rows}


def format_resource(
    stack: models.Stack,
    row: models.Resource,
    type_name: str,
    required_by: list[str],
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "updated_time": isotime(row.updated_at or row.created_at),
        "creation_time": isotime(row.created_at),
        "logical_resource_id": row.name,
        "resource_name": row.name,
        "physical_resource_id": row.nova_instance or "",
        "resource_action": row.action,
        "resource_status": f"{row.action}_{row.status}",
        "resource_status_reason": row.status_reason or "",
        "resource_type": type_name,
        "required_by": required_by,
        "stack_identity": stack_identity(stack),
        "stack_name": stack.name,
    }
    if detail is not None:
        data.update(detail)
    return data


def format_planned_resource(
    stack: models.Stack, name: str, type_name: str, required_by: list[str]
) -> dict[str, Any]:
    """A resource that does not exist yet, as a preview lists it."""
    return {
        "resource_name": name,
        "logical_resource_id": name,
        "physical_resource_id": "",
        "resource_action": "INIT",
        "resource_status": "INIT_COMPLETE",
        "resource_status_reason": "",
        "resource_type": type_name,
        "required_by": required_by,
        "stack_identity": stack_identity(stack),
        "stack_name": stack.name,
        "creation_time": None,
        "updated_time": None,
    }


def format_event(stack: models.Stack, row: models.Event, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row.uuid,
        "event_time": isotime(row.created_at),
        "logical_resource_id": row.resource_name,
        "resource_name": row.resource_name,
        "physical_resource_id": row.physical_resource_id or "",
        "resource_action": row.resource_action,
        "resource_status": f"{row.resource_action}_{row.resource_status}",
        "resource_status_reason": row.resource_status_reason or "",
        "resource_type": row.resource_type,
        "stack_identity": stack_identity(stack),
        "stack_name": stack.name,
    }
    if detail:
        data["resource_properties"] = row.resource_properties or {}
    return data


def format_service(row: models.Service, status: str) -> dict[str, Any]:
    def t(value: datetime.datetime | None) -> str | None:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None

    return {
        "id": row.id,
        "binary": row.binary,
        "engine_id": row.engine_id,
        "host": row.host,
        "hostname": row.hostname,
        "topic": row.topic,
        "report_interval": row.report_interval,
        "created_at": t(row.created_at),
        "updated_at": t(row.updated_at),
        "deleted_at": t(row.deleted_at),
        "status": status,
    }
