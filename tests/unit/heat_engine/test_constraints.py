"""Parameter constraints: each kind, each custom check, and the messages users see.

Expected messages are upstream Heat 27's, read from its API for the same template.
"""

from __future__ import annotations

import pytest

from common import exception
from heat_engine.template import constraints as constr
from heat_engine.template.parameters import Parameters, parse_schema


def check(ptype, constraint, value, version=None):
    """The message a stack create gives for ``value``, or None when it is accepted."""
    schema = parse_schema("x", {"type": ptype, "constraints": [constraint]}, version=version)
    try:
        Parameters({"x": schema}, {"x": value}, {})
    except exception.StackValidationFailed as ex:
        return str(ex)
    return None


def invalid(detail):
    return f"Parameter 'x' is invalid: {detail}"


@pytest.mark.parametrize(
    ("ptype", "constraint", "value", "message"),
    [
        ("string", {"length": {"min": 3}}, "ab", "length (2) is out of range (min: 3, max: None)"),
        (
            "string",
            {"length": {"min": 3, "max": 4}},
            "abcdef",
            "length (6) is out of range (min: 3, max: 4)",
        ),
        (
            "string",
            {"length": {"min": "3"}},
            "ab",
            "length (2) is out of range (min: 3, max: None)",
        ),
        ("string", {"length": {"max": 1}, "description": "too long mate"}, "ab", "too long mate"),
        (
            "comma_delimited_list",
            {"length": {"max": 1}},
            "a,c",
            "length (2) is out of range (min: None, max: 1)",
        ),
        (
            "json",
            {"length": {"max": 1}},
            {"a": 1, "b": 2},
            "length (2) is out of range (min: None, max: 1)",
        ),
        ("number", {"range": {"min": 3}}, 2, "2 is out of range (min: 3, max: None)"),
        ("number", {"range": {"min": 3, "max": 5}}, "7", "7 is out of range (min: 3, max: 5)"),
        ("number", {"range": {"max": 5.5}}, 7.25, "7.25 is out of range (min: None, max: 5.5)"),
        ("number", {"range": {"min": 3}}, " 2", " 2 is out of range (min: 3, max: None)"),
        (
            "number",
            {"modulo": {"step": 2, "offset": 1}},
            4,
            "4 is not a multiple of 2 with an offset of 1",
        ),
        (
            "number",
            {"modulo": {"step": 2, "offset": 1}, "description": "odd please"},
            4,
            "odd please",
        ),
        ("string", {"allowed_values": ["a", "b"]}, "c", '"c" is not an allowed value ["a", "b"]'),
        ("number", {"allowed_values": [1, 2]}, 3, "3 is not an allowed value [1, 2]"),
        ("number", {"allowed_values": [1, 2]}, "3", '"3" is not an allowed value [1, 2]'),
        ("string", {"allowed_values": [1, 2]}, "3", '"3" is not an allowed value [1, 2]'),
        ("boolean", {"allowed_values": [True]}, "false", '"false" is not an allowed value [true]'),
        ("boolean", {"allowed_values": [False]}, True, "true is not an allowed value [false]"),
        (
            "comma_delimited_list",
            {"allowed_values": ["a", "b"]},
            "a,c",
            '["a", "c"] is not an allowed value ["a", "b"]',
        ),
        (
            "comma_delimited_list",
            {"allowed_values": [1]},
            [1],
            '["1"] is not an allowed value [1]',
        ),
        ("string", {"allowed_pattern": "[a-z]+"}, "abC", '"abC" does not match pattern "[a-z]+"'),
        ("string", {"allowed_pattern": "a|ab"}, "ab", '"ab" does not match pattern "a|ab"'),
        ("string", {"allowed_pattern": "[a-z]+", "description": "lower only"}, "abC", "lower only"),
        ("string", {"custom_constraint": "ip_addr", "description": "give ip"}, "x", "give ip"),
        (
            "string",
            {"custom_constraint": "nope.constraint"},
            "bar",
            '"bar" does not validate nope.constraint (constraint not found)',
        ),
        (
            "number",
            {"custom_constraint": "ip_addr"},
            5,
            "Error validating value '5': Invalid IP address",
        ),
    ],
)
def test_a_broken_constraint_says_why(ptype, constraint, value, message):
    assert check(ptype, constraint, value) == invalid(message)


