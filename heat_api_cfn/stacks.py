"""The stack actions: engine calls and the engine's stack records in CloudFormation's shapes.

Element names and their order follow upstream's heat/api/cfn/v1/stacks.py; values left
unset by the engine (``None``) are left out of the answer instead of reading ``None``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from common.rpc.client import Identity
from heat_api_cfn import errors
from heat_api_cfn.templates import template_of

if TYPE_CHECKING:
    from heat_api_cfn.actions import ActionCall

ARN_PREFIX = "arn:openstack:heat::"
ON_FAILURE_DISABLES_ROLLBACK = {"DO_NOTHING": True, "ROLLBACK": False, "DELETE": False}
TRUE_STRINGS = frozenset({"1", "t", "true", "on", "y", "yes"})
FALSE_STRINGS = frozenset({"0", "f", "false", "off", "n", "no"})
TAG_SEPARATOR = "="

_ARN_STACK_PATH = re.compile(r"stacks/([^/]+)/([^/]+)(.*)")


def stack_arn(identity: Mapping[str, str]) -> str:
    """``arn:openstack:heat::<tenant>:stacks/<name>/<id><path>`` for a stack identity."""
    path = identity.get("path") or ""
    if path and not path.startswith("/"):
        path = "/" + path
    return (
        f"{ARN_PREFIX}{quote(identity['tenant'], '')}:stacks/"
        f"{quote(identity['stack_name'], '')}/{quote(str(identity['stack_id']), '')}{quote(path)}"
    )


def identity_from_arn(text: str) -> Identity | None:
    """The stack identity a Heat stack ARN names, or None when ``text`` is not one."""
    fields = text.split(":")
    if len(fields) < 6 or fields[:3] != ["arn", "openstack", "heat"]:
        return None
    match = _ARN_STACK_PATH.fullmatch(":".join(fields[5:]))
    if match is None:
        return None
    return {
        "tenant": unquote(fields[4]),
        "stack_name": unquote(match[1]),
        "stack_id": unquote(match[2]),
        "path": unquote(match[3]),
    }


def _stack_identity(call: ActionCall, name_or_arn: str) -> Identity:
    """The identity of a stack given as ARN (read here), or as name or id (asked of the engine)."""
    identity = identity_from_arn(name_or_arn)
    if identity is None:
        identity = call.engine.identify_stack(call.context, name_or_arn)
    return identity


def joined_status(record: Mapping[str, Any], action_key: str, status_key: str) -> str | None:
    """``CREATE_COMPLETE`` whether the engine sends it whole or as action and status apart."""
    status = record.get(status_key)
    action = record.get(action_key)
    if status is None or not action or str(status).startswith(f"{action}_"):
        return status
    return f"{action}_{status}"


def as_text(value: Any) -> str | None:
    """A parameter or output value as CloudFormation's string: JSON for non-strings."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


def _json_or_none(value: Any) -> str | None:
    return json.dumps(value) if value else None


