"""Template validation, versions and functions through the native API, as upstream answers."""

from __future__ import annotations

import json
from typing import Any

import falcon.testing
import pytest

HOT = "heat_template_version: 2018-08-31\n"
HIDDEN = "******"

UPSTREAM_VERSIONS = [
    {"version": "AWSTemplateFormatVersion.2010-09-09", "type": "cfn", "aliases": []},
    {"version": "HeatTemplateFormatVersion.2012-12-12", "type": "cfn", "aliases": []},
    *(
        {"version": f"heat_template_version.{date}", "type": "hot", "aliases": aliases}
        for date, aliases in [
            ("2013-05-23", []),
            ("2014-10-16", []),
            ("2015-04-30", []),
            ("2015-10-15", []),
            ("2016-04-08", []),
            ("2016-10-14", ["heat_template_version.newton"]),
            ("2017-02-24", ["heat_template_version.ocata"]),
            ("2017-09-01", ["heat_template_version.pike"]),
            ("2018-03-02", ["heat_template_version.queens"]),
            ("2018-08-31", ["heat_template_version.rocky"]),
            ("2021-04-16", ["heat_template_version.wallaby"]),
        ]
    ),
]

HOT_2016_10 = (
    "digest get_attr get_file get_param get_resource if list_join map_merge map_replace "
    "repeat resource_facade str_replace str_split yaql"
)
HOT_2017_09 = (
    "contains digest filter get_attr get_file get_param get_resource if list_concat "
    "list_concat_unique list_join make_url map_merge map_replace repeat resource_facade "
    "str_replace str_replace_strict str_replace_vstrict str_split yaql"
)
CFN_AWS = (
    "Fn::Base64 Fn::FindInMap Fn::GetAZs Fn::GetAtt Fn::If Fn::Join Fn::MemberListToMap "
    "Fn::Replace Fn::ResourceFacade Fn::Select Fn::Split Ref"
)


def versions_url(tenant: str, version: str, **query: str) -> str:
    return f"/v1/{tenant}/template_versions/{version}/functions"


def functions(api: falcon.testing.TestClient, tenant: str, version: str, **query: str) -> Any:
    result = api.simulate_get(versions_url(tenant, version), params=query)
    assert result.status_code == 200, result.text
    return {f["functions"]: f["description"] for f in result.json["template_functions"]}


def validate(
    api: falcon.testing.TestClient, tenant: str, body: dict[str, Any], **query: str
) -> falcon.testing.Result:
    return api.simulate_post(f"/v1/{tenant}/validate", json=body, params=query)


def assert_error(result: falcon.testing.Result, status: int, type_name: str, message: str) -> None:
    assert result.status_code == status, result.text
    error = result.json["error"]
    assert (error["type"], error["message"]) == (type_name, message)


# Versions and functions -------------------------------------------------------------


def test_template_versions_are_upstreams_in_upstreams_order(api, tenant):
    result = api.simulate_get(f"/v1/{tenant}/template_versions")
    assert result.status_code == 200
    assert result.json == {"template_versions": UPSTREAM_VERSIONS}


@pytest.mark.parametrize(
    ("version", "query", "expected"),
    [
        (
            "heat_template_version.2013-05-23",
            {},
            "Fn::Base64 Fn::GetAZs Fn::Join Fn::MemberListToMap Fn::Replace Fn::ResourceFacade "
            "Fn::Select Fn::Split Ref get_attr get_file get_param get_resource list_join "
            "resource_facade str_replace",
        ),
        (
            "heat_template_version.2014-10-16",
            {},
            "Fn::Select get_attr get_file get_param get_resource list_join resource_facade "
            "str_replace",
        ),
        ("heat_template_version.2016-10-14", {}, HOT_2016_10),
        (
            "heat_template_version.2016-10-14",
            {"with_condition_func": "true"},
            HOT_2016_10 + " and equals not or",
        ),
        ("heat_template_version.newton", {"with_condition_func": "FALSE"}, HOT_2016_10),
        (
            "heat_template_version.wallaby",
            {"with_condition_func": "True"},
            HOT_2017_09 + " and equals not or",
        ),
        ("AWSTemplateFormatVersion.2010-09-09", {}, CFN_AWS),
        (
            "AWSTemplateFormatVersion.2010-09-09",
            {"with_condition_func": "true"},
            CFN_AWS + " Fn::And Fn::Equals Fn::Not Fn::Or",
        ),
        (
            "HeatTemplateFormatVersion.2012-12-12",
            {"with_condition_func": "true"},
            CFN_AWS.replace(" Fn::If", ""),
        ),
    ],
)
def test_functions_of_each_version_leave_out_removed_names(api, tenant, version, query, expected):
    assert set(functions(api, tenant, version, **query)) == set(expected.split())


