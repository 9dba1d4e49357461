"""Template versions: for each one, exactly its functions, condition functions, sections and keys.

Each HOT version is built from the one before it by adding, replacing and removing names;
no table is ever changed once built. A name a version removed maps to ``Removed``: using
it is an error naming it. A name a version never had is no function there: plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from heat_engine.template.functions import (
    Function,
    FunctionTable,
    NotInContext,
    Removed,
    files,
    references,
    strings,
)
from heat_engine.template.functions import cfn as c
from heat_engine.template.functions import conditions as cond
from heat_engine.template.functions import lists_and_maps as lm
from heat_engine.template.functions import yaql_expression as yq

HOT_KEY = "heat_template_version"
AWS_KEY = "AWSTemplateFormatVersion"
HEAT_CFN_KEY = "HeatTemplateFormatVersion"
CFN_KEYS = (AWS_KEY, HEAT_CFN_KEY)
VERSION_KEYS = (HOT_KEY, *CFN_KEYS)


class TemplateVersion(NamedTuple):
    """What one template version accepts."""

    alias: str | None
    functions: FunctionTable
    condition_functions: FunctionTable  # empty where the version has no conditions
    sections: tuple[str, ...]
    resource_keys: tuple[str, ...]
    output_keys: tuple[str, ...]
    deletion_policies: Mapping[str, str]  # as written -> canonical

    @property
    def has_conditions(self) -> bool:
        return bool(self.condition_functions)


def derive(
    previous: FunctionTable,
    add: FunctionTable | None = None,
    remove: Iterable[str] = (),
) -> FunctionTable:
    """A new table: ``previous`` with ``add`` laid over it and ``remove`` marked removed."""
    table = dict(previous)
    table.update(add or {})
    table.update({name: Removed for name in remove})
    return MappingProxyType(table)


def condition_table(functions: FunctionTable, allowed: FunctionTable) -> FunctionTable:
    """The functions a condition may use; any other function is an error where it is used."""
    table: dict[str, type[Function]] = {
        n: (f if f is Removed else NotInContext) for n, f in functions.items()
    }
    table.update(allowed)
    return MappingProxyType(table)


_DELETION_POLICIES = MappingProxyType({p: p for p in ("Delete", "Retain", "Snapshot")})
_DELETION_POLICIES_ANY_CASE = MappingProxyType(
    {**_DELETION_POLICIES, **{p.lower(): p for p in _DELETION_POLICIES}}
)
_NO_FUNCTIONS: FunctionTable = MappingProxyType({})

HOT_SECTIONS = (
    HOT_KEY,
    "description",
    "parameter_groups",
    "parameters",
    "resources",
    "outputs",
)
HOT_RESOURCE_KEYS = (
    "type",
    "properties",
    "metadata",
    "depends_on",
    "deletion_policy",
    "update_policy",
    "description",
)
HOT_OUTPUT_KEYS = ("description", "value")

_HOT_2013 = derive(
    {},
    {
        "Fn::GetAZs": c.GetAZs,
        "get_param": references.GetParam,
        "get_resource": references.GetResource,
        "Ref": c.Ref,
        "get_attr": references.GetAttr,
        "Fn::Select": c.Select,
        "Fn::Join": strings.ListJoin,
        "list_join": strings.ListJoin,
        "Fn::Split": c.Split,
        "str_replace": strings.StrReplace,
        "Fn::Replace": c.CfnReplace,
        "Fn::Base64": c.Base64,
        "Fn::MemberListToMap": c.MemberListToMap,
        "resource_facade": references.ResourceFacade,
        "Fn::ResourceFacade": c.CfnResourceFacade,
        "get_file": files.GetFile,
    },
)
_HOT_2014 = derive(
    _HOT_2013,
    remove=(
        "Fn::GetAZs",
        "Fn::Join",
        "Fn::Split",
        "Fn::Replace",
        "Fn::Base64",
        "Fn::MemberListToMap",
        "Fn::ResourceFacade",
        "Ref",
    ),
)
_HOT_2015_04 = derive(_HOT_2014, {"repeat": lm.Repeat, "digest": strings.Digest})
_HOT_2015_10 = derive(
    _HOT_2015_04,
    {
        "get_attr": references.GetAttrAll,
        "list_join": strings.ListJoinMultiple,
        "str_replace": strings.StrReplaceJson,
        "str_split": strings.StrSplit,
    },
    remove=("Fn::Select",),
)
_HOT_2016_04 = derive(_HOT_2015_10, {"map_merge": lm.MapMerge})
_HOT_2016_10 = derive(
    _HOT_2016_04,
    {
        "repeat": lm.RepeatWithMap,
        "yaql": yq.Yaql,
        "map_replace": lm.MapReplace,
        "if": cond.If,
    },
)
_HOT_2017_02 = derive(
    _HOT_2016_10, {"filter": lm.Filter, "str_replace_strict": strings.StrReplaceStrict}
)
_HOT_2017_09 = derive(
    _HOT_2017_02,
    {
        "repeat": lm.RepeatWithPermutations,
        "make_url": strings.MakeUrl,
        "list_concat": lm.ListConcat,
        "str_replace_vstrict": strings.StrReplaceVeryStrict,
        "list_concat_unique": lm.ListConcatUnique,
        "contains": cond.Contains,
    },
)
_HOT_2021_04 = derive(_HOT_2017_09, {"if": cond.IfNullable})

_HOT_CONDITIONS_2016_10 = derive(
    {},
    {
        "get_param": references.GetParam,
        "equals": cond.Equals,
        "not": cond.Not,
        "and": cond.And,
        "or": cond.Or,
    },
)
_HOT_CONDITIONS_2017_09 = derive(
    _HOT_CONDITIONS_2016_10, {"yaql": yq.Yaql, "contains": cond.Contains}
)


def _hot(
    alias: str | None, functions: FunctionTable, conditions: FunctionTable = _NO_FUNCTIONS
) -> TemplateVersion:
    if not conditions:
        return TemplateVersion(
            alias,
            functions,
            _NO_FUNCTIONS,
            HOT_SECTIONS,
            HOT_RESOURCE_KEYS,
            HOT_OUTPUT_KEYS,
            _DELETION_POLICIES,
        )
    return TemplateVersion(
        alias,
        functions,
        condition_table(functions, conditions),
        (*HOT_SECTIONS, "conditions"),
        (*HOT_RESOURCE_KEYS, "external_id", "condition"),
        (*HOT_OUTPUT_KEYS, "condition"),
        _DELETION_POLICIES_ANY_CASE,
    )


# date -> what the version accepts; ``[1]`` of each is its function table
HOT_VERSIONS: Mapping[str, TemplateVersion] = MappingProxyType(
    {
        "2013-05-23": _hot(None, _HOT_2013),
        "2014-10-16": _hot(None, _HOT_2014),
        "2015-04-30": _hot(None, _HOT_2015_04),
        "2015-10-15": _hot(None, _HOT_2015_10),
        "2016-04-08": _hot(None, _HOT_2016_04),
        "2016-10-14": _hot("newton", _HOT_2016_10, _HOT_CONDITIONS_2016_10),
        "2017-02-24": _hot("ocata", _HOT_2017_02, _HOT_CONDITIONS_2016_10),
        "2017-09-01": _hot("pike", _HOT_2017_09, _HOT_CONDITIONS_2017_09),
        "2018-03-02": _hot("queens", _HOT_2017_09, _HOT_CONDITIONS_2017_09),
        "2018-08-31": _hot("rocky", _HOT_2017_09, _HOT_CONDITIONS_2017_09),
        "2021-04-16": _hot("wallaby", _HOT_2021_04, _HOT_CONDITIONS_2017_09),
    }
)
HOT_ALIASES = MappingProxyType({v.alias: d for d, v in HOT_VERSIONS.items() if v.alias})

CFN_SECTIONS = (
    AWS_KEY,
    HEAT_CFN_KEY,
    "Description",
    "Mappings",
    "Parameters",
    "Resources",
    "Outputs",
)
CFN_RESOURCE_KEYS = (
    "Type",
    "Properties",
    "Metadata",
    "DependsOn",
    "DeletionPolicy",
    "UpdatePolicy",
    "Description",
)
_HEAT_CFN = derive(
    {},
    {
        "Fn::FindInMap": c.FindInMap,
        "Fn::GetAZs": c.GetAZs,
        "Ref": c.Ref,
        "Fn::GetAtt": c.CfnGetAtt,
        "Fn::Select": c.Select,
        "Fn::Join": strings.ListJoin,
        "Fn::Split": c.Split,
        "Fn::Replace": c.CfnReplace,
        "Fn::Base64": c.Base64,
        "Fn::MemberListToMap": c.MemberListToMap,
        "Fn::ResourceFacade": c.CfnResourceFacade,
    },
)
_AWS_CFN = derive(_HEAT_CFN, {"Fn::If": cond.If})
_AWS_CONDITIONS = derive(
    {},
    {
        "Fn::Equals": cond.Equals,
        "Ref": c.ParamRef,
        "Fn::FindInMap": c.FindInMap,
        "Fn::Not": c.CfnNot,
        "Fn::And": cond.And,
        "Fn::Or": cond.Or,
    },
)

# version key -> version -> what it accepts
CFN_VERSIONS: Mapping[str, Mapping[str, TemplateVersion]] = MappingProxyType(
    {
        AWS_KEY: {
            "2010-09-09": TemplateVersion(
                None,
                _AWS_CFN,
                condition_table(_AWS_CFN, _AWS_CONDITIONS),
                (*CFN_SECTIONS, "Conditions"),
                (*CFN_RESOURCE_KEYS, "Condition"),
                ("Description", "Value", "Condition"),
                _DELETION_POLICIES,
            )
        },
        HEAT_CFN_KEY: {
            "2012-12-12": TemplateVersion(
                None,
                _HEAT_CFN,
                _NO_FUNCTIONS,
                CFN_SECTIONS,
                CFN_RESOURCE_KEYS,
                ("Description", "Value"),
                _DELETION_POLICIES,
            )
        },
    }
)


def hot_date(version: str) -> str | None:
    """The canonical date of a HOT version given by date or by release name."""
    version = str(version)
    if version in HOT_VERSIONS:
        return version
    return HOT_ALIASES.get(version)


def valid_versions_text(key: str = HOT_KEY) -> str:
    """The versions ``key`` may name, as upstream lists them."""
    if key == HOT_KEY:
        return ", ".join(sorted([*HOT_VERSIONS, *HOT_ALIASES]))
    return ", ".join(sorted(CFN_VERSIONS[key]))
