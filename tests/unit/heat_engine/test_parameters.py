"""Template parameters: definitions, type conversion, display, immutability and groups.

Expected messages are upstream Heat 27's, read from its API for the same template.
"""

from __future__ import annotations

import pytest

from common import exception
from heat_engine.template.parameters import (
    HIDDEN_VALUE,
    Parameters,
    check_immutable,
    parse_schema,
    to_boolean,
    validate_parameter_groups,
)

ACCEPTED = "'0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"


def stack_params(definitions, values, cfn=False, pseudo=None):
    schemas = {n: parse_schema(n, d, cfn=cfn) for n, d in definitions.items()}
    return Parameters(schemas, values, pseudo or {})


@pytest.mark.parametrize(
    ("ptype", "value", "typed", "shown"),
    [
        ("string", "abc", "abc", "abc"),
        ("string", 5, "5", "5"),
        ("string", True, "true", "true"),
        ("string", {"k": 1}, '{"k": 1}', '{"k": 1}'),
        ("number", "7", 7, "7"),
        ("number", " 07 ", 7, "7"),
        ("number", "1e3", 1000.0, "1000.0"),
        ("number", 2.5, 2.5, "2.5"),
        ("boolean", "yes", True, "true"),
        ("boolean", "OFF", False, "false"),
        ("boolean", 1, True, "true"),
        ("boolean", False, False, "false"),
        ("comma_delimited_list", "a,b", ["a", "b"], "a,b"),
        ("comma_delimited_list", "a, b", ["a", "b"], "a,b"),
        ("comma_delimited_list", "", [], ""),
        ("comma_delimited_list", [1, "x"], ["1", "x"], "1,x"),
        ("json", '{"a": [1, "x"]}', {"a": [1, "x"]}, '{"a": [1, "x"]}'),
        ("json", {"a": 1}, {"a": 1}, '{"a": 1}'),
        ("json", [1, 2], [1, 2], "[1, 2]"),
        ("json", '"str"', "str", '"str"'),
        ("json", 5, 5, "5"),
        ("json", "", "", '""'),
    ],
)
def test_a_value_is_converted_to_its_type_and_shown_as_text(ptype, value, typed, shown):
    params = stack_params({"x": {"type": ptype}}, {"x": value})
    assert params.get("x") == typed
    assert params.display()["x"] == shown


