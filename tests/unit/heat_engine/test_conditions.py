"""Conditions: their evaluation, the resources and outputs they switch off, and ``if``.

Expected behaviour and messages were read from upstream Heat 27 given the same templates.
"""

from __future__ import annotations

from typing import Any

import pytest

from common import exception
from heat_engine.template import functions as fn
from heat_engine.template.template import Template

PARAMETERS = {
    "env": {"type": "string", "default": "prod"},
    "zones": {"type": "comma_delimited_list", "default": "a,b"},
    "flag": {"type": "boolean", "default": False},
    "name": {"type": "string", "default": "is_prod"},
}


def make(version: str = "2021-04-16", **sections: Any) -> Template:
    return Template({"heat_template_version": version, "parameters": PARAMETERS, **sections})


def params(template: Template, **values: Any) -> Any:
    return template.parameters(values, "st", "id", "tenant")


class Stack:
    """The engine's side of the resolver: resources have ids, conditions come from the template."""

    def __init__(self, template: Template, **values: Any) -> None:
        self.parameters = params(template, **values)
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
        return self.resource_ref(name) + f".{attr}"

    def resource_attributes(self, name: str) -> dict[str, Any] | None:
        return None

    def condition(self, name: str) -> bool:
        return self.conditions.is_enabled(name)

    def resource_facade(self, kind: str) -> Any:
        return None


DEFINITIONS = {
    "is_prod": {"equals": [{"get_param": "env"}, "prod"]},
    "is_dev": {"not": "is_prod"},
    "both": {"and": ["is_prod", {"not": "is_dev"}]},
    "either": {"or": ["is_dev", False]},
    "has_b": {"contains": ["b", {"get_param": "zones"}]},
    "big": {"yaql": {"expression": "$.data.x > 1", "data": {"x": 2}}},
    "flag": {"get_param": "flag"},
    "always": True,
}


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            "prod",
            {
                "is_prod": True,
                "is_dev": False,
                "both": True,
                "either": False,
                "has_b": True,
                "big": True,
                "flag": False,
                "always": True,
            },
        ),
        (
            "dev",
            {
                "is_prod": False,
                "is_dev": True,
                "both": False,
                "either": True,
                "has_b": True,
                "big": True,
                "flag": False,
                "always": True,
            },
        ),
    ],
)
def test_conditions_evaluate_with_the_parameters(env, expected):
    template = make(conditions=DEFINITIONS)
    assert dict(template.conditions(params(template, env=env))) == expected


@pytest.mark.parametrize(
    ("version", "definition", "message"),
    [
        (
            "2016-10-14",
            {"get_resource": "x"},
            'conditions.c.get_resource: The function "get_resource" is invalid in this context',
        ),
        (
            "2016-10-14",
            {"not": {"list_join": ["a", ["b"]]}},
            'conditions.c.not.list_join: The function "list_join" is invalid in this context',
        ),
        (
            "2016-10-14",
            {"yaql": {"expression": "true"}},
            'conditions.c.yaql: The function "yaql" is invalid in this context',
        ),
        (
            "2016-10-14",
            {"contains": ["a", ["a"]]},
            {"contains": ["a", ["a"]]},  # no condition function in newton: plain data
        ),
        (
            "2016-10-14",
            {"equals": [1]},
            'conditions.c.equals: Arguments to "equals" must be of the form: [value_1, value_2]',
        ),
        (
            "2016-10-14",
            {"equals": "a"},
            'conditions.c.equals: Arguments to "equals" must be of the form: [value_1, value_2]',
        ),
        ("2016-10-14", {"not": None}, 'conditions.c.not: Argument to "not" must be a condition'),
        (
            "2016-10-14",
            {"and": [True]},
            'conditions.c.and: The minimum number of condition arguments to "and" is 2.',
        ),
        (
            "2016-10-14",
            {"or": "x"},
            'conditions.c.or: Arguments to "or" must be a list of conditions',
        ),
    ],
)
def test_condition_definition_faults_found_reading_the_template(version, definition, message):
    if isinstance(message, dict):
        assert make(version, conditions={"c": definition}).condition_definitions["c"] == message
        return
    with pytest.raises(exception.StackValidationFailed) as info:
        make(version, conditions={"c": definition})
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("definitions", "message"),
    [
        ({"c": "abc"}, 'The definition of condition "c" is invalid: abc'),
        ({"c": 1}, 'The definition of condition "c" is invalid: 1'),
        ({"c": [1]}, 'The definition of condition "c" is invalid: [1]'),
        ({"c": True, "d": "c"}, 'The definition of condition "d" is invalid: c'),
    ],
)
def test_condition_definition_must_be_a_boolean_or_a_function(definitions, message):
    template = make(conditions=definitions)
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(params(template))
    assert str(info.value) == f"Condition validation error: {message}"


