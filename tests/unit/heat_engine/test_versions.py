"""Template versions: each has exactly upstream's functions, condition functions and sections."""

from __future__ import annotations

import itertools

import pytest

from common import exception
from heat_engine.template import functions as fn
from heat_engine.template import versions
from heat_engine.template.template import Template

# What upstream Heat 27 registers per version (its template_versions/<v>/functions).
HOT_2013 = (
    "Fn::Base64 Fn::GetAZs Fn::Join Fn::MemberListToMap Fn::Replace Fn::ResourceFacade "
    "Fn::Select Fn::Split Ref get_attr get_file get_param get_resource list_join "
    "resource_facade str_replace"
)
HOT_2014 = (
    "Fn::Select get_attr get_file get_param get_resource list_join resource_facade str_replace"
)
HOT_2015_04 = f"{HOT_2014} digest repeat"
HOT_2015_10 = (
    "digest get_attr get_file get_param get_resource list_join repeat resource_facade "
    "str_replace str_split"
)
HOT_2016_04 = f"{HOT_2015_10} map_merge"
HOT_2016_10 = f"{HOT_2016_04} if map_replace yaql"
HOT_2017_02 = f"{HOT_2016_10} filter str_replace_strict"
HOT_2017_09 = f"{HOT_2017_02} contains list_concat list_concat_unique make_url str_replace_vstrict"
REMOVED_2014 = (
    "Fn::Base64 Fn::GetAZs Fn::Join Fn::MemberListToMap Fn::Replace Fn::ResourceFacade "
    "Fn::Split Ref"
)
REMOVED_2015_10 = f"{REMOVED_2014} Fn::Select"
CONDITIONS_2016_10 = "and equals get_param not or"
CONDITIONS_2017_09 = f"{CONDITIONS_2016_10} contains yaql"

HOT = {
    "2013-05-23": (HOT_2013, "", ""),
    "2014-10-16": (HOT_2014, REMOVED_2014, ""),
    "2015-04-30": (HOT_2015_04, REMOVED_2014, ""),
    "2015-10-15": (HOT_2015_10, REMOVED_2015_10, ""),
    "2016-04-08": (HOT_2016_04, REMOVED_2015_10, ""),
    "2016-10-14": (HOT_2016_10, REMOVED_2015_10, CONDITIONS_2016_10),
    "2017-02-24": (HOT_2017_02, REMOVED_2015_10, CONDITIONS_2016_10),
    "2017-09-01": (HOT_2017_09, REMOVED_2015_10, CONDITIONS_2017_09),
    "2018-03-02": (HOT_2017_09, REMOVED_2015_10, CONDITIONS_2017_09),
    "2018-08-31": (HOT_2017_09, REMOVED_2015_10, CONDITIONS_2017_09),
    "2021-04-16": (HOT_2017_09, REMOVED_2015_10, CONDITIONS_2017_09),
}
ALIASES = {
    "newton": "2016-10-14",
    "ocata": "2017-02-24",
    "pike": "2017-09-01",
    "queens": "2018-03-02",
    "rocky": "2018-08-31",
    "wallaby": "2021-04-16",
}
CFN_COMMON = (
    "Fn::Base64 Fn::FindInMap Fn::GetAZs Fn::GetAtt Fn::Join Fn::MemberListToMap Fn::Replace "
    "Fn::ResourceFacade Fn::Select Fn::Split Ref"
)
CFN = {
    ("AWSTemplateFormatVersion", "2010-09-09"): (
        f"{CFN_COMMON} Fn::If",
        "Fn::And Fn::Equals Fn::FindInMap Fn::Not Fn::Or Ref",
    ),
    ("HeatTemplateFormatVersion", "2012-12-12"): (CFN_COMMON, ""),
}


def names(table, kind=None):
    if kind is None:
        return {n for n, f in table.items() if f not in (fn.Removed, fn.NotInContext)}
    return {n for n, f in table.items() if f is kind}


@pytest.mark.parametrize("date", sorted(HOT))
def test_hot_version_has_exactly_upstreams_functions(date):
    functions, removed, conditions = HOT[date]
    accepts = versions.HOT_VERSIONS[date]
    assert names(accepts.functions) == set(functions.split())
    assert names(accepts.functions, fn.Removed) == set(removed.split())
    assert names(accepts.condition_functions) == set(conditions.split())


