"""Environments: sections, the resource registry, hooks, environment files and PATCH merges.

Expected messages and shapes are upstream Heat 27's where it gives one (its API was asked
the same); where upstream fails with a 500 or no message, the test says what we give.
"""

from __future__ import annotations

import pytest

from common import exception
from heat_engine.template.environment import (
    Environment,
    ResourceRegistry,
    is_provider_template,
    merge,
)
from heat_engine.template.parameters import parse_schema
from heat_engine.validation import merge_environments, normalize_environment

EMPTY = {
    "resource_registry": {"resources": {}},
    "parameters": {},
    "parameter_defaults": {},
    "event_sinks": [],
    "encrypted_param_names": [],
}
HOOKS = "('pre-create', 'pre-update', 'pre-delete', 'post-create', 'post-update', 'post-delete')"


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        (None, EMPTY),
        ({}, EMPTY),
        ({"parameters": {"x": "p"}}, {**EMPTY, "parameters": {"x": "p"}}),
        (
            {"parameters": {"x": "p"}, "parameter_defaults": {"x": "pd", "unknown": 1}},
            {**EMPTY, "parameters": {"x": "p"}, "parameter_defaults": {"x": "pd", "unknown": 1}},
        ),
        ({"parameter_merge_strategies": {"x": "merge"}}, EMPTY),
        ({"encrypted_param_names": []}, EMPTY),
        ({"resource_registry": {"OS::Heat::None": None}}, EMPTY),
        (
            {"resource_registry": {"OS::Heat::No*": "OS::Heat::Nonexistent"}},
            {
                **EMPTY,
                "resource_registry": {"resources": {}, "OS::Heat::No*": "OS::Heat::Nonexistent"},
            },
        ),
        (
            {"resource_registry": {"resources": {"r": {"hooks": "pre-create"}}}},
            {**EMPTY, "resource_registry": {"resources": {"r": {"hooks": "pre-create"}}}},
        ),
        (
            {"event_sinks": [{"type": "zaqar-queue", "target": "q"}]},
            {**EMPTY, "event_sinks": [{"type": "zaqar-queue", "target": "q"}]},
        ),
    ],
)
def test_an_environment_is_stored_and_shown_as_upstream_shows_it(env, shown):
    assert Environment.from_request(env).to_dict() == shown
    assert normalize_environment(env) == shown


@pytest.mark.parametrize(
    ("env", "error", "message"),
    [
        (
            {"foo": {}},
            exception.Invalid,
            'Environment not in valid format: environment has wrong section "foo"',
        ),
        (
            {"parameters": None},
            exception.Invalid,
            'Environment not in valid format: environment has empty section "parameters"',
        ),
        (
            {"resource_registry": None},
            exception.Invalid,
            'Environment not in valid format: environment has empty section "resource_registry"',
        ),
        (
            {"parameters": [1]},
            exception.Invalid,
            'Environment not in valid format: section "parameters" must be a mapping, not list',
        ),
        (
            {"resource_registry": [1]},
            exception.Invalid,
            "Environment not in valid format: "
            'section "resource_registry" must be a mapping, not list',
        ),
        (
            {"event_sinks": {"a": 1}},
            exception.Invalid,
            'Environment not in valid format: section "event_sinks" must be a list, not dict',
        ),
        (
            {"event_sinks": [{"type": "bogus"}]},
            exception.Invalid,
            "Environment not in valid format: "
            "each event sink must be a mapping whose type is one of ['zaqar-queue']",
        ),
        (
            {"encrypted_param_names": ["x"]},
            exception.Invalid,
            "Environment not in valid format: encrypted_param_names is kept by the engine and "
            "cannot be given; parameters are not stored encrypted",
        ),
        (
            {"resource_registry": {"resources": {"r": {"hooks": "pre-bogus"}}}},
            exception.StackValidationFailed,
            f'Invalid hook type "pre-bogus" for resource breakpoint, acceptable hook types are: '
            f"{HOOKS}",
        ),
        (
            {"resource_registry": {"resources": {"r": {"hooks": ["pre-create", "bad"]}}}},
            exception.StackValidationFailed,
            "Invalid hook type \"['pre-create', 'bad']\" for resource breakpoint, acceptable "
            f"hook types are: {HOOKS}",
        ),
        (
            {"resource_registry": {"resources": {"r": {"hooks": 5}}}},
            exception.StackValidationFailed,
            f'Invalid hook type "5" for resource breakpoint, acceptable hook types are: {HOOKS}',
        ),
        (
            {"resource_registry": {"resources": {"r": {"restricted_actions": "bad"}}}},
            exception.StackValidationFailed,
            'Invalid restricted_action type "bad" for resource, acceptable restricted_action '
            "types are: ('update', 'replace')",
        ),
        (
            {"resource_registry": {"OS::Heat::None": 5}},
            exception.StackValidationFailed,
            "resource_registry.OS::Heat::None: a resource type, template file or URL is "
            "expected, not int",
        ),
        (
            {"resource_registry": {"resources": "x"}},
            exception.StackValidationFailed,
            "resource_registry.resources: a mapping of resource names is expected",
        ),
    ],
)
def test_a_malformed_environment_is_refused(env, error, message):
    with pytest.raises(error) as info:
        Environment.from_request(env)
    assert str(info.value) == message