@pytest.mark.parametrize(
    ("version", "query", "name", "description"),
    [
        # the gabbit upstream's API tests check
        (
            "heat_template_version.2016-04-08",
            {},
            "get_file",
            "A function for including a file inline.",
        ),
        ("heat_template_version.2014-10-16", {}, "list_join", "A function for joining strings."),
        (
            "heat_template_version.2015-10-15",
            {},
            "list_join",
            "A function for joining one or more lists of strings.",
        ),
        (
            "heat_template_version.2016-04-08",
            {},
            "repeat",
            "A function for iterating over a list of items.",
        ),
        (
            "heat_template_version.2017-02-24",
            {},
            "repeat",
            "A function for iterating over a list of items or a dict of keys.",
        ),
        (
            "AWSTemplateFormatVersion.2010-09-09",
            {},
            "Ref",
            "A function for resolving parameters or resource references.",
        ),
        (
            "AWSTemplateFormatVersion.2010-09-09",
            {"with_condition_func": "true"},
            "Ref",
            "A function for resolving parameter references.",
        ),
    ],
)
def test_function_descriptions_are_upstreams_for_that_version(
    api, tenant, version, query, name, description
):
    assert functions(api, tenant, version, **query)[name] == description


def test_functions_list_names_and_descriptions_only(api, tenant):
    result = api.simulate_get(versions_url(tenant, "heat_template_version.2018-08-31"))
    assert all(set(f) == {"functions", "description"} for f in result.json["template_functions"])


@pytest.mark.parametrize("version", ["heat_template_version.2099-01-01", "bogus"])
def test_functions_of_an_unknown_version_are_not_found(api, tenant, version):
    result = api.simulate_get(versions_url(tenant, version))
    assert_error(result, 404, "NotFound", f"Template with version {version} not found")


@pytest.mark.parametrize("value", ["1", "yes", "bogus"])
def test_with_condition_func_accepts_only_true_or_false(api, tenant, value):
    result = api.simulate_get(
        versions_url(tenant, "heat_template_version.2016-10-14"),
        params={"with_condition_func": value},
    )
    assert_error(
        result,
        400,
        "HTTPBadRequest",
        f'Unrecognized value "{value}" for "with_condition_func", acceptable values are: '
        "true, false.",
    )


# Validate -----------------------------------------------------------------------------

UPSTREAM_GABBIT = {  # upstream's API test (heat-tempest-plugin templates.yaml)
    "heat_template_version": "2016-04-08",
    "parameters": {"test_val": {"type": "string"}},
    "resources": {
        "test": {
            "type": "OS::Heat::TestResource",
            "properties": {"value": {"get_param": "test_val"}},
        }
    },
    "outputs": {"output_value": {"value": {"get_attr": ["test", "output"]}}},
}
EMPTY_ENVIRONMENT = {
    "resource_registry": {"resources": {}},
    "parameters": {},
    "parameter_defaults": {},
    "event_sinks": [],
}

FORM = (
    HOT
    + """description: probe
parameter_groups:
- label: g1
  description: group one
  parameters: [p_str, p_num]
parameters:
  p_str:
    type: string
    label: Str
    description: a string
    default: abc
    constraints:
      - length: {min: 1, max: 10}
        description: len desc
      - allowed_pattern: "[a-z]+"
      - allowed_values: [abc, def]
        description: allowed desc
  p_num:
    type: number
    default: 5
    constraints:
      - range: {min: 1, max: 10}
      - modulo: {step: 2, offset: 1}
  p_list: {type: comma_delimited_list, default: "a,b"}
  p_json: {type: json, default: {a: 1}}
  p_bool: {type: boolean, default: true, tags: [t1]}
  p_nodef: {type: string}
resources:
  r:
    type: OS::Heat::RandomString
    properties:
      length: {get_param: p_num}
outputs:
  o: {value: {get_attr: [r, value]}}
"""
)


def test_validate_answers_upstreams_gabbit_without_parameter_values(api, tenant):
    result = validate(api, tenant, {"template": UPSTREAM_GABBIT})
    assert result.status_code == 200, result.text
    assert result.json == {
        "Description": "No description",
        "Parameters": {
            "test_val": {
                "Type": "String",
                "Description": "",
                "NoEcho": "false",
                "Label": "test_val",
            }
        },
        "Environment": EMPTY_ENVIRONMENT,
    }