def test_removed_function_in_an_unused_condition_is_named_at_validation():
    template = make("2016-10-14", conditions={"c": {"Ref": "x"}})
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(params(template))
    assert str(info.value) == (
        "Ref: The template version is invalid: "
        "The function Ref is not supported in this version of HOT."
    )


def test_conditions_section_must_be_a_map():
    with pytest.raises(exception.StackValidationFailed) as info:
        make(conditions=["a"])
    assert str(info.value) == (
        "Conditions validation error: Condition definitions must be a map. Found a list instead"
    )


UNUSED_FAULTS = [
    {"c": {"not": "nope"}},
    {"c": {"or": [True, "nope"]}},
    {"c": {"not": "d"}, "d": {"not": "c"}},
    {"c": {"get_param": "env"}},
]


@pytest.mark.parametrize("definitions", UNUSED_FAULTS)
def test_a_condition_nothing_uses_is_never_evaluated(definitions):
    template = make(conditions=definitions, resources={"r": {"type": "OS::Heat::None"}})
    template.validate(params(template))
    assert set(template.active_resources(params(template))) == {"r"}


@pytest.mark.parametrize(
    ("definitions", "message"),
    [
        ({"c": {"not": "nope"}}, 'resources.r.condition: Invalid condition "nope"'),
        ({"c": {"and": [True, "nope"]}}, 'resources.r.condition: Invalid condition "nope"'),
        (
            {"c": {"not": "d"}, "d": {"not": "c"}},
            'Condition validation error: Circular definition for condition "c"',
        ),
        ({"c": {"not": "c"}}, 'Condition validation error: Circular definition for condition "c"'),
        (
            {"c": {"get_param": "env"}},
            'Condition validation error: The definition of condition "c" is invalid: prod',
        ),
    ],
)
def test_faults_of_a_used_condition(definitions, message):
    template = make(
        conditions=definitions, resources={"r": {"type": "OS::Heat::None", "condition": "c"}}
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        template.active_resources(params(template))
    assert str(info.value) == message


def test_condition_reading_an_unknown_parameter():
    template = make(
        conditions={"c": {"get_param": "nope"}},
        resources={"r": {"type": "OS::Heat::None", "condition": "c"}},
    )
    with pytest.raises(exception.UserParameterMissing):
        template.active_resources(params(template))


@pytest.mark.parametrize(
    ("condition", "env", "is_active"),
    [
        ("is_prod", "prod", True),
        ("is_prod", "dev", False),
        ("is_dev", "dev", True),
        (True, "prod", True),
        (False, "prod", False),
        ({"equals": [{"get_param": "env"}, "dev"]}, "dev", True),
        ({"not": "is_prod"}, "prod", False),
    ],
)
def test_resource_whose_condition_is_false_is_not_in_the_stack(condition, env, is_active):
    template = make(
        conditions=DEFINITIONS,
        resources={
            "r": {"type": "OS::Heat::None", "condition": condition},
            "always": {"type": "OS::Heat::None"},
        },
    )
    active = template.active_resources(params(template, env=env))
    assert set(active) == ({"r", "always"} if is_active else {"always"})
    assert set(template.resources) == {"r", "always"}


def test_output_whose_condition_is_false_is_shown_without_a_value():
    template = make(
        conditions=DEFINITIONS,
        outputs={
            "on": {"value": 1, "condition": "is_prod"},
            "off": {"value": 2, "condition": "is_dev", "description": "d"},
            "plain": {"value": 3},
            "fn": {"value": 4, "condition": {"not": "is_prod"}},
        },
    )
    outputs = template.active_outputs(params(template))
    assert {k: o.value for k, o in outputs.items()} == {
        "on": 1,
        "off": None,
        "plain": 3,
        "fn": None,
    }
    assert outputs["off"].description == "d"


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("nope", 'outputs.o.condition: Invalid condition "nope"'),
        (1, 'outputs.o.condition: Invalid condition "1"'),
        (["a"], "outputs.o.condition: Invalid condition \"['a']\""),
    ],
)
def test_output_condition_faults(condition, message):
    template = make(outputs={"o": {"value": 1, "condition": condition}})
    with pytest.raises(exception.StackValidationFailed) as info:
        template.active_outputs(params(template))
    assert str(info.value) == message