REGISTRY = ResourceRegistry(
    {
        "resources": {
            "web": {"OS::Nova::Server": "My::Server", "hooks": ["pre-create", "post-delete"]},
            "db": {"My::Alias": "db.yaml"},
            "web_*": {"hooks": "pre-update", "restricted_actions": ["replace"]},
            "*": {"hooks": "pre-delete"},
        },
        "My::Alias": "OS::Heat::None",
        "My::Chain": "My::Alias",
        "My::Server": "OS::Heat::TestResource",
        "My::Provider": "provider.yaml",
        "My::Remote": "https://example.com/templates/remote.template",
        "OS::Nova::*": "OS::Heat::*",
        "OS::Trove*": "OS::Heat::*",
        "OS::Cinder::*": "OS::Heat::None",
        "Loop::A": "Loop::B",
        "Loop::B": "Loop::A",
        "Self::Same": "Self::Same",
        "Gone::*": "Gone::Target::*",
    }
)
KNOWN = {"OS::Heat::None", "OS::Heat::TestResource", "OS::Heat::Value", "Self::Same"}


@pytest.mark.parametrize(
    ("type_name", "resource_name", "resolved"),
    [
        ("OS::Heat::Value", None, "OS::Heat::Value"),
        ("My::Alias", None, "OS::Heat::None"),
        ("My::Chain", None, "OS::Heat::None"),
        ("My::Provider", None, "provider.yaml"),
        ("My::Remote", None, "https://example.com/templates/remote.template"),
        ("nested.yaml", None, "nested.yaml"),
        ("OS::Nova::Value", None, "OS::Heat::Value"),
        ("OS::Nova::Server", None, "OS::Nova::Server"),
        ("OS::TroveValue", "x", "OS::Heat::Value"),
        ("OS::Cinder::Volume", None, "OS::Heat::None"),
        ("OS::Nova::Server", "web", "OS::Heat::TestResource"),
        ("My::Alias", "db", "db.yaml"),
        ("My::Alias", "web", "OS::Heat::None"),
        ("Loop::A", None, "Loop::A"),
        ("Self::Same", None, "Self::Same"),
        ("Gone::Thing", None, "Gone::Thing"),
        ("Unknown::Type", None, "Unknown::Type"),
    ],
)
def test_resolve_type_follows_aliases_wildcards_and_per_resource_entries(
    type_name, resource_name, resolved
):
    assert REGISTRY.resolve_type(type_name, resource_name, is_known=KNOWN.__contains__) == resolved


def test_a_mapping_to_no_plugin_falls_back_as_upstream():
    registry = Environment.from_request(
        {"resource_registry": {"OS::Heat::No*": "OS::Heat::Nonexistent"}}
    ).registry
    assert registry.resolve_type("OS::Heat::None", "r", KNOWN.__contains__) == "OS::Heat::None"
    # without a plugin table every name counts as known: the first mapping wins
    assert registry.resolve_type("OS::Heat::None", "r") == "OS::Heat::Nonexistent"


def test_a_wildcard_sorting_before_an_exact_alias_wins_as_upstream():
    registry = ResourceRegistry(
        {
            "resources": {},
            "OS::Heat::V*": "OS::Heat::None",
            "OS::Heat::Value": "OS::Heat::TestResource",
        }
    )
    assert registry.resolve_type("OS::Heat::Value", None, KNOWN.__contains__) == "OS::Heat::None"


