"""Template versions, sections, functions and parameters as users see them."""

from __future__ import annotations

import pytest

from common import exception
from heat_engine.template import functions as fn
from heat_engine.template.template import Template
from heat_engine.template.versions import HOT_VERSIONS

ALL_HOT = [*HOT_VERSIONS, "newton", "ocata", "pike", "queens", "rocky", "wallaby"]


class Resolver:
    def __init__(self, params=None, refs=None, attrs=None):
        self.params, self.refs, self.attrs = params or {}, refs or {}, attrs or {}

    def param(self, name):
        return self.params[name]

    def has_resource(self, name):
        return name in self.refs

    def resource_ref(self, name):
        return self.refs[name]

    def resource_attr(self, name, attr, path):
        return fn.dig(self.attrs[(name, attr)], path)


@pytest.mark.parametrize("version", ALL_HOT)
def test_every_hot_version_is_accepted(version):
    template = Template({"heat_template_version": version, "resources": {}})
    assert template.is_hot


def test_unknown_version_names_the_valid_ones():
    with pytest.raises(exception.InvalidTemplateVersion) as info:
        Template({"heat_template_version": "2012-01-01"})
    assert "2013-05-23" in str(info.value) and "2021-04-16" in str(info.value)


def test_missing_version():
    with pytest.raises(exception.InvalidTemplateVersion) as info:
        Template({"resources": {}})
    assert str(info.value) == "The template version is invalid: Template version was not provided"


def test_conditions_section_only_from_newton():
    Template({"heat_template_version": "2016-10-14", "conditions": {}})
    with pytest.raises(exception.InvalidTemplateSection):
        Template({"heat_template_version": "2016-04-08", "conditions": {}})


def test_unknown_resource_key_is_named():
    with pytest.raises(exception.StackValidationFailed) as info:
        Template(
            {
                "heat_template_version": "2013-05-23",
                "resources": {"r": {"type": "OS::Heat::None", "propertees": {}}},
            }
        )
    assert '"propertees" is not a valid keyword' in str(info.value)
    assert "resources.r" in str(info.value)


def test_dependencies_come_from_references_and_depends_on():
    template = Template(
        {
            "heat_template_version": "2015-04-30",
            "resources": {
                "a": {"type": "OS::Heat::None"},
                "b": {"type": "OS::Heat::Value", "properties": {"value": {"get_attr": ["a", "x"]}}},
                "c": {"type": "OS::Heat::Value", "properties": {"value": {"get_resource": "b"}}},
                "d": {"type": "OS::Heat::None", "depends_on": ["a", "c"]},
            },
        }
    )
    names = set(template.resources)
    assert {n: d.dependencies(names) for n, d in template.resources.items()} == {
        "a": set(),
        "b": {"a"},
        "c": {"b"},
        "d": {"a", "c"},
    }


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ({"get_param": "name"}, "web"),
        ({"get_param": ["map", "k", 1]}, "y"),
        ({"get_resource": "r"}, "phys-1"),
        ({"get_attr": ["r", "first"]}, {"k": ["x", "y"]}),
        ({"get_attr": ["r", "first", "k", 0]}, "x"),
        ({"list_join": [",", ["a", "b"], ["c"]]}, "a,b,c"),
        (
            {"str_replace": {"template": "hi $who", "params": {"$who": {"get_param": "name"}}}},
            "hi web",
        ),
    ],
)
def test_functions_resolve(snippet, expected):
    parsed = fn.parse(snippet, HOT_VERSIONS["2015-10-15"][1])
    resolver = Resolver(
        params={"name": "web", "map": {"k": ["x", "y"]}},
        refs={"r": "phys-1"},
        attrs={("r", "first"): {"k": ["x", "y"]}},
    )
    assert fn.resolve(parsed, resolver) == expected


def test_parameters_typed_defaulted_and_hidden():
    template = Template(
        {
            "heat_template_version": "2013-05-23",
            "parameters": {
                "n": {"type": "number", "default": 3},
                "flag": {"type": "boolean", "default": "yes"},
                "names": {"type": "comma_delimited_list", "default": "a, b"},
                "doc": {"type": "json", "default": {"k": 1}},
                "pw": {"type": "string", "hidden": True},
            },
        }
    )
    params = template.parameters({"n": "7", "pw": "s3cret"}, "st", "id", "tenant")
    assert params.get("n") == 7 and params.get("flag") is True
    assert params.get("names") == ["a", "b"] and params.get("doc") == {"k": 1}
    shown = params.display()
    assert shown["pw"] == "******" and shown["n"] == "7" and shown["flag"] == "true"
    assert shown["names"] == "a,b" and shown["OS::stack_name"] == "st"


@pytest.mark.parametrize(
    ("schema", "value", "message"),
    [
        ({"type": "string", "constraints": [{"length": {"min": 3}}]}, "ab", "length"),
        ({"type": "number", "constraints": [{"range": {"max": 5}}]}, 6, "out of range"),
        ({"type": "string", "constraints": [{"allowed_values": ["a"]}]}, "b", "allowed"),
        ({"type": "string", "constraints": [{"allowed_pattern": "[a-z]+"}]}, "AB", "pattern"),
        (
            {
                "type": "string",
                "constraints": [{"allowed_pattern": "[a-z]+", "description": "lowercase only"}],
            },
            "AB",
            "lowercase only",
        ),
        ({"type": "number"}, "abc", "is invalid"),
    ],
)
def test_parameter_constraints_name_the_parameter(schema, value, message):
    template = Template({"heat_template_version": "2013-05-23", "parameters": {"p": schema}})
    with pytest.raises(exception.StackValidationFailed) as info:
        template.parameters({"p": value}, "st", "id", "tenant")
    assert "Parameter 'p' is invalid" in str(info.value) and message in str(info.value)


def test_missing_and_unknown_parameters():
    template = Template(
        {"heat_template_version": "2013-05-23", "parameters": {"p": {"type": "string"}}}
    )
    with pytest.raises(exception.UserParameterMissing):
        template.parameters({}, "st", "id", "t")
    with pytest.raises(exception.UnknownUserParameter):
        template.parameters({"p": "x", "q": "y"}, "st", "id", "t")