def test_validate_describes_each_parameter_as_upstream(api, tenant):
    body = {
        "template": FORM,
        "parameters": {"p_str": "def"},
        "environment": {"parameter_defaults": {"p_nodef": "dflt"}},
    }
    result = validate(api, tenant, body)
    assert result.status_code == 200, result.text
    assert result.json["Description"] == "probe"
    assert result.json["Parameters"] == {
        "p_str": {
            "Type": "String",
            "Description": "a string",
            "NoEcho": "false",
            "Label": "Str",
            "Default": "abc",
            "Value": "def",
            "MinLength": 1,
            "MaxLength": 10,
            "AllowedPattern": "[a-z]+",
            "AllowedValues": ["abc", "def"],
            "ConstraintDescription": "len desc allowed desc",
        },
        "p_num": {
            "Type": "Number",
            "Description": "",
            "NoEcho": "false",
            "Label": "p_num",
            "Default": 5,
            "MinValue": 1,
            "MaxValue": 10,
            "Step": 2,
            "Offset": 1,
        },
        "p_list": {
            "Type": "CommaDelimitedList",
            "Description": "",
            "NoEcho": "false",
            "Label": "p_list",
            "Default": "a,b",
        },
        "p_json": {
            "Type": "Json",
            "Description": "",
            "NoEcho": "false",
            "Label": "p_json",
            "Default": {"a": 1},
        },
        "p_bool": {
            "Type": "Boolean",
            "Description": "",
            "NoEcho": "false",
            "Label": "p_bool",
            "Default": True,
            "Tags": ["t1"],
        },
        "p_nodef": {
            "Type": "String",
            "Description": "",
            "NoEcho": "false",
            "Label": "p_nodef",
            "Default": "dflt",
        },
    }
    assert result.json["ParameterGroups"] == [
        {"label": "g1", "description": "group one", "parameters": ["p_str", "p_num"]}
    ]
    assert result.json["Environment"] == {
        **EMPTY_ENVIRONMENT,
        "parameters": {"p_str": "def"},
        "parameter_defaults": {"p_nodef": "dflt"},
    }


def test_validate_never_returns_hidden_values_in_clear_text(api, tenant):
    template = HOT + (
        "parameters:\n"
        "  password: {type: string, hidden: true, default: template-secret}\n"
        "  token: {type: string, hidden: true}\n"
        "resources: {}\n"
    )
    body = {
        "template": template,
        "parameters": {"password": "user-secret"},
        "environment": {"parameter_defaults": {"token": "default-secret", "other": "x"}},
    }
    result = validate(api, tenant, body)
    assert result.status_code == 200, result.text
    assert "secret" not in result.text
    form = result.json["Parameters"]
    assert (form["password"]["NoEcho"], form["password"]["Default"]) == ("true", HIDDEN)
    assert form["password"]["Value"] == HIDDEN
    assert form["token"]["Default"] == HIDDEN
    assert result.json["Environment"]["parameters"] == {"password": HIDDEN}
    assert result.json["Environment"]["parameter_defaults"] == {"token": HIDDEN, "other": "x"}


def test_validate_describes_a_cfn_template(api, tenant):
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "cfn d",
        "Parameters": {
            "N": {"Type": "Number", "MinValue": "1", "MaxValue": 5},
            "L": {"Type": "CommaDelimitedList"},
        },
        "Resources": {},
    }
    result = validate(api, tenant, {"template": json.dumps(template)})
    assert result.status_code == 200, result.text
    assert result.json["Description"] == "cfn d"
    assert result.json["Parameters"] == {
        "N": {
            "Type": "Number",
            "Description": "",
            "NoEcho": "false",
            "Label": "N",
            "MinValue": 1,
            "MaxValue": 5,
        },
        "L": {"Type": "CommaDelimitedList", "Description": "", "NoEcho": "false", "Label": "L"},
    }
    assert "ParameterGroups" not in result.json


@pytest.mark.parametrize(
    ("case", "template", "params"),
    [
        ("parameter without a value", "parameters: {a: {type: number}}\nresources: {}\n", {}),
        (
            "parameter value of the wrong type",
            "parameters: {a: {type: number}}\nresources: {}\n",
            {"a": "x"},
        ),
        (
            "property from a parameter without a value",
            "parameters: {a: {type: number}}\nresources:\n  r:\n    type: OS::Heat::RandomString\n"
            "    properties: {length: {get_param: a}}\n",
            {},
        ),
        ("show_nested with nothing nested", "resources: {r: {type: OS::Heat::None}}\n", {}),
    ],
)
def test_validate_does_not_need_parameter_values(api, tenant, case, template, params):
    result = validate(
        api,
        tenant,
        {"template": HOT + template, "parameters": params},
        show_nested="true",
        ignore_errors="99001",
    )
    assert result.status_code == 200, f"{case}: {result.text}"
    assert "NestedParameters" not in result.json