@pytest.mark.parametrize(
    ("ptype", "value", "detail"),
    [
        ("number", "abc", "could not convert string to float: 'abc'"),
        ("number", "", "could not convert string to float: ''"),
        (
            "number",
            [1],
            "int() argument must be a string, a bytes-like object or a real number, not 'list'",
        ),
        (
            "number",
            {"a": 1},
            "int() argument must be a string, a bytes-like object or a real number, not 'dict'",
        ),
        ("boolean", "maybe", f"Unrecognized value 'maybe', acceptable values are: {ACCEPTED}"),
        ("boolean", 2, f"Unrecognized value '2', acceptable values are: {ACCEPTED}"),
        ("boolean", [1], f"Unrecognized value '[1]', acceptable values are: {ACCEPTED}"),
        ("boolean", "", f"Unrecognized value '', acceptable values are: {ACCEPTED}"),
        (
            "json",
            "{bad",
            "Value must be valid JSON: Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)",
        ),
        ("json", "abc", "Value must be valid JSON: Expecting value: line 1 column 1 (char 0)"),
        (
            "comma_delimited_list",
            {"a": 1},
            "Value must be a comma-delimited list string: 'dict' object has no attribute 'split'",
        ),
        (
            "comma_delimited_list",
            5,
            "Value must be a comma-delimited list string: 'int' object has no attribute 'split'",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_parameter(ptype, value, detail):
    with pytest.raises(exception.StackValidationFailed) as info:
        stack_params({"x": {"type": ptype}}, {"x": value})
    assert str(info.value) == f"Parameter 'x' is invalid: {detail}"


def test_defaults_and_none_values():
    params = stack_params(
        {
            "given": {"type": "string", "default": "d"},
            "none": {"type": "string", "default": "d"},
            "n": {"type": "number", "default": 5},
        },
        {"given": "g", "none": None},
    )
    assert params.values == {"given": "g", "none": "d", "n": 5}


@pytest.mark.parametrize(
    ("definitions", "values", "error", "message"),
    [
        (
            {"x": {"type": "string"}},
            {},
            exception.UserParameterMissing,
            "The Parameter (x) was not provided.",
        ),
        (
            {"x": {"type": "string", "default": None}},
            {},
            exception.UserParameterMissing,
            "The Parameter (x) was not provided.",
        ),
        (
            {"x": {"type": "string", "default": "d"}},
            {"unknown": 1},
            exception.UnknownUserParameter,
            "The Parameter (unknown) was not defined in template.",
        ),
        (
            {"x": {"type": "number", "default": "abc"}},
            {},
            exception.StackValidationFailed,
            "Parameter 'x' is invalid: could not convert string to float: 'abc'",
        ),
    ],
)
def test_missing_unknown_and_bad_default_values(definitions, values, error, message):
    with pytest.raises(error) as info:
        stack_params(definitions, values)
    assert str(info.value) == message


def test_a_bad_default_is_no_matter_when_a_value_is_given():
    assert stack_params({"x": {"type": "number", "default": "abc"}}, {"x": 1}).get("x") == 1


def test_hidden_values_are_masked_and_pseudo_parameters_shown():
    params = stack_params(
        {"pw": {"type": "string", "hidden": True}, "n": {"type": "number", "hidden": "yes"}},
        {"pw": "s3cret", "n": 4},
        pseudo={"OS::stack_name": "st", "OS::stack_id": "id-1"},
    )
    assert params.get("pw") == "s3cret"
    assert params.display() == {
        "OS::stack_name": "st",
        "OS::stack_id": "id-1",
        "pw": HIDDEN_VALUE,
        "n": HIDDEN_VALUE,
    }
    assert "OS::stack_name" in params and "pw" in params and "nope" not in params


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ("notamap", "Invalid parameter (x), expected a mapping"),
        ({"type": "string", "foo": 1}, "Invalid key 'foo' for parameter (x)"),
        ({"default": 1}, "Missing parameter type for parameter: x"),
        ({"type": "strang"}, "Invalid type (strang)"),
        ({"type": "String"}, "Invalid type (String)"),
        (
            {"type": "string", "constraints": {"length": {}}},
            "Invalid parameter constraints for parameter x, expected a list",
        ),
        ({"type": "string", "tags": "a"}, "Tags property should be a list for parameter: x"),
        (
            {"type": "string", "default": "ab", "constraints": [{"length": {"min": 3}}]},
            "Parameter 'x' is invalid: Invalid default ab "
            "(length (2) is out of range (min: 3, max: None))",
        ),
        (
            {
                "type": "string",
                "default": "ab",
                "constraints": [{"length": {"min": 3}, "description": "desc!"}],
            },
            "Parameter 'x' is invalid: Invalid default ab (desc!)",
        ),
        (
            {"type": "number", "default": 5, "constraints": [{"allowed_values": [1, 2]}]},
            "Parameter 'x' is invalid: Invalid default 5 (5 is not an allowed value [1, 2])",
        ),
        (
            {
                "type": "comma_delimited_list",
                "default": "a,b",
                "constraints": [{"allowed_values": ["a"]}],
            },
            "Parameter 'x' is invalid: Invalid default a,b "
            '(["a", "b"] is not an allowed value ["a"])',
        ),
        (
            {"type": "comma_delimited_list", "default": 5},
            "Parameter 'x' is invalid: Default must be a comma-delimited list string: "
            "'int' object has no attribute 'split'",
        ),
    ],
)
def test_a_malformed_hot_definition_is_refused(definition, message):
    with pytest.raises(exception.InvalidSchemaError) as info:
        parse_schema("x", definition)
    assert str(info.value) == message


def test_custom_constraints_are_not_applied_to_defaults():
    schema = parse_schema(
        "x", {"type": "string", "default": "x", "constraints": [{"custom_constraint": "ip_addr"}]}
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        Parameters({"x": schema}, {}, {})
    assert (
        str(info.value)
        == "Parameter 'x' is invalid: Error validating value 'x': Invalid IP address"
    )


@pytest.mark.parametrize(
    ("version", "accepted"), [("2017-09-01", False), ("2018-03-02", True), (None, True)]
)
def test_tags_are_a_key_from_2018_03_02(version, accepted):
    definition = {"type": "string", "tags": ["a"]}
    if accepted:
        assert parse_schema("x", definition, version=version).tags == ("a",)
    else:
        with pytest.raises(exception.InvalidSchemaError) as info:
            parse_schema("x", definition, version=version)
        assert str(info.value) == "Invalid key 'tags' for parameter (x)"


def test_hot_definition_fields():
    schema = parse_schema(
        "x",
        {
            "type": "string",
            "label": "L",
            "description": "D",
            "default": "d",
            "hidden": True,
            "immutable": True,
            "schema": {},
        },
    )
    assert (schema.label, schema.description, schema.default, schema.has_default) == (
        "L",
        "D",
        "d",
        True,
    )
    assert schema.hidden and schema.immutable


@pytest.mark.parametrize(
    ("cfn_type", "value", "typed"),
    [
        ("String", "abc", "abc"),
        ("Number", "7", 7),
        ("CommaDelimitedList", "a,b", ["a", "b"]),
        ("Json", '{"a": 1}', {"a": 1}),
        ("Boolean", "yes", True),
    ],
)
def test_cfn_types(cfn_type, value, typed):
    assert stack_params({"x": {"Type": cfn_type}}, {"x": value}, cfn=True).get("x") == typed


@pytest.mark.parametrize(
    ("definition", "value", "error", "message"),
    [
        (
            {"Type": "List<Number>"},
            "1",
            exception.InvalidSchemaError,
            "Invalid type (List<Number>)",
        ),
        (
            {"Type": "AWS::EC2::KeyPair::KeyName"},
            "k",
            exception.InvalidSchemaError,
            "Invalid type (AWS::EC2::KeyPair::KeyName)",
        ),
        ({"Type": "string"}, "c", exception.InvalidSchemaError, "Invalid type (string)"),
        (
            {"Type": "String", "Immutable": True},
            "c",
            exception.InvalidSchemaError,
            "Invalid key 'Immutable' for parameter (x)",
        ),
        (
            {"Type": "Number", "MinLength": 3},
            5,
            exception.InvalidSchemaError,
            "Parameter 'x' is invalid: Length constraint invalid for Number",
        ),
        (
            {"Type": "String", "MinValue": 3},
            "5",
            exception.InvalidSchemaError,
            "Parameter 'x' is invalid: Range constraint invalid for String",
        ),
        (
            {"Type": "Number", "MinValue": 3, "MaxValue": "5", "ConstraintDescription": "3 to 5"},
            7,
            exception.StackValidationFailed,
            "Parameter 'x' is invalid: 3 to 5",
        ),
        (
            {"Type": "String", "MinLength": "3"},
            "ab",
            exception.StackValidationFailed,
            "Parameter 'x' is invalid: length (2) is out of range (min: 3, max: None)",
        ),
        (
            {"Type": "String", "AllowedPattern": "[a-z]*", "MinLength": 3},
            "AB",
            exception.StackValidationFailed,
            "Parameter 'x' is invalid: length (2) is out of range (min: 3, max: None)",
        ),
        (
            {
                "Type": "String",
                "MinLength": 3,
                "AllowedPattern": "[a-z]*",
                "ConstraintDescription": "cd",
            },
            "AB",
            exception.StackValidationFailed,
            "Parameter 'x' is invalid: cd",
        ),
        (
            {"Type": "String", "AllowedValues": ["a", "b"]},
            "c",
            exception.StackValidationFailed,
            'Parameter \'x\' is invalid: "c" is not an allowed value ["a", "b"]',
        ),
        (
            {"Type": "String", "Default": "a", "AllowedValues": ["b"]},
            None,
            exception.InvalidSchemaError,
            'Parameter \'x\' is invalid: Invalid default a ("a" is not an allowed value ["b"])',
        ),
    ],
)
def test_cfn_definitions_and_constraints(definition, value, error, message):
    with pytest.raises(error) as info:
        stack_params({"x": definition}, {"x": value}, cfn=True)
    assert str(info.value) == message


def test_cfn_noecho_and_label():
    params = stack_params(
        {"x": {"Type": "String", "Label": "L", "NoEcho": "true"}, "y": {"Type": "String"}},
        {"x": "c", "y": "d"},
        cfn=True,
    )
    assert params.schemas["x"].label == "L"
    assert params.display() == {"x": HIDDEN_VALUE, "y": "d"}


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("Yes", True), (" on ", True), ("1", True), ("f", False), ("no", False)],
)
def test_to_boolean(text, value):
    assert to_boolean(text) is value