def test_a_per_resource_entry_applies_at_every_hop_as_upstream():
    registry = ResourceRegistry(
        {
            "resources": {"web": {"My::Mid": "OS::Heat::TestResource"}},
            "My::Alias": "My::Mid",
            "My::Mid": "OS::Heat::None",
        }
    )
    assert registry.resolve_type("My::Alias", "web", KNOWN.__contains__) == "OS::Heat::TestResource"
    assert registry.resolve_type("My::Alias", "db", KNOWN.__contains__) == "OS::Heat::None"


@pytest.mark.parametrize("name", ["a.yaml", "dir/b.template", "http://h/c.yaml"])
def test_provider_templates_are_told_by_their_suffix(name):
    assert is_provider_template(name)
    assert not is_provider_template("OS::Heat::None")


@pytest.mark.parametrize(
    ("resource_name", "hooks"),
    [
        ("web", {"pre-create", "post-delete", "pre-delete"}),
        ("web_1", {"pre-update", "pre-delete"}),
        ("db", {"pre-delete"}),
    ],
)
def test_hooks_match_names_and_patterns(resource_name, hooks):
    env = Environment(registry=REGISTRY)
    assert env.hooks_for(resource_name) == hooks


def test_restricted_actions_match_patterns():
    assert REGISTRY.restricted_actions_for("web_2") == {"replace"}
    assert REGISTRY.restricted_actions_for("web") == set()


SCHEMAS = {
    "s": parse_schema("s", {"type": "string", "default": "d"}),
    "j": parse_schema("j", {"type": "json", "default": {}}),
    "l": parse_schema("l", {"type": "comma_delimited_list", "default": ""}),
    "n": parse_schema("n", {"type": "number", "default": 0}),
    "b": parse_schema("b", {"type": "boolean", "default": False}),
    "pw": parse_schema("pw", {"type": "string", "hidden": True}),
}


def from_files(files, env=None, schemas=SCHEMAS):
    return Environment.from_request(env, list(files), files, schemas)


@pytest.mark.parametrize(
    ("files", "env", "section", "values"),
    [
        (
            {"a.yaml": "parameters: {s: a}", "b.yaml": "parameters: {s: b}"},
            None,
            "parameters",
            {"s": "b"},
        ),
        (
            {
                "a.yaml": "parameters: {s: a}\nparameter_merge_strategies: {s: merge}",
                "b.yaml": "parameters: {s: b}\nparameter_merge_strategies: {s: merge}",
            },
            None,
            "parameters",
            {"s": "ab"},
        ),
        (
            {
                "a.yaml": "parameters: {s: a}\nparameter_merge_strategies: {s: merge}",
                "b.yaml": "parameters: {s: b}",
            },
            None,
            "parameters",
            {"s": "ab"},
        ),
        (
            {
                "a.yaml": "parameters: {s: a}\nparameter_merge_strategies: {default: merge}",
                "b.yaml": "parameters: {s: b}\nparameter_merge_strategies: {default: merge}",
            },
            None,
            "parameters",
            {"s": "ab"},
        ),
        (
            {
                "a.yaml": "parameters: {s: a}\nparameter_merge_strategies: {s: bogus}",
                "b.yaml": "parameters: {s: b}\nparameter_merge_strategies: {s: bogus}",
            },
            None,
            "parameters",
            {"s": "b"},
        ),
        (
            {
                "a.yaml": "parameters: {s: a}\nparameter_merge_strategies: {s: merge}",
                "b.yaml": "parameters: {s: b}\nparameter_merge_strategies: {s: merge}",
            },
            {"parameters": {"s": "P"}},
            "parameters",
            {"s": "Pab"},
        ),
        ({"a.yaml": "parameters: {n: 7}"}, {"parameters": {"n": 5}}, "parameters", {"n": 7}),
        (
            {
                "a.yaml": "parameter_defaults: {s: a}\nparameter_merge_strategies: {s: merge}",
                "b.yaml": "parameter_defaults: {s: b}\nparameter_merge_strategies: {s: merge}",
            },
            None,
            "parameter_defaults",
            {"s": "ab"},
        ),
        (
            {
                "a.yaml": "parameters: {j: {a: {x: 1}, l: [1]}, l: 'a,b', n: 1}\n"
                "parameter_merge_strategies: {default: deep_merge}",
                "b.yaml": "parameters: {j: {a: {y: 2}, l: [2]}, l: [c], n: 2}\n"
                "parameter_merge_strategies: {default: deep_merge}",
            },
            None,
            "parameters",
            {"j": {"a": {"x": 1, "y": 2}, "l": [1, 2]}, "l": ["a", "b", "c"], "n": 3},
        ),
        (
            {
                "a.yaml": "parameters: {j: {a: {x: 1}}, l: [a], n: 1}\n"
                "parameter_merge_strategies: {default: merge}",
                "b.yaml": "parameters: {j: '{\"a\": {\"y\": 2}}', l: 'c,d', n: '2'}\n"
                "parameter_merge_strategies: {default: merge}",
            },
            None,
            "parameters",
            {"j": {"a": {"y": 2}}, "l": ["a", "c", "d"], "n": 3},
        ),
        (
            {
                "a.yaml": "parameters: {l: 'a,b'}\nparameter_merge_strategies: {l: merge}",
                "b.yaml": "parameters: {l: 'c'}",
            },
            None,
            "parameters",
            {"l": "a,b,c"},
        ),
        (
            {"a.yaml": "parameters: {s: a}", "b.yaml": "parameters: {s: b, zz: 1}"},
            None,
            "parameters",
            {"s": "b"},
        ),
        ({"a.yaml": ""}, None, "parameters", {}),
        ({"a.yaml": "{}"}, None, "parameters", {}),
    ],
)
def test_environment_files_merge_in_order_by_their_strategies(files, env, section, values):
    assert from_files(files, env).to_dict()[section] == values