@pytest.mark.parametrize(
    ("ptype", "constraint", "value"),
    [
        ("string", {"length": {"min": 1, "max": 3}}, "abc"),
        ("number", {"range": {"min": 1, "max": 3}}, "3"),
        ("number", {"modulo": {"step": 2, "offset": 1}}, 7),
        ("number", {"modulo": {"step": -3, "offset": -1}}, -4),
        ("number", {"allowed_values": [1, 2]}, " 1"),
        ("number", {"allowed_values": ["1", "2"]}, 1),
        ("string", {"allowed_values": [1, 2]}, "1"),
        ("boolean", {"allowed_values": ["yes"]}, "true"),
        ("comma_delimited_list", {"allowed_values": ["1"]}, [1]),
        ("comma_delimited_list", {"allowed_values": ["a", "b"]}, ["b", "a"]),
        ("string", {"allowed_pattern": "^a$"}, "a"),
        ("string", {"allowed_pattern": "[a-z]*"}, ""),
        ("comma_delimited_list", {"custom_constraint": "ip_addr"}, "1.1.1.1,::1"),
    ],
)
def test_a_kept_constraint_accepts(ptype, constraint, value):
    assert check(ptype, constraint, value) is None


def test_modulo_only_from_2017_02_24():
    constraint = {"modulo": {"step": 2, "offset": 1}}
    assert check("number", constraint, 3, version="2017-02-24") is None
    with pytest.raises(exception.InvalidSchemaError) as info:
        check("number", constraint, 3, version="2016-10-14")
    assert str(info.value) == "No constraint expressed"


def test_the_first_failing_constraint_is_reported():
    schema = parse_schema(
        "x", {"type": "number", "constraints": [{"range": {"min": 1}}, {"range": {"max": 0}}]}
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        Parameters({"x": schema}, {"x": 2}, {})
    assert str(info.value) == invalid("2 is out of range (min: None, max: 0)")


@pytest.mark.parametrize(
    ("constraint", "message"),
    [
        ({"length": {}}, "A length constraint must have a min value and/or a max value specified."),
        ({"length": "x"}, "Invalid length constraint, expected a mapping"),
        ({"length": {"mni": 1}}, "Invalid key 'mni' for length constraint"),
        ({"length": {"min": 1.5}}, "min/max length must be integral"),
        ({"length": {"min": "a"}}, '"a" is not a number'),
        ({"range": {}}, "A range constraint must have a min value and/or a max value specified."),
        ({"range": {"min": [1]}}, "min/max must be numeric"),
        (
            {"modulo": {"step": 2}},
            "A modulo constraint must have a step value and an offset value specified.",
        ),
        ({"modulo": {"step": 0, "offset": 0}}, "step cannot be 0."),
        (
            {"modulo": {"step": 2, "offset": 2}},
            "offset must be smaller (by absolute value) than step.",
        ),
        (
            {"modulo": {"step": 2, "offset": -1}},
            "step and offset must be both positive or both negative.",
        ),
        ({"modulo": {"step": 2.5, "offset": 1}}, "step/offset must be integer"),
        ({"modulo": {"step": [2], "offset": 1}}, "step/offset must be numeric"),
        ({"modulo": {"step": 2, "offset": 1, "x": 1}}, "Invalid key 'x' for modulo constraint"),
        ({"allowed_values": "abc"}, "AllowedValues must be a list"),
        ({"allowed_values": {"a": 1}}, "AllowedValues must be a list"),
        ({"allowed_pattern": 5}, "AllowedPattern must be a string"),
        (
            {"allowed_pattern": "[a"},
            'AllowedPattern "[a" is not a valid regular expression: '
            "unterminated character set at position 0",
        ),
        ({}, "No constraint expressed"),
        ({"description": "d"}, "No constraint expressed"),
        ({"bogus": 1}, "Invalid key 'bogus' for parameter constraints"),
        ("x", "Invalid parameter constraints, expected a mapping"),
    ],
)
def test_a_malformed_constraint_is_refused(constraint, message):
    with pytest.raises(exception.InvalidSchemaError) as info:
        parse_schema("x", {"type": "number", "constraints": [constraint]})
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("ptype", "constraint", "name"),
    [
        ("string", {"range": {"min": 1}}, "Range constraint invalid for string"),
        ("boolean", {"range": {"min": 1}}, "Range constraint invalid for boolean"),
        ("number", {"length": {"min": 1}}, "Length constraint invalid for number"),
        ("string", {"modulo": {"step": 2, "offset": 1}}, "Modulo constraint invalid for string"),
        ("number", {"allowed_pattern": "a"}, "AllowedPattern constraint invalid for number"),
        ("json", {"allowed_values": ["a"]}, "AllowedValues constraint invalid for json"),
        ("json", {"custom_constraint": "ip_addr"}, "CustomConstraint constraint invalid for json"),
        # the first of several keys wins, as upstream: range before length
        (
            "string",
            {"length": {"min": 1}, "range": {"min": 1}},
            "Range constraint invalid for string",
        ),
    ],
)
def test_a_constraint_must_fit_the_type(ptype, constraint, name):
    with pytest.raises(exception.InvalidSchemaError) as info:
        parse_schema("x", {"type": ptype, "constraints": [constraint]})
    assert str(info.value) == invalid(name)