@pytest.mark.parametrize(
    ("body", "query", "status", "type_name", "message"),
    [
        ({}, {}, 400, "HTTPBadRequest", "No template specified"),
        (
            {"template": "heat_template_version: 2099-01-01\nresources: {}\n"},
            {},
            400,
            "InvalidTemplateVersion",
            'The template version is invalid: "heat_template_version: 2099-01-01". '
            '"heat_template_version" should be one of: 2013-05-23, 2014-10-16, 2015-04-30, '
            "2015-10-15, 2016-04-08, 2016-10-14, 2017-02-24, 2017-09-01, 2018-03-02, "
            "2018-08-31, 2021-04-16, newton, ocata, pike, queens, rocky, wallaby",
        ),
        (
            {"template": HOT + "foo: {}\n"},
            {},
            400,
            "HTTPBadRequest",
            "The template section is invalid: foo",
        ),
        (
            {"template": HOT + "resources: {r: {type: OS::Nope}}\n"},
            {},
            400,
            "HTTPBadRequest",
            "The Resource Type (OS::Nope) could not be found.",
        ),
        (
            {
                "template": HOT + "resources: {r: {type: OS::Heat::RandomString, "
                "properties: {foo: 1}}}\n"
            },
            {},
            400,
            "HTTPBadRequest",
            "Property error: resources.r.properties: Unknown Property foo",
        ),
        (
            {"template": HOT + "resources: {}\n", "parameters": {"zz": 1}},
            {},
            400,
            "UnknownUserParameter",
            "The Parameter (zz) was not defined in template.",
        ),
        (
            {
                "template": HOT + "parameters: {a: {type: string}}\nresources: {a: {type: "
                "OS::Heat::None}}\n"
            },
            {},
            400,
            "HTTPBadRequest",
            "Duplicate names {'a'}",
        ),
        (
            {
                "template": HOT + "parameter_groups: [{label: x, parameters: [zz]}]\n"
                "parameters: {a: {type: string}}\nresources: {}\n"
            },
            {},
            400,
            "HTTPBadRequest",
            "Parameter Groups error: parameter_groups.x: The grouped parameter zz does not "
            "reference a valid parameter.",
        ),
        (
            {"template": HOT + "resources: {}\n"},
            {"show_nested": "yes"},
            400,
            "HTTPBadRequest",
            'Unrecognized value "yes" for "show_nested", acceptable values are: true, false.',
        ),
        (
            {"template": HOT + "resources: {}\n", "environment": {"foo": {}}},
            {},
            400,
            "HTTPBadRequest",
            'Environment not in valid format: environment has wrong section "foo"',
        ),
        # upstream answers 200 with a stringified error object here
        (
            {"template": HOT + "resources: {}\n"},
            {"ignore_errors": "123"},
            400,
            "HTTPBadRequest",
            "Invalid codes in ignore_errors : ['123']",
        ),
    ],
)
def test_validate_reports_errors_as_upstream(api, tenant, body, query, status, type_name, message):
    assert_error(validate(api, tenant, body, **query), status, type_name, message)


@pytest.mark.parametrize(
    ("template", "type_name"),
    [
        ("parameters: {a: {type: strung}}\nresources: {}\n", "InvalidSchemaError"),
        (
            "resources: {r: {type: OS::Heat::Value, properties: {value: {get_resource: nope}}}}\n",
            "InvalidTemplateReference",
        ),
        (
            "resources:\n  a: {type: OS::Heat::Value, properties: {value: {get_resource: b}}}\n"
            "  b: {type: OS::Heat::Value, properties: {value: {get_resource: a}}}\n",
            "CircularDependencyException",
        ),
    ],
)
def test_validate_raises_the_engines_own_errors_as_upstream(api, tenant, template, type_name):
    result = validate(api, tenant, {"template": HOT + template})
    assert (result.status_code, result.json["error"]["type"]) == (400, type_name), result.text


def test_validate_checks_literal_property_values_that_upstream_lets_through(api, tenant):
    template = HOT + "resources: {r: {type: OS::Heat::RandomString, properties: {length: abc}}}\n"
    result = validate(api, tenant, {"template": template})
    assert result.status_code == 400
    assert result.json["error"]["message"].startswith(
        "Property error: resources.r.properties.length"
    )
