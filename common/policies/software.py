"""Rules for software configs and deployments."""

from __future__ import annotations

from common.policies.base import (
    DENY_EVERYBODY,
    PROJECT_MEMBER,
    PROJECT_READER,
    PROJECT_READER_OR_STACK_USER,
    api_rule,
)

CONFIGS = "/v1/{tenant_id}/software_configs"
CONFIG = CONFIGS + "/{config_id}"
DEPLOYMENTS = "/v1/{tenant_id}/software_deployments"
DEPLOYMENT = DEPLOYMENTS + "/{deployment_id}"

RULES = [
    api_rule(
        "software_configs:global_index",
        DENY_EVERYBODY,
        "List the software configs of every project.",
        [("GET", CONFIGS)],
        deprecated=None,
    ),
    api_rule(
        "software_configs:index", PROJECT_READER, "List software configs.", [("GET", CONFIGS)]
    ),
    api_rule(
        "software_configs:create", PROJECT_MEMBER, "Create a software config.", [("POST", CONFIGS)]
    ),
    api_rule("software_configs:show", PROJECT_READER, "Show a software config.", [("GET", CONFIG)]),
    api_rule(
        "software_configs:delete", PROJECT_MEMBER, "Delete a software config.", [("DELETE", CONFIG)]
    ),
    api_rule(
        "software_deployments:index",
        PROJECT_READER,
        "List software deployments.",
        [("GET", DEPLOYMENTS)],
    ),
    api_rule(
        "software_deployments:create",
        PROJECT_MEMBER,
        "Create a software deployment.",
        [("POST", DEPLOYMENTS)],
    ),
    api_rule(
        "software_deployments:show",
        PROJECT_READER,
        "Show a software deployment.",
        [("GET", DEPLOYMENT)],
    ),
    api_rule(
        "software_deployments:update",
        PROJECT_MEMBER,
        "Update a software deployment.",
        [("PUT", DEPLOYMENT)],
    ),
    api_rule(
        "software_deployments:delete",
        PROJECT_MEMBER,
        "Delete a software deployment.",
        [("DELETE", DEPLOYMENT)],
    ),
    api_rule(
        "software_deployments:metadata",
        PROJECT_READER_OR_STACK_USER,
        "Show the deployment metadata of a server.",
        [("GET", DEPLOYMENTS + "/metadata/{server_id}")],
        deprecated=None,
    ),
]
