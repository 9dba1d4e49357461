"""CloudFormation templates, in JSON and in YAML: functions, Mappings, Conditions, pseudo
parameters, and HOT 2013-05-23's CFN spellings.

Expected values and messages were read from upstream Heat 27 given the same templates.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from common import exception
from common.template_format import load_yaml_or_json
from heat_engine.template import functions as fn
from heat_engine.template.template import Template

TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {
        "Env": {"Type": "String", "Default": "dev"},
        "L": {"Type": "CommaDelimitedList", "Default": "x,y"},
    },
    "Mappings": {"M": {"dev": {"size": "small"}, "prod": {"size": "large"}}},
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "IsDev": {"Fn::Not": ["IsProd"]},
        "Both": {"Fn::And": [{"Fn::Equals": [1, 1]}, "IsProd"]},
        "Any": {
            "Fn::Or": ["IsProd", {"Fn::Equals": [{"Fn::FindInMap": ["M", "dev", "size"]}, "small"]}]
        },
    },
    "Resources": {
        "V": {"Type": "OS::Heat::Value", "Properties": {"value": "v"}},
        "P": {"Type": "OS::Heat::Value", "Condition": "IsProd", "Properties": {"value": "p"}},
    },
    "Outputs": {
        "size": {"Value": {"Fn::FindInMap": ["M", {"Ref": "Env"}, "size"]}},
        "name": {"Value": {"Ref": "AWS::StackName"}},
        "id": {"Value": {"Ref": "AWS::StackId"}},
        "region": {"Value": {"Ref": "AWS::Region"}},
        "if": {"Value": {"Fn::If": ["IsProd", "a", "b"]}},
        "any": {"Value": {"Fn::If": ["Any", "a", "b"]}},
        "both": {"Value": {"Fn::If": ["Both", "a", "b"]}},
        "dev": {"Value": {"Fn::If": ["IsDev", "a", "b"]}},
        "join": {"Value": {"Fn::Join": ["-", {"Ref": "L"}]}},
        "sel": {"Value": {"Fn::Select": ["1", {"Ref": "L"}]}},
        "ml2m": {
            "Value": {
                "Fn::MemberListToMap": [
                    "Name",
                    "Value",
                    [
                        ".member.0.Name=k",
                        ".member.0.Value=v",
                        ".member.1.Name=k2",
                        ".member.1.Value=v2=x",
                    ],
                ]
            }
        },
        "getatt": {"Value": {"Fn::GetAtt": ["V", "value"]}},
        "ref": {"Value": {"Fn::Join": ["", ["x-", {"Ref": "V"}]]}},
        "p_att": {"Value": {"Fn::GetAtt": ["P", "value"]}, "Condition": "IsProd"},
        "split": {"Value": {"Fn::Split": [",", "a,b"]}},
        "replace": {"Value": {"Fn::Replace": [{"%a%": "X"}, "v=%a%"]}},
        "b64": {"Value": {"Fn::Base64": "abc"}},
        "azs": {"Value": {"Fn::GetAZs": ""}},
    },
}
EXPECTED = {
    "size": "small",
    "name": "web",
    "id": "arn:openstack:heat::tenant:stacks/web/stack-id",
    "region": "ap-southeast-1",
    "if": "b",
    "any": "a",
    "both": "b",
    "dev": "a",
    "join": "x-y",
    "sel": "y",
    "ml2m": {"k": "v", "k2": "v2=x"},
    "getatt": "v",
    "ref": "x-V-id",
    "p_att": None,
    "split": ["a", "b"],
    "replace": "v=X",
    "b64": "abc",
    "azs": ["nova"],
}


class Stack:
    """The engine's side of the resolver: each active resource's ``value`` property is its
    ``value`` attribute, as OS::Heat::Value has it."""

    def __init__(self, template: Template) -> None:
        self.parameters = template.parameters({}, "web", "stack-id", "tenant")
        self.conditions = template.conditions(self.parameters)
        self.active = template.active_resources(self.parameters)

    def param(self, name: str) -> Any:
        return self.parameters.get(name)

    def has_resource(self, name: str) -> bool:
        return name in self.active

    def resource_ref(self, name: str) -> Any:
        if name not in self.active:
            raise exception.InvalidTemplateReference(resource=name, key="unknown")
        return f"{name}-id"

    def resource_attr(self, name: str, attr: str, path: list[Any]) -> Any:
        return fn.resolve(self.active[name].properties, self)[attr]

    def resource_attributes(self, name: str) -> dict[str, Any] | None:
        return None

    def condition(self, name: str) -> bool:
        return self.conditions.is_enabled(name)

    def resource_facade(self, kind: str) -> Any:
        return None


def outputs_of(template: Template) -> dict[str, Any]:
    stack = Stack(template)
    template.validate(stack.parameters)
    return {
        k: fn.resolve(o.value, stack) for k, o in template.active_outputs(stack.parameters).items()
    }


@pytest.mark.parametrize("text", [json.dumps(TEMPLATE, indent=1), yaml.safe_dump(TEMPLATE)])
def test_cfn_template_in_json_or_yaml_gives_upstreams_outputs(text):
    template = Template(load_yaml_or_json(text))
    assert not template.is_hot
    assert outputs_of(template) == EXPECTED
    assert set(Stack(template).active) == {"V"}


def test_heat_cfn_version_has_no_conditions_but_the_same_functions():
    data = {
        "HeatTemplateFormatVersion": "2012-12-12",
        "Parameters": {"L": {"Type": "CommaDelimitedList", "Default": "x,y"}},
        "Mappings": {"M": {"a": {"b": "c"}}},
        "Resources": {"V": {"Type": "OS::Heat::Value", "Properties": {"value": "v"}}},
        "Outputs": {
            "find": {"Value": {"Fn::FindInMap": ["M", "a", "b"]}},
            "join": {"Value": {"Fn::Join": [",", {"Ref": "L"}]}},
            "if": {"Value": {"Fn::If": ["c", 1, 2]}},
        },
    }
    assert outputs_of(Template(data)) == {"find": "c", "join": "x,y", "if": {"Fn::If": ["c", 1, 2]}}


SELECT = [
    ([0, ["a", "b"]], "a"),
    (["k", {"k": "v"}], "v"),
    (["k2", {"k": "v"}], ""),
    (["1", ["a", "b"]], "b"),
    ([7, ["a", "b"]], ""),
    ([1, '["a", "b"]'], "b"),
    ([1, ""], ""),
    ([1, None], ""),
]


@pytest.mark.parametrize(("args", "expected"), SELECT)
def test_select_gives_upstreams_value(args, expected):
    data = {
        "HeatTemplateFormatVersion": "2012-12-12",
        "Outputs": {"o": {"Value": {"Fn::Select": args}}},
    }
    assert outputs_of(Template(data)) == {"o": expected}


SHAPE_ERRORS = [
    (
        {"Fn::FindInMap": ["M", "a"]},
        "Fn::FindInMap",
        "'not enough values to unpack (expected 3, got 2)'",
    ),
    (
        {"Fn::Select": [1]},
        "Fn::Select",
        'Arguments to "Fn::Select" must be of the form [index, collection]',
    ),
    (
        {"Fn::Join": [","]},
        "Fn::Join",
        'Incorrect arguments to "Fn::Join" should be: "Fn::Join" : [ " ", [ "str1", "str2"]]',
    ),
    (
        {"Fn::Split": "x"},
        "Fn::Split",
        'Incorrect arguments to "Fn::Split" should be: "Fn::Split" : [ ",", "str1,str2"]]',
    ),
    (
        {"Fn::Replace": "x"},
        "Fn::Replace",
        'Incorrect arguments to "Fn::Replace" should be: '
        '{"Fn::Replace": [ {"$var1": "foo", "%var2%": "bar"}, "$var1 is %var2%"]}',
    ),
    (
        {"Fn::MemberListToMap": ["a"]},
        "Fn::MemberListToMap",
        "Wrong Arguments try: \"\n            {'Fn::MemberListToMap': ['Name', 'Value',\n"
        "                                     ['.member.0.Name=key',\n"
        "                                      '.member.0.Value=door']]}\n            \"",
    ),
    (
        {"Fn::ResourceFacade": "metadata"},
        "Fn::ResourceFacade",
        'Incorrect arguments to "Fn::ResourceFacade" should be one of: '
        "Metadata, DeletionPolicy, UpdatePolicy",
    ),
    ({"Fn::If": ["nope", "a", "b"]}, "Fn::If", 'Invalid condition "nope"'),
    (
        {"Fn::GetAtt": ["V"]},
        "Fn::GetAtt",
        'Arguments to "Fn::GetAtt" must be of the form [resource_name, attribute]',
    ),
]


@pytest.mark.parametrize(
    ("snippet", "name", "message"), SHAPE_ERRORS, ids=[e[1] for e in SHAPE_ERRORS]
)
def test_cfn_argument_errors_name_the_place(snippet, name, message):
    data = dict(
        TEMPLATE, Resources={"r": {"Type": "OS::Heat::Value", "Properties": {"value": snippet}}}
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        Template(data)
    assert str(info.value) == f"Resources.r.Properties.value.{name}: {message}"


VALUE_ERRORS = [
    ({"Fn::FindInMap": ["nope", "a", "b"]}, "'nope'"),
    ({"Fn::FindInMap": ["M", "z", "b"]}, "'z'"),
    ({"Fn::Select": [1, {"a": "x"}]}, 'Index to "Fn::Select" must be a string'),
    ({"Fn::Select": [1, "xx"]}, '"Fn::Select": Expecting value: line 1 column 1 (char 0)'),
    ({"Fn::Select": [1, 5]}, "Arguments to Fn::Select not fully resolved"),
    ({"Fn::Join": [",", [1]]}, "Items to join must be strings not 1"),
    ({"Fn::Split": [1, "a"]}, "Delimiter for Fn::Split must be string"),
    ({"Fn::Base64": 1}, '"Fn::Base64" argument must be a string'),
    ({"Ref": "AWS::NoValue"}, 'The specified reference "AWS::NoValue" (in unknown) is incorrect.'),
]


@pytest.mark.parametrize(
    ("snippet", "message"), VALUE_ERRORS, ids=[repr(e[0]) for e in VALUE_ERRORS]
)
def test_cfn_errors_in_values_are_upstreams(snippet, message):
    data = dict(TEMPLATE, Outputs={"o": {"Value": snippet}})
    with pytest.raises(exception.HeatException) as info:
        outputs_of(Template(data))
    assert str(info.value) == message


def test_cfn_condition_functions_are_checked_in_conditions():
    data = dict(TEMPLATE, Conditions={"c": {"Fn::Join": [",", ["a"]]}})
    with pytest.raises(exception.StackValidationFailed) as info:
        Template(data)
    assert (
        str(info.value)
        == 'Conditions.c.Fn::Join: The function "Fn::Join" is invalid in this context'
    )
    data = dict(TEMPLATE, Conditions={"c": {"Fn::Not": "IsProd"}})
    with pytest.raises(exception.StackValidationFailed) as info:
        Template(data)
    assert (
        str(info.value)
        == 'Conditions.c.Fn::Not: Arguments to "Fn::Not" must be of the form: [condition]'
    )


def test_cfn_structure_errors():
    with pytest.raises(exception.StackValidationFailed) as info:
        Template({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"r": {"Properties": {}}}})
    assert str(info.value) == "Resources.r: Each Resource must contain a Type key."
    with pytest.raises(exception.StackValidationFailed) as info:
        Template({"AWSTemplateFormatVersion": "2010-09-09", "Outputs": {"o": {"Description": "x"}}})
    assert str(info.value) == (
        "Output validation error: Outputs.o: Each output definition must contain a Value key."
    )


def test_cfn_reference_to_an_unknown_resource():
    data = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "r": {"Type": "OS::Heat::Value", "Properties": {"value": {"Fn::GetAtt": ["x", "y"]}}}
        },
    }
    template = Template(data)
    with pytest.raises(exception.InvalidTemplateReference) as info:
        template.validate(template.parameters({}, "st", "id", "t"))
    assert str(info.value) == 'The specified reference "x" (in r.Properties.value) is incorrect.'


def test_cfn_unknown_parameter_in_properties_is_a_property_error_at_create():
    data = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"r": {"Type": "OS::Heat::Value", "Properties": {"value": {"Ref": "x"}}}},
    }
    with pytest.raises(exception.StackValidationFailed) as info:
        Template(data).validate_references(set())
    assert str(info.value) == (
        "Property error: : Resources.r.Properties.value: : "
        'The specified reference "x" (in unknown) is incorrect.'
    )


HOT_2013 = {
    "heat_template_version": "2013-05-23",
    "parameters": {"l": {"type": "comma_delimited_list", "default": "a,b"}},
    "resources": {"v": {"type": "OS::Heat::Value", "properties": {"value": "v"}}},
    "outputs": {
        "sel": {"value": {"Fn::Select": [1, {"get_param": "l"}]}},
        "join": {"value": {"Fn::Join": [",", ["x", "y"]]}},
        "split": {"value": {"Fn::Split": [",", "a,b"]}},
        "replace": {"value": {"Fn::Replace": [{"%a%": "X"}, "v=%a%"]}},
        "b64": {"value": {"Fn::Base64": "abc"}},
        "ref_param": {"value": {"Ref": "l"}},
        "ref_resource": {"value": {"Ref": "v"}},
        "getatt": {"value": {"Fn::GetAtt": ["v", "value"]}},
    },
}


def test_hot_2013_accepts_cfn_spellings_but_not_getatt():
    assert outputs_of(Template(HOT_2013)) == {
        "sel": "b",
        "join": "x,y",
        "split": ["a", "b"],
        "replace": "v=X",
        "b64": "abc",
        "ref_param": ["a", "b"],
        "ref_resource": "v-id",
        "getatt": {"Fn::GetAtt": ["v", "value"]},
    }