IMMUTABLE = {
    "x": {"type": "string", "immutable": True},
    "n": {"type": "number", "immutable": True, "default": 5},
    "y": {"type": "string", "immutable": True, "default": "q"},
    "free": {"type": "string", "default": "f"},
}


@pytest.mark.parametrize(
    ("new_definitions", "new_values", "refused"),
    [
        (IMMUTABLE, {"x": "b"}, "x"),
        (IMMUTABLE, {"x": "b", "y": "r"}, "x, y"),
        (IMMUTABLE, {"x": "a", "free": "changed"}, None),
        (IMMUTABLE, {"x": "a", "n": "5"}, None),
        (IMMUTABLE, {"x": "a", "n": 6}, "n"),
        ({**IMMUTABLE, "x": {"type": "string", "immutable": True, "default": "zz"}}, {}, "x"),
        ({**IMMUTABLE, "x": {"type": "string", "default": "zz"}}, {}, None),
        (
            {"y": IMMUTABLE["y"], "new": {"type": "string", "immutable": True, "default": "n"}},
            {},
            None,
        ),
    ],
)
def test_an_update_may_not_change_an_immutable_parameter(new_definitions, new_values, refused):
    old = stack_params(IMMUTABLE, {"x": "a"})
    new = stack_params(new_definitions, new_values)
    if refused is None:
        check_immutable(old, new)
        return
    with pytest.raises(exception.ImmutableParameterModified) as info:
        check_immutable(old, new)
    assert str(info.value) == (
        f"The following parameters are immutable and may not be updated: {refused}"
    )