@pytest.mark.parametrize(("key", "version"), sorted(CFN))
def test_cfn_version_has_exactly_upstreams_functions(key, version):
    functions, conditions = CFN[(key, version)]
    accepts = versions.CFN_VERSIONS[key][version]
    assert names(accepts.functions) == set(functions.split())
    assert names(accepts.condition_functions) == set(conditions.split())


@pytest.mark.parametrize(("alias", "date"), sorted(ALIASES.items()))
def test_release_name_is_the_same_version_as_its_date(alias, date):
    template = Template({"heat_template_version": alias})
    assert template.version == ("heat_template_version", date)
    assert template.functions is versions.HOT_VERSIONS[date].functions


def test_each_version_is_built_from_the_previous_without_changing_it():
    dates = sorted(HOT)
    for earlier, later in itertools.pairwise(dates):
        before = versions.HOT_VERSIONS[earlier].functions
        after = versions.HOT_VERSIONS[later].functions
        assert set(before) <= set(after)
        with pytest.raises(TypeError):
            after["get_param"] = fn.Removed  # type: ignore[index]


REMOVED_USES = [
    (date, name) for date, (_, removed, _) in sorted(HOT.items()) for name in removed.split()
]


@pytest.mark.parametrize(("date", "name"), REMOVED_USES)
def test_function_a_version_removed_is_an_error_naming_it(date, name):
    template = Template(
        {
            "heat_template_version": date,
            "resources": {"r": {"type": "OS::Heat::Value", "properties": {"value": {name: "x"}}}},
        }
    )
    params = template.parameters({}, "st", "id", "tenant")
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(params)
    assert str(info.value) == (
        f"resources.r.properties.value.{name}: The template version is invalid: "
        f"The function {name} is not supported in this version of HOT."
    )
    assert isinstance(info.value.__cause__, exception.InvalidTemplateVersion)


def test_removed_function_in_an_output_names_its_place_in_the_value():
    template = Template(
        {"heat_template_version": "2015-10-15", "outputs": {"o": {"value": {"a": {"Ref": "x"}}}}}
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(template.parameters({}, "st", "id", "t"))
    assert str(info.value).startswith("outputs.o.value.a.Ref: The template version is invalid")


def test_removed_function_nested_in_another_is_named_relative_to_it():
    template = Template(
        {
            "heat_template_version": "2016-10-14",
            "outputs": {"o": {"value": {"list_join": [",", [{"Ref": "x"}]]}}},
        }
    )
    with pytest.raises(exception.StackValidationFailed) as info:
        template.validate(template.parameters({}, "st", "id", "t"))
    assert str(info.value) == (
        "outputs.o.value.list_join: [1][0].Ref: The template version is invalid: "
        "The function Ref is not supported in this version of HOT."
    )


ABSENT = [
    ("2013-05-23", "Fn::GetAtt"),
    ("2013-05-23", "Fn::FindInMap"),
    ("2013-05-23", "repeat"),
    ("2014-10-16", "digest"),
    ("2015-04-30", "str_split"),
    ("2015-10-15", "map_merge"),
    ("2016-04-08", "if"),
    ("2016-04-08", "yaql"),
    ("2016-10-14", "filter"),
    ("2016-10-14", "str_replace_strict"),
    ("2017-02-24", "make_url"),
    ("2017-02-24", "list_concat"),
    ("2017-02-24", "contains"),
    ("2021-04-16", "Fn::If"),
    ("2021-04-16", "equals"),
]


@pytest.mark.parametrize(("date", "name"), ABSENT)
def test_name_a_version_never_had_stays_plain_data(date, name):
    snippet = {name: ["a", "b"]}
    template = Template({"heat_template_version": date, "outputs": {"o": {"value": snippet}}})
    template.validate(template.parameters({}, "st", "id", "t"))
    assert template.outputs["o"].value == snippet


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"resources": {}}, "Template version was not provided"),
        ({"heat_template_version": 20161014}, "Template version was not provided"),
        (
            {"heat_template_version": "2012-01-01"},
            '"heat_template_version: 2012-01-01". "heat_template_version" should be one of: '
            "2013-05-23, 2014-10-16, 2015-04-30, 2015-10-15, 2016-04-08, 2016-10-14, "
            "2017-02-24, 2017-09-01, 2018-03-02, 2018-08-31, 2021-04-16, newton, ocata, pike, "
            "queens, rocky, wallaby",
        ),
        (
            {"AWSTemplateFormatVersion": "2010-09-10"},
            '"AWSTemplateFormatVersion: 2010-09-10". "AWSTemplateFormatVersion" should be: '
            "2010-09-09",
        ),
        (
            {"HeatTemplateFormatVersion": "2010-09-09"},
            '"HeatTemplateFormatVersion: 2010-09-09". "HeatTemplateFormatVersion" should be: '
            "2012-12-12",
        ),
        (
            {"heat_template_version": "2016-10-14", "AWSTemplateFormatVersion": "2010-09-09"},
            "Ambiguous versions (heat_template_version, AWSTemplateFormatVersion)",
        ),
    ],
)
def test_version_errors_read_as_upstreams(data, message):
    with pytest.raises(exception.InvalidTemplateVersion) as info:
        Template(data)
    assert str(info.value) == f"The template version is invalid: {message}"