def test_without_schemas_a_value_type_chooses_the_merge():
    files = {
        "a.yaml": "parameters: {s: a, n: 1, l: [x], j: {k: 1}}\n"
        "parameter_merge_strategies: {default: merge}",
        "b.yaml": "parameters: {s: b, n: 2, l: [y], j: {m: 2}}\n"
        "parameter_merge_strategies: {default: merge}",
    }
    assert from_files(files, schemas=None).parameters == {
        "s": "ab",
        "n": 3,
        "l": ["x", "y"],
        "j": {"k": 1, "m": 2},
    }


def test_other_sections_of_environment_files_merge_too():
    files = {
        "a.yaml": "resource_registry: {resources: {r: {hooks: pre-create}}, 'A::B': OS::Heat::None}"
        "\nevent_sinks: [{type: zaqar-queue, target: q}]",
        "b.yaml": "resource_registry: {resources: {r: {restricted_actions: update}}, "
        "'A::C': OS::Heat::None, 'A::B': null}\nevent_sinks: [{type: zaqar-queue, target: r}]",
    }
    shown = from_files(files).to_dict()
    assert shown["resource_registry"] == {
        "resources": {"r": {"hooks": "pre-create", "restricted_actions": "update"}},
        "A::C": "OS::Heat::None",
    }
    assert [s["target"] for s in shown["event_sinks"]] == ["q", "r"]


@pytest.mark.parametrize(
    ("files", "names", "error", "message"),
    [
        (
            {
                "a.yaml": "parameters: {s: a}\nparameter_merge_strategies: {s: overwrite}",
                "b.yaml": "parameters: {s: b}\nparameter_merge_strategies: {s: merge}",
            },
            None,
            exception.StackValidationFailed,
            "Conflicting merge strategy 'merge' for parameter 's' in file 'b.yaml'.",
        ),
        (
            {
                "a.yaml": "parameters: {j: {k: 1}}",
                "b.yaml": "parameters: {j: '{\"m\": 2}'}\nparameter_merge_strategies: {j: merge}",
            },
            None,
            exception.StackValidationFailed,
            "Conflicting merge strategy 'merge' for parameter 'j' in file 'b.yaml'.",
        ),
        (
            {
                "a.yaml": "parameters: {b: true}\nparameter_merge_strategies: {b: merge}",
                "b.yaml": "parameters: {b: false}\nparameter_merge_strategies: {b: merge}",
            },
            None,
            exception.StackValidationFailed,
            "Invalid merge strategy 'merge' for parameter 'b'.",
        ),
        (
            {
                "a.yaml": "parameters: {n: 1}\nparameter_merge_strategies: {n: merge}",
                "b.yaml": "parameters: {n: abc}",
            },
            None,
            exception.StackValidationFailed,
            "Parameter 'n' is invalid: could not convert string to float: 'abc'",
        ),
        (
            {"a.yaml": "foo: {}"},
            None,
            exception.Invalid,
            'Environment file "a.yaml" not in valid format: environment has wrong section "foo"',
        ),
        (
            {"a.yaml": "parameters: null"},
            None,
            exception.Invalid,
            'Environment file "a.yaml" not in valid format: '
            'environment has empty section "parameters"',
        ),
        (
            {"a.yaml": "[1]"},
            None,
            exception.Invalid,
            'Environment file "a.yaml" not in valid format: '
            "The environment is not a valid YAML mapping data type.",
        ),
        (
            {},
            ["missing.yaml"],
            exception.Invalid,
            'Environment file "missing.yaml" is not among the files sent with the request.',
        ),
    ],
)
def test_bad_environment_files_are_refused(files, names, error, message):
    with pytest.raises(error) as info:
        Environment.from_request(None, names or list(files), files, SCHEMAS)
    assert str(info.value) == message