def custom(name, value):
    """The detail a custom constraint gives, None when the value passes."""
    return constr.CUSTOM_CONSTRAINTS[name](value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ip_addr", "10.0.0.1"),
        ("ip_addr", "::1"),
        ("ip_or_cidr", "1.1.1.0/24"),
        ("ip_or_cidr", "1.1.1.1/24"),
        ("net_cidr", "1.1.1.1/24"),
        ("net_cidr", "::/0"),
        ("mac_addr", "00:1b:77:49:54:fd"),
        ("mac_addr", "00-1B-77-49-54-FD"),
        ("mac_addr", "001b.7749.54fd"),
        ("mac_addr", "001b774954fd"),
        ("mac_addr", "0:1b:77:49:54:fd"),
        ("iso_8601", "2015-01-01"),
        ("iso_8601", "2015-01-01T10:00:00Z"),
        ("iso_8601", "20150101T100000"),
        ("expiration", "2099-01-01T10:00:00Z"),
        ("expiration", ""),
        ("dns_name", "www.example.com."),
        ("dns_domain", "example.com."),
        ("dns_domain", ""),
        ("rel_dns_name", "www"),
        ("timezone", "Europe/Paris"),
        ("timezone", ""),
        ("cron_expression", "* * * * *"),
        ("cron_expression", "*/5 1-3 * JAN mon"),
        ("cron_expression", "0 0 L * 5#2"),
        ("cron_expression", "0 0 * JUL FRI"),
        ("cron_expression", "0 12 * * mon-fri 30 2030"),
        ("cron_expression", "@daily"),
        ("cron_expression", ""),
        ("json_string", '{"a": 1}'),
        ("test_constr", 0),
        ("nova.flavor", "no-such-flavor"),
        ("glance.image", "anything"),
        ("neutron.lbaas.pool", "anything"),
    ],
)
def test_a_custom_constraint_accepts(name, value):
    assert custom(name, value) is None