def test_references_to_a_switched_off_resource():
    template = make(
        resources={
            "r": {"type": "OS::Heat::None", "condition": False},
            "s": {"type": "OS::Heat::Value", "properties": {"value": {"get_resource": "r"}}},
        }
    )
    with pytest.raises(exception.InvalidTemplateReference) as info:
        template.validate(params(template))
    assert str(info.value) == 'The specified reference "r" (in s.Properties.value) is incorrect.'


def test_depends_on_a_switched_off_resource_is_dropped():
    template = make(
        resources={
            "r": {"type": "OS::Heat::None", "condition": False},
            "s": {"type": "OS::Heat::None", "depends_on": "r"},
        }
    )
    template.validate(params(template))
    assert template.dependencies(params(template)) == {"s": set()}


def test_outputs_referring_to_a_switched_off_resource():
    template = make(
        resources={"r": {"type": "OS::Heat::None", "condition": False}},
        outputs={"p": {"value": {"get_attr": ["r", "x"]}}},
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(params(template))
    assert str(info.value) == (
        'outputs.p.value.get_attr: The specified reference "r" (in unknown) is incorrect.'
    )
    template = make(
        resources={"r": {"type": "OS::Heat::None", "condition": False}},
        outputs={"p": {"value": {"get_resource": "r"}}},
    )
    template.validate(params(template))
    stack = Stack(template)
    with pytest.raises(exception.InvalidTemplateReference) as info:
        fn.resolve(template.active_outputs(stack.parameters)["p"].value, stack)
    assert str(info.value) == 'The specified reference "r" (in unknown) is incorrect.'


# if ----------------------------------------------------------------------------------

IF_VALUES = [
    ({"if": ["is_prod", "yes", "no"]}, "yes"),
    ({"if": ["is_dev", "yes", "no"]}, "no"),
    ({"if": [{"equals": [1, 2]}, "yes", "no"]}, "no"),
    ({"if": [True, "yes", "no"]}, "yes"),
    ({"if": [{"get_param": "name"}, "yes", "no"]}, "yes"),
    ({"if": ["is_prod", {"if": ["is_dev", 1, 2]}, 3]}, 2),
    ({"if": ["is_prod", {"get_resource": "r"}, "none"]}, "r-id"),
    ({"if": ["is_dev", {"get_resource": "off"}, "none"]}, "none"),
    ([1, {"if": ["is_dev", 2]}, 3], [1, 3]),
    ({"a": 1, "b": {"if": ["is_dev", 2]}}, {"a": 1}),
    ({"if": ["is_dev", 2]}, None),
    ({"if": ["is_prod", 2]}, 2),
]


@pytest.mark.parametrize(("snippet", "expected"), IF_VALUES)
def test_if_chooses_by_its_condition(snippet, expected):
    template = make(
        conditions=DEFINITIONS,
        resources={
            "r": {"type": "OS::Heat::None"},
            "off": {"type": "OS::Heat::None", "condition": "is_dev"},
        },
        outputs={"o": {"value": snippet}},
    )
    stack = Stack(template)
    template.validate(stack.parameters)
    value = template.active_outputs(stack.parameters)["o"].value
    assert fn.resolve(value, stack) == expected
    assert fn.resolve(template.outputs["o"].value, stack) == expected


def test_an_if_without_else_leaves_a_property_out():
    template = make(
        conditions=DEFINITIONS,
        resources={
            "r": {
                "type": "OS::Heat::Value",
                "properties": {"value": 1, "type": {"if": ["is_dev", "number"]}},
            }
        },
    )
    stack = Stack(template)
    properties = template.active_resources(stack.parameters)["r"].properties
    assert fn.resolve(properties, stack) == {"value": 1}


def test_if_needs_three_arguments_before_wallaby():
    with pytest.raises(exception.StackValidationFailed) as info:
        make("2018-08-31", conditions=DEFINITIONS, outputs={"o": {"value": {"if": ["is_dev", 2]}}})
    assert str(info.value) == (
        'outputs.o.value.if: Arguments to "if" must be of the form: '
        "[condition_name, value_if_true, value_if_false]"
    )


def test_if_condition_reads_only_condition_functions():
    with pytest.raises(exception.StackValidationFailed) as info:
        make(
            resources={"r": {"type": "OS::Heat::None"}},
            outputs={"o": {"value": {"if": [{"get_resource": "r"}, 1, 2]}}},
        )
    assert (
        str(info.value) == 'if.get_resource: The function "get_resource" is invalid in this context'
    )


@pytest.mark.parametrize(
    "branch",
    [
        {"str_split": "x"},
        {"Ref": "x"},
        {"get_resource": "nope"},
        {"get_attr": ["nope", "a"]},
    ],
)
def test_faults_in_the_branch_not_taken_are_no_error(branch):
    template = make(
        "2016-10-14",
        conditions={"yes": True},
        resources={
            "r": {"type": "OS::Heat::Value", "properties": {"value": {"if": ["yes", 1, branch]}}}
        },
    )
    stack = Stack(template)
    template.validate(stack.parameters)
    assert template.dependencies(stack.parameters) == {"r": set()}
    properties = template.active_resources(stack.parameters)["r"].properties
    assert fn.resolve(properties, stack) == {"value": 1}


@pytest.mark.parametrize(
    ("branch", "message"),
    [
        (
            {"str_split": "x"},
            "resources.r.properties.value.if.str_split: Incorrect arguments to "
            '"str_split" should be: "str_split" : [ ",", "apples,pears", <index>]',
        ),
        (
            {"Ref": "x"},
            "resources.r.properties.value.if: Ref: The template version is invalid: "
            "The function Ref is not supported in this version of HOT.",
        ),
    ],
)
def test_faults_in_the_branch_taken(branch, message):
    template = make(
        "2016-10-14",
        conditions={"yes": True},
        resources={
            "r": {"type": "OS::Heat::Value", "properties": {"value": {"if": ["yes", branch, 1]}}}
        },
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(params(template))
    assert str(info.value) == message


def test_choices_are_remembered_per_parameter_set():
    template = make(
        conditions=DEFINITIONS, resources={"r": {"type": "OS::Heat::None", "condition": "is_dev"}}
    )
    prod = template.active_resources(params(template))
    assert template.active_resources(params(template)) is prod
    assert set(template.active_resources(params(template, env="dev"))) == {"r"}


def test_a_template_without_conditions_has_every_resource_active_as_they_are():
    template = make(resources={"r": {"type": "OS::Heat::None"}})
    active = template.active_resources(params(template))
    assert active["r"] is template.resources["r"]