def test_a_yaml_error_in_an_environment_file_names_the_file():
    with pytest.raises(exception.Invalid) as info:
        Environment.from_request(None, ["a.yaml"], {"a.yaml": "parameters: {x: 1"})
    assert str(info.value).startswith('Environment file "a.yaml" not in valid format: ')
    assert "line 1" in str(info.value)


STORED = Environment.from_request(
    {
        "parameters": {"x": "a", "y": "b", "gone": 1},
        "parameter_defaults": {"d": 1},
        "resource_registry": {
            "A::B": "OS::Heat::None",
            "OS::Nova::Server": "My::Server",
            "OS::Nova::Port": "My::Port",
            "resources": {"r": {"hooks": "pre-create"}},
        },
        "event_sinks": [{"type": "zaqar-queue", "target": "q"}],
    }
)


def test_patch_lays_the_new_environment_over_the_stored_one():
    new = Environment.from_request(
        {
            "parameters": {"x": "new"},
            "parameter_defaults": {"e": 2},
            "resource_registry": {
                "A::B": None,
                "OS::Nova*": None,
                "resources": {"r": {"restricted_actions": "replace"}},
            },
            "event_sinks": [
                {"type": "zaqar-queue", "target": "q"},
                {"type": "zaqar-queue", "target": "q2"},
            ],
        }
    )
    merged = merge(STORED, new, clear_parameters=["y"]).to_dict()
    assert merged == {
        "resource_registry": {
            "resources": {"r": {"hooks": "pre-create", "restricted_actions": "replace"}}
        },
        "parameters": {"x": "new", "gone": 1},
        "parameter_defaults": {"d": 1, "e": 2},
        "event_sinks": [
            {"type": "zaqar-queue", "target": "q"},
            {"type": "zaqar-queue", "target": "q2"},
        ],
        "encrypted_param_names": [],
    }
    assert STORED.parameters["x"] == "a"


def test_patch_keeps_only_the_parameters_the_new_template_declares():
    kept = merge(STORED, Environment.from_request({})).with_parameters_of({"x": 1, "y": 2})
    assert dict(kept.parameters) == {"x": "a", "y": "b"}
    assert dict(kept.parameter_defaults) == {"d": 1}


def test_merge_environments_works_on_stored_dicts():
    merged = merge_environments(STORED.to_dict(), {"parameters": {"y": "c"}})
    assert merged["parameters"] == {"x": "a", "y": "c", "gone": 1}
    assert Environment.from_stored(merged).to_dict() == merged


def test_user_parameters_are_parameters_over_defaults():
    env = Environment.from_request(
        {
            "parameters": {"s": "p", "n": None, "unknown": 1},
            "parameter_defaults": {"s": "pd", "n": 4, "b": None, "nested_only": 2},
        }
    )
    assert env.user_parameters(SCHEMAS) == {"s": "p", "n": 4, "unknown": 1}


def test_display_masks_hidden_parameters():
    env = Environment.from_request(
        {"parameters": {"pw": "s3cret", "s": "x"}, "parameter_defaults": {"pw": "d"}}
    )
    shown = env.display(SCHEMAS)
    assert shown["parameters"] == {"pw": "******", "s": "x"}
    assert shown["parameter_defaults"] == {"pw": "******"}
    assert env.parameters["pw"] == "s3cret"


def test_an_environment_cannot_be_changed():
    with pytest.raises(TypeError):
        STORED.parameters["x"] = "changed"  # type: ignore[index]
    with pytest.raises(AttributeError):
        STORED.parameters = {}  # type: ignore[misc]
