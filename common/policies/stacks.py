"""Rules for stacks and the template helpers: ``stacks:<operation>``."""

from __future__ import annotations

from common.policies.base import (
    ALLOW_EVERYBODY,
    CONTEXT_IS_ADMIN,
    PROJECT_MEMBER,
    PROJECT_READER,
    PROJECT_READER_OR_STACK_USER,
    api_rule,
)

T = "/v1/{tenant_id}"
STACK = T + "/stacks/{stack_name}/{stack_id}"
SNAPSHOT = STACK + "/snapshots/{snapshot_id}"

RULES = [
    api_rule(
        "stacks:abandon", PROJECT_MEMBER, "Abandon a stack.", [("DELETE", STACK + "/abandon")]
    ),
    api_rule("stacks:create", PROJECT_MEMBER, "Create a stack.", [("POST", T + "/stacks")]),
    api_rule("stacks:delete", PROJECT_MEMBER, "Delete a stack.", [("DELETE", STACK)]),
    api_rule("stacks:detail", PROJECT_READER, "List stacks in detail.", [("GET", T + "/stacks")]),
    api_rule("stacks:export", PROJECT_MEMBER, "Export a stack.", [("GET", STACK + "/export")]),
    api_rule(
        "stacks:generate_template",
        PROJECT_MEMBER,
        "Generate a template from a resource type.",
        [("GET", T + "/resource_types/{type_name}/template")],
    ),
    # Upstream denies everybody by default; the issue asks for administrators.
    api_rule(
        "stacks:global_index",
        CONTEXT_IS_ADMIN,
        "List the stacks of every project (global_tenant=true).",
        [("GET", T + "/stacks")],
        deprecated=None,
    ),
    api_rule("stacks:index", PROJECT_READER, "List stacks.", [("GET", T + "/stacks")]),
    api_rule(
        "stacks:list_resource_types",
        PROJECT_READER,
        "List resource types.",
        [("GET", T + "/resource_types")],
    ),
    api_rule(
        "stacks:list_template_versions",
        PROJECT_READER,
        "List template versions.",
        [("GET", T + "/template_versions")],
    ),
    api_rule(
        "stacks:list_template_functions",
        PROJECT_READER,
        "List the functions of a template version.",
        [("GET", T + "/template_versions/{template_version}/functions")],
    ),
    api_rule(
        "stacks:lookup",
        PROJECT_READER_OR_STACK_USER,
        "Find a stack by name or id and redirect to it.",
        [("GET", T + "/stacks/{stack_identity}")],
        deprecated=ALLOW_EVERYBODY,
    ),
    api_rule(
        "stacks:preview", PROJECT_READER, "Preview a stack.", [("POST", T + "/stacks/preview")]
    ),
    api_rule(
        "stacks:resource_schema",
        PROJECT_READER,
        "Show the schema of a resource type.",
        [("GET", T + "/resource_types/{type_name}")],
    ),
    api_rule("stacks:show", PROJECT_READER, "Show a stack.", [("GET", STACK)]),
    api_rule(
        "stacks:template",
        PROJECT_READER,
        "Show a stack's template.",
        [("GET", STACK + "/template")],
    ),
    api_rule(
        "stacks:environment",
        PROJECT_READER,
        "Show a stack's environment.",
        [("GET", STACK + "/environment")],
    ),
    api_rule("stacks:files", PROJECT_READER, "Show a stack's files.", [("GET", STACK + "/files")]),
    api_rule("stacks:update", PROJECT_MEMBER, "Update a stack (PUT).", [("PUT", STACK)]),
    api_rule("stacks:update_patch", PROJECT_MEMBER, "Update a stack (PATCH).", [("PATCH", STACK)]),
    api_rule(
        "stacks:update_no_change",
        "rule:stacks:update_patch",
        "Update a stack with PATCH changing nothing but existing=true.",
        [("PATCH", STACK)],
        deprecated=None,
    ),
    api_rule(
        "stacks:preview_update",
        PROJECT_MEMBER,
        "Preview an update (PUT).",
        [("PUT", STACK + "/preview")],
    ),
    api_rule(
        "stacks:preview_update_patch",
        PROJECT_MEMBER,
        "Preview an update (PATCH).",
        [("PATCH", STACK + "/preview")],
    ),
    api_rule(
        "stacks:validate_template",
        PROJECT_MEMBER,
        "Validate a template.",
        [("POST", T + "/validate")],
    ),
    api_rule(
        "stacks:snapshot", PROJECT_MEMBER, "Snapshot a stack.", [("POST", STACK + "/snapshots")]
    ),
    api_rule("stacks:show_snapshot", PROJECT_READER, "Show a snapshot.", [("GET", SNAPSHOT)]),
    api_rule(
        "stacks:delete_snapshot", PROJECT_MEMBER, "Delete a snapshot.", [("DELETE", SNAPSHOT)]
    ),
    api_rule(
        "stacks:list_snapshots", PROJECT_READER, "List snapshots.", [("GET", STACK + "/snapshots")]
    ),
    api_rule(
        "stacks:restore_snapshot",
        PROJECT_MEMBER,
        "Restore a snapshot.",
        [("POST", SNAPSHOT + "/restore")],
    ),
    api_rule("stacks:list_outputs", PROJECT_READER, "List outputs.", [("GET", STACK + "/outputs")]),
    api_rule(
        "stacks:show_output",
        PROJECT_READER,
        "Show an output.",
        [("GET", STACK + "/outputs/{output_key}")],
    ),
]