SECTIONS = [
    ("heat_template_version", "2016-04-08", "conditions", False),
    ("heat_template_version", "2016-10-14", "conditions", True),
    ("heat_template_version", "2013-05-23", "parameter_groups", True),
    ("heat_template_version", "2021-04-16", "Resources", False),
    ("heat_template_version", "2021-04-16", "foo", False),
    ("AWSTemplateFormatVersion", "2010-09-09", "Conditions", True),
    ("AWSTemplateFormatVersion", "2010-09-09", "Mappings", True),
    ("AWSTemplateFormatVersion", "2010-09-09", "resources", False),
    ("HeatTemplateFormatVersion", "2012-12-12", "Conditions", False),
    ("HeatTemplateFormatVersion", "2012-12-12", "Mappings", True),
]


@pytest.mark.parametrize(("key", "version", "section", "is_allowed"), SECTIONS)
def test_sections_per_version(key, version, section, is_allowed):
    data = {key: version, section: {}}
    if is_allowed:
        Template(data)
        return
    with pytest.raises(exception.InvalidTemplateSection) as info:
        Template(data)
    assert str(info.value) == f"The template section is invalid: {section}"


@pytest.mark.parametrize(
    ("date", "key", "message"),
    [
        (
            "2016-04-08",
            "external_id",
            "Invalid keyword(s) inside a resource definition: external_id",
        ),
        ("2016-04-08", "condition", "Invalid keyword(s) inside a resource definition: condition"),
        (
            "2021-04-16",
            "propertees",
            '"propertees" is not a valid keyword inside a resource definition',
        ),
    ],
)
def test_resource_keys_per_version(date, key, message):
    data = {
        "heat_template_version": date,
        "resources": {"r": {"type": "OS::Heat::None", key: "x"}},
    }
    with pytest.raises(exception.StackValidationFailed) as info:
        Template(data)
    assert str(info.value) == f"resources.r: {message}"


@pytest.mark.parametrize("date", ["2016-10-14", "2021-04-16"])
def test_external_id_and_condition_are_resource_keys_from_newton(date):
    template = Template(
        {
            "heat_template_version": date,
            "resources": {"r": {"type": "OS::Heat::None", "external_id": "x", "condition": True}},
        }
    )
    assert template.resources["r"].external_id == "x"
    assert template.resources["r"].condition is True


@pytest.mark.parametrize(
    ("date", "policy", "expected"),
    [
        ("2016-04-08", "Retain", "Retain"),
        ("2016-10-14", "retain", "Retain"),
        ("2016-10-14", "snapshot", "Snapshot"),
    ],
)
def test_deletion_policies_per_version(date, policy, expected):
    template = Template(
        {
            "heat_template_version": date,
            "resources": {"r": {"type": "OS::Heat::None", "deletion_policy": policy}},
        }
    )
    assert template.resources["r"].deletion_policy == expected


def test_lowercase_deletion_policy_is_invalid_before_newton():
    with pytest.raises(exception.StackValidationFailed) as info:
        Template(
            {
                "heat_template_version": "2016-04-08",
                "resources": {"r": {"type": "OS::Heat::None", "deletion_policy": "retain"}},
            }
        )
    assert str(info.value) == 'Invalid deletion policy "retain"'


def test_cfn_ignores_condition_key_without_conditions_and_unknown_keys():
    template = Template(
        {
            "HeatTemplateFormatVersion": "2012-12-12",
            "Resources": {"r": {"Type": "OS::Heat::None", "Condition": "c", "Foo": 1}},
        }
    )
    assert template.resources["r"].condition is None