GROUPED = {n: parse_schema(n, {"type": "string", "default": n}) for n in ("a", "b")}
GROUPS_ERROR = "Parameter Groups error: "


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ({"a": 1}, "parameter_groups: The parameter_groups should be a list."),
        ("str", "parameter_groups: The parameter_groups should be a list."),
        (
            [{"label": "L"}],
            "parameter_groups.L: The parameters must be provided for each parameter group.",
        ),
        (
            [{"label": "L", "parameters": None}],
            "parameter_groups.L: The parameters must be provided for each parameter group.",
        ),
        (
            [{"label": "L", "parameters": "a"}],
            "parameter_groups.L: The parameters of parameter group should be a list.",
        ),
        (
            [{"parameters": ["a"]}, {"label": "M", "parameters": ["a"]}],
            "parameter_groups.M: The a parameter must be assigned to one parameter group only.",
        ),
        (
            [{"label": "L", "parameters": ["zz"]}],
            "parameter_groups.L: The grouped parameter zz does not reference a valid parameter.",
        ),
        (
            [{"parameters": ["zz"]}],
            "parameter_groups.: The grouped parameter zz does not reference a valid parameter.",
        ),
        (
            [{"label": 5, "parameters": ["zz"]}],
            "parameter_groups[5]: The grouped parameter zz does not reference a valid parameter.",
        ),
        (
            [{"label": "L", "parameters": ["OS::stack_name"]}],
            "parameter_groups.L: The grouped parameter OS::stack_name does not reference a "
            "valid parameter.",
        ),
        (
            [{"label": "L", "parameters": [["a"]]}],
            "parameter_groups.L: The grouped parameter ['a'] does not reference a valid parameter.",
        ),
        (["notamap"], "parameter_groups: Each parameter group should be a mapping."),
    ],
)
def test_bad_parameter_groups_are_refused(groups, message):
    with pytest.raises(exception.StackValidationFailed) as info:
        validate_parameter_groups(groups, GROUPED)
    assert str(info.value) == GROUPS_ERROR + message


@pytest.mark.parametrize(
    "groups",
    [
        None,
        [],
        {},
        [{"label": "L", "parameters": []}],
        [
            {"label": "L", "description": "d", "parameters": ["a"], "extra": 1},
            {"parameters": ["b"]},
        ],
        [{"label": "L", "parameters": ["OS::stack_id", "OS::project_id"]}],
    ],
)
def test_good_parameter_groups_pass(groups):
    validate_parameter_groups(groups, GROUPED)


def test_describe_for_the_validate_api():
    schema = parse_schema(
        "x",
        {
            "type": "number",
            "label": "Count",
            "default": 3,
            "constraints": [
                {"range": {"min": 1, "max": 9}, "description": "one digit"},
                {"modulo": {"step": 2, "offset": 1}},
                {"allowed_values": [1, 3, 5]},
                {"custom_constraint": "test_constr", "description": "slow"},
            ],
        },
    )
    assert schema.describe(5) == {
        "Type": "Number",
        "Description": "",
        "NoEcho": "false",
        "Label": "Count",
        "Default": 3,
        "Value": 5,
        "MinValue": 1,
        "MaxValue": 9,
        "Step": 2,
        "Offset": 1,
        "AllowedValues": [1, 3, 5],
        "CustomConstraint": "test_constr",
        "ConstraintDescription": "one digit slow",
    }
    hidden = parse_schema(
        "pw", {"type": "string", "hidden": True, "constraints": [{"length": {"min": 2}}]}
    )
    assert hidden.describe("secret") == {
        "Type": "String",
        "Description": "",
        "NoEcho": "true",
        "Label": "pw",
        "Value": HIDDEN_VALUE,
        "MinLength": 2,
    }
