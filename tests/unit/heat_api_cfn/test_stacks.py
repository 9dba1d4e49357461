"""ARNs, template parsing and status names of the CFN stack actions."""

from __future__ import annotations

import pytest

from heat_api_cfn import errors, stacks, templates

IDENTITY = {"tenant": "t1", "stack_name": "web", "stack_id": "42", "path": ""}


@pytest.mark.parametrize(
    ("identity", "arn"),
    [
        (IDENTITY, "arn:openstack:heat::t1:stacks/web/42"),
        ({**IDENTITY, "path": "/resources/r"}, "arn:openstack:heat::t1:stacks/web/42/resources/r"),
        (
            {**IDENTITY, "tenant": "a b", "stack_name": "x:y"},
            "arn:openstack:heat::a%20b:stacks/x%3Ay/42",
        ),
    ],
)
def test_stack_arn_round_trips_through_identity_from_arn(identity, arn):
    assert stacks.stack_arn(identity) == arn
    assert stacks.identity_from_arn(arn) == identity


@pytest.mark.parametrize(
    "text",
    ["web", "42", "arn:aws:cloudformation:us-east-1:1:stack/web/42", "arn:openstack:heat::t1:web"],
)
def test_identity_from_arn_leaves_names_and_foreign_arns_to_the_engine(text):
    assert stacks.identity_from_arn(text) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("heat_template_version: 2018-08-31\n", {"heat_template_version": "2018-08-31"}),
        ('{"AWSTemplateFormatVersion": "2010-09-09"}', {"AWSTemplateFormatVersion": "2010-09-09"}),
        ("HeatTemplateFormatVersion: '2012-12-12'\n", {"HeatTemplateFormatVersion": "2012-12-12"}),
    ],
)
def test_parse_template_reads_json_and_yaml_keeping_versions_as_text(body, expected):
    assert templates.parse_template(body, 1000) == expected


@pytest.mark.parametrize("body", ["foo: [", "[1, 2]", "- a\n- b\n", "", "resources: {}\n", "42"])
def test_parse_template_refuses_non_templates(body):
    with pytest.raises(errors.AWSError) as caught:
        templates.parse_template(body, 1000)

    assert caught.value.error is errors.INVALID_PARAMETER_VALUE
    assert caught.value.detail == templates.NOT_A_TEMPLATE


@pytest.mark.parametrize(
    ("record", "status"),
    [
        ({"stack_status": "CREATE_COMPLETE"}, "CREATE_COMPLETE"),
        ({"stack_action": "CREATE", "stack_status": "IN_PROGRESS"}, "CREATE_IN_PROGRESS"),
        ({"stack_action": "DELETE", "stack_status": "DELETE_FAILED"}, "DELETE_FAILED"),
        ({}, None),
    ],
)
def test_joined_status_accepts_whole_or_split_status(record, status):
    assert stacks.joined_status(record, "stack_action", "stack_status") == status