def _boolean(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE_STRINGS | FALSE_STRINGS:
        return lowered in TRUE_STRINGS
    raise errors.AWSError(errors.INVALID_PARAMETER_VALUE, f"{name} must be true or false")


def _minutes(name: str, value: str) -> int:
    try:
        minutes = int(value)
    except ValueError:
        minutes = -1
    if minutes < 0:
        raise errors.AWSError(errors.INVALID_PARAMETER_VALUE, f"{name} must be a whole number")
    return minutes


def _create_args(call: ActionCall) -> dict[str, Any]:
    """The engine's ``args`` from TimeoutInMinutes, DisableRollback and OnFailure."""
    args: dict[str, Any] = {}
    timeout = call.get("TimeoutInMinutes")
    if timeout is not None:
        args["timeout_mins"] = _minutes("TimeoutInMinutes", timeout)
    disable_rollback = call.get("DisableRollback")
    on_failure = call.get("OnFailure")
    if disable_rollback is not None and on_failure is not None:
        raise errors.AWSError(
            errors.INVALID_PARAMETER_COMBINATION,
            "DisableRollback and OnFailure may not be used together",
        )
    if disable_rollback is not None:
        args["disable_rollback"] = _boolean("DisableRollback", disable_rollback)
    if on_failure is not None:
        if on_failure not in ON_FAILURE_DISABLES_ROLLBACK:
            raise errors.AWSError(
                errors.INVALID_PARAMETER_VALUE, "OnFailure must be DO_NOTHING, ROLLBACK or DELETE"
            )
        args["disable_rollback"] = ON_FAILURE_DISABLES_ROLLBACK[on_failure]
    return args


def tags_of(call: ActionCall) -> list[str] | None:
    """Tags.member.N.Key/Value as Heat's stack tags (``key=value``); None when not given."""
    members = call.members("Tags")
    if not members:
        return None
    tags = []
    for number, member in enumerate(members, 1):
        key = member.get("Key")
        if not key or TAG_SEPARATOR in key or "," in key:
            raise errors.AWSError(
                errors.INVALID_PARAMETER_VALUE,
                f"Tags.member.{number}.Key must be given, without '=' or ','",
            )
        value = member.get("Value", "")
        if "," in value:
            raise errors.AWSError(
                errors.INVALID_PARAMETER_VALUE, f"Tags.member.{number}.Value may not hold ','"
            )
        tags.append(f"{key}{TAG_SEPARATOR}{value}" if value else key)
    return tags


def aws_tags(tags: list[str] | None) -> list[dict[str, str]]:
    """Heat's stack tags as AWS Tag members; a tag without ``=`` has an empty Value."""
    result = []
    for tag in tags or []:
        key, _, value = str(tag).partition(TAG_SEPARATOR)
        result.append({"Key": key, "Value": value})
    return result


def stack_summary(stack: Mapping[str, Any]) -> dict[str, Any]:
    """A ``StackSummary`` (ListStacks) from an engine stack record."""
    return {
        "CreationTime": stack.get("creation_time"),
        "LastUpdatedTime": stack.get("updated_time"),
        "StackId": stack_arn(stack["stack_identity"]),
        "StackName": stack.get("stack_name"),
        "StackStatusReason": stack.get("stack_status_reason"),
        "TemplateDescription": stack.get("template_description"),
        "StackStatus": joined_status(stack, "stack_action", "stack_status"),
        "DeletionTime": stack.get("deletion_time"),
    }


def stack_output(output: Mapping[str, Any]) -> dict[str, Any]:
    """An ``Output``; a value that is not a string reads as JSON."""
    return {
        "Description": output.get("description"),
        "OutputKey": output.get("output_key"),
        "OutputValue": as_text(output.get("output_value")),
    }


def stack_detail(stack: Mapping[str, Any]) -> dict[str, Any]:
    """A ``Stack`` (DescribeStacks) from an engine stack record."""
    parameters = stack.get("parameters") or {}
    return {
        "Capabilities": list(stack.get("capabilities") or []),
        "CreationTime": stack.get("creation_time"),
        "Description": stack.get("description"),
        "DisableRollback": stack.get("disable_rollback"),
        "NotificationARNs": list(stack.get("notification_topics") or []),
        "Parameters": [
            {"ParameterKey": key, "ParameterValue": as_text(value)}
            for key, value in parameters.items()
        ],
        "StackId": stack_arn(stack["stack_identity"]),
        "StackName": stack.get("stack_name"),
        "StackStatusReason": stack.get("stack_status_reason"),
        "TimeoutInMinutes": stack.get("timeout_mins"),
        "LastUpdatedTime": stack.get("updated_time"),
        "StackStatus": joined_status(stack, "stack_action", "stack_status"),
        "Outputs": [stack_output(o) for o in stack.get("outputs") or []],
        "Tags": aws_tags(stack.get("tags")),
    }


def resource_summary(resource: Mapping[str, Any]) -> dict[str, Any]:
    """A ``StackResourceSummary`` (ListStackResources)."""
    return {
        "LastUpdatedTimestamp": resource.get("updated_time"),
        "LogicalResourceId": resource.get("resource_name"),
        "PhysicalResourceId": resource.get("physical_resource_id"),
        "ResourceStatusReason": resource.get("resource_status_reason"),
        "ResourceType": resource.get("resource_type"),
        "ResourceStatus": joined_status(resource, "resource_action", "resource_status"),
    }


def stack_resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    """A ``StackResource`` (DescribeStackResources)."""
    return {
        "Description": resource.get("description"),
        "LogicalResourceId": resource.get("resource_name"),
        "PhysicalResourceId": resource.get("physical_resource_id"),
        "ResourceStatusReason": resource.get("resource_status_reason"),
        "ResourceType": resource.get("resource_type"),
        "StackId": stack_arn(resource["stack_identity"]),
        "StackName": resource.get("stack_name"),
        "Timestamp": resource.get("updated_time"),
        "ResourceStatus": joined_status(resource, "resource_action", "resource_status"),
    }


def resource_detail(resource: Mapping[str, Any]) -> dict[str, Any]:
    """A ``StackResourceDetail`` (DescribeStackResource); Metadata is JSON text."""
    return {
        "Description": resource.get("description"),
        "LastUpdatedTimestamp": resource.get("updated_time"),
        "LogicalResourceId": resource.get("resource_name"),
        "Metadata": _json_or_none(resource.get("metadata")),
        "PhysicalResourceId": resource.get("physical_resource_id"),
        "ResourceStatusReason": resource.get("resource_status_reason"),
        "ResourceType": resource.get("resource_type"),
        "StackId": stack_arn(resource["stack_identity"]),
        "StackName": resource.get("stack_name"),
        "ResourceStatus": joined_status(resource, "resource_action", "resource_status"),
    }


def _event_id(event: Mapping[str, Any]) -> str | None:
    identity = event.get("event_identity")
    if isinstance(identity, Mapping):
        return str(identity.get("path") or "").rstrip("/").rpartition("/")[2] or None
    return event.get("id")


def stack_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A ``StackEvent``; ResourceProperties is JSON text, left out when the engine omits it."""
    return {
        "EventId": _event_id(event),
        "LogicalResourceId": event.get("resource_name"),
        "PhysicalResourceId": event.get("physical_resource_id"),
        "ResourceProperties": _json_or_none(event.get("resource_properties")),
        "ResourceStatusReason": event.get("resource_status_reason"),
        "ResourceType": event.get("resource_type"),
        "StackId": stack_arn(event["stack_identity"]),
        "StackName": event.get("stack_name"),
        "Timestamp": event.get("event_time"),
        "ResourceStatus": joined_status(event, "resource_action", "resource_status"),
    }


def list_stacks(call: ActionCall) -> dict[str, Any]:
    """ListStacks: a summary of every stack the caller can see."""
    stacks = call.engine.list_stacks(call.context)
    return {"StackSummaries": [stack_summary(s) for s in stacks]}


def describe_stacks(call: ActionCall) -> dict[str, Any]:
    """DescribeStacks: one stack (StackName: name, id or ARN) or, without it, all of them."""
    name = call.get("StackName")
    identity = _stack_identity(call, name) if name else None
    stacks = call.engine.show_stack(call.context, identity, resolve_outputs=True)
    return {"Stacks": [stack_detail(s) for s in stacks]}


def create_stack(call: ActionCall) -> dict[str, Any]:
    """CreateStack: parse the template here, let the engine validate and start the create."""
    args = _create_args(call)
    template = template_of(call)
    stack_name = call.require("StackName")
    parameters = {
        member["ParameterKey"]: member["ParameterValue"]
        for member in call.members("Parameters")
        if "ParameterKey" in member and "ParameterValue" in member
    }
    tags = tags_of(call)
    if tags is not None:
        args["tags"] = tags
    # The engine's ``params`` is an environment; the user's values are its parameters.
    environment = {"parameters": parameters}
    identity = call.engine.create_stack(call.context, stack_name, template, environment, {}, args)
    return {"StackId": stack_arn(identity)}


def _parameters(call: ActionCall) -> tuple[dict[str, str], list[str]]:
    """Parameters.member.N: the values given, and the keys that keep their previous value."""
    given, previous = {}, []
    for member in call.members("Parameters"):
        key = member.get("ParameterKey")
        if not key:
            continue
        if _boolean("UsePreviousValue", member.get("UsePreviousValue", "false")):
            previous.append(key)
        elif "ParameterValue" in member:
            given[key] = member["ParameterValue"]
    return given, previous


def update_stack(call: ActionCall) -> dict[str, Any]:
    """UpdateStack: a new template (or UsePreviousTemplate) and parameter values."""
    identity = _stack_identity(call, call.require("StackName"))
    given, previous = _parameters(call)
    args = _create_args(call)
    use_previous = _boolean("UsePreviousTemplate", call.get("UsePreviousTemplate") or "false")
    if use_previous or previous:
        # values not given keep what the stack has: the engine's PATCH semantics
        args["existing"] = True
    template = None if use_previous else template_of(call)
    tags = tags_of(call)
    if tags is None and not args.get("existing"):
        # as AWS: an update without Tags keeps the stack's tags
        (stack,) = call.engine.show_stack(call.context, identity, resolve_outputs=False)
        tags = list(stack.get("tags") or [])
    if tags is not None:
        args["tags"] = tags
    call.engine.update_stack(call.context, identity, template, {"parameters": given}, {}, args)
    return {"StackId": stack_arn(identity)}


def cancel_update_stack(call: ActionCall) -> None:
    """CancelUpdateStack: stop the update and roll back."""
    identity = _stack_identity(call, call.require("StackName"))
    call.engine.stack_cancel_update(call.context, identity, cancel_with_rollback=True)


def delete_stack(call: ActionCall) -> None:
    """DeleteStack: start deleting the stack; the answer carries nothing."""
    identity = _stack_identity(call, call.require("StackName"))
    call.engine.delete_stack(call.context, identity)


def get_template(call: ActionCall) -> dict[str, Any]:
    """GetTemplate: the stack's template as JSON text."""
    identity = _stack_identity(call, call.require("StackName"))
    template = call.engine.get_template(call.context, identity)
    return {"TemplateBody": _json_or_none(template)}


def describe_stack_events(call: ActionCall) -> dict[str, Any]:
    """DescribeStackEvents: the events of one stack (the engine lists no more than one)."""
    identity = _stack_identity(call, call.require("StackName"))
    events = call.engine.list_events(call.context, identity)
    return {"StackEvents": [stack_event(e) for e in events]}


def describe_stack_resource(call: ActionCall) -> dict[str, Any]:
    """DescribeStackResource: one resource of a stack, with its metadata."""
    identity = _stack_identity(call, call.require("StackName"))
    resource = call.engine.describe_stack_resource(
        call.context, identity, call.require("LogicalResourceId")
    )
    return {"StackResourceDetail": resource_detail(resource)}


def describe_stack_resources(call: ActionCall) -> dict[str, Any]:
    """DescribeStackResources: a stack's resources, optionally only LogicalResourceId."""
    if call.get("PhysicalResourceId"):
        if call.get("StackName"):
            raise errors.AWSError(
                errors.INVALID_PARAMETER_COMBINATION,
                "Use `StackName` or `PhysicalResourceId` but not both",
            )
        raise errors.AWSError(
            errors.INVALID_PARAMETER_VALUE, "PhysicalResourceId is not supported; use StackName"
        )
    identity = _stack_identity(call, call.require("StackName"))
    resources = call.engine.describe_stack_resources(
        call.context, identity, call.get("LogicalResourceId")
    )
    return {"StackResources": [stack_resource(r) for r in resources]}


def list_stack_resources(call: ActionCall) -> dict[str, Any]:
    """ListStackResources: a summary of each resource of a stack."""
    identity = _stack_identity(call, call.require("StackName"))
    resources = call.engine.list_stack_resources(call.context, identity)
    return {"StackResourceSummaries": [resource_summary(r) for r in resources]}