@pytest.mark.parametrize(
    ("name", "value", "detail"),
    [
        ("ip_addr", "notip", "Invalid IP address"),
        ("ip_addr", "1.1.1", "Invalid IP address"),
        ("ip_addr", "010.1.1.1", "Invalid IP address"),
        ("ip_addr", " 1.1.1.1", "Invalid IP address"),
        ("ip_or_cidr", "zz", "'zz' is not a valid IP address"),
        (
            "ip_or_cidr",
            "010.1.1.1",
            "'010.1.1.1' is not an accepted IP address, '10.1.1.1' is recommended",
        ),
        ("ip_or_cidr", "1.1.1.0/33", "'1.1.1.0/33' is not a valid IP subnet"),
        ("net_cidr", "10.0.0.0", "'10.0.0.0' is not a valid IP subnet"),
        ("net_cidr", "10/8", "'10/8' is not a valid IP subnet"),
        ("net_cidr", "zz", "Invalid net cidr invalid IPNetwork zz "),
        ("net_cidr", "1.1.1.0/33", "Invalid net cidr invalid IPNetwork 1.1.1.0/33 "),
        ("mac_addr", "zz", "Invalid MAC address."),
        ("iso_8601", "yesterday", ""),
        ("iso_8601", "2015-13-01", ""),
        (
            "expiration",
            "2015-01-01T10:00:00Z",
            "Expiration 2015-01-01T10:00:00Z is invalid: Expiration time is out of date.",
        ),
        (
            "expiration",
            "notadate",
            "Expiration notadate is invalid: Unable to parse date string 'notadate'",
        ),
        ("dns_name", "a..b", "'a..b' not in valid format. Reason: Encountered an empty component."),
        (
            "dns_name",
            "Example.com",
            "'Example.com' not in valid format. Reason: Name 'Example' must be 1-63 characters "
            "long, each of which can only be alphanumeric or a hyphen.",
        ),
        (
            "dns_name",
            "-a.com",
            "'-a.com' not in valid format. Reason: Name '-a' must not start or end with a hyphen.",
        ),
        (
            "dns_name",
            "a.123.",
            "'a.123.' not in valid format. Reason: TLD '123' must not be all numeric.",
        ),
        (
            "dns_name",
            "a" * 256,
            f"'{'a' * 256}' not in valid format. Reason: '{'a' * 256}' exceeds the 255 character "
            "FQDN limit",
        ),
        ("dns_domain", "example.com", "'example.com' must end with '.'."),
        (
            "dns_domain",
            "a..b",
            "'a..b' not in valid format. Reason: Encountered an empty component.",
        ),
        ("rel_dns_name", "a.b.", "'a.b.' is a FQDN. It should be a relative domain name."),
        (
            "rel_dns_name",
            "a" * 260,
            f"'{'a' * 260}' contains '260' characters. Adding a domain name will cause it to "
            "exceed the maximum length of a FQDN of '255'.",
        ),
        (
            "timezone",
            "Mars/Olympus",
            "Invalid timezone: 'No time zone found with key Mars/Olympus'",
        ),
        (
            "cron_expression",
            "x y z",
            "Invalid CRON expression: Exactly 5, 6 or 7 columns has to be specified for "
            "iterator expression.",
        ),
        (
            "cron_expression",
            "61 * * * *",
            "Invalid CRON expression: [61 * * * *] is not acceptable, out of range",
        ),
        ("cron_expression", "a * * * *", "Invalid CRON expression: [a * * * *] is not acceptable"),
        (
            "cron_expression",
            "* * * * 1#9",
            "Invalid CRON expression: [* * * * 1#9] is not acceptable. "
            "Invalid day_of_week value: '9'",
        ),
        (
            "cron_expression",
            "0 0 * JUL 5L",
            "Invalid CRON expression: [0 0 * jul 5l] is not acceptable",
        ),
        (
            "cron_expression",
            "* * * 13 *",
            "Invalid CRON expression: [* * * 13 *] is not acceptable, out of range",
        ),
        (
            "json_string",
            "{bad",
            "JSON string {bad is invalid: Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)",
        ),
        ("test_constr", "1", ""),
    ],
)
def test_a_custom_constraint_refuses_with_upstreams_detail(name, value, detail):
    assert custom(name, value) == detail


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ip_addr", "notip", "Error validating value 'notip': Invalid IP address"),
        ("iso_8601", "yesterday", "Error validating value 'yesterday'"),
        (
            "timezone",
            "Mars/Olympus",
            "Error validating value 'Mars/Olympus': Invalid timezone: "
            "'No time zone found with key Mars/Olympus'",
        ),
    ],
)
def test_a_custom_constraint_message_names_the_value(name, value, message):
    assert check("string", {"custom_constraint": name}, value) == invalid(message)


def test_every_upstream_custom_constraint_is_registered():
    common = {
        "cron_expression", "dns_domain", "dns_name", "expiration", "ip_addr", "ip_or_cidr",
        "iso_8601", "json_string", "mac_addr", "net_cidr", "rel_dns_name", "test_constr",
        "timezone",
    }  # fmt: skip
    assert common <= set(constr.CUSTOM_CONSTRAINTS)
    assert {"nova.flavor", "glance.image", "neutron.network", "keystone.project"} <= set(
        constr.SERVICE_CONSTRAINTS
    )
    assert len(constr.SERVICE_CONSTRAINTS) == 57
