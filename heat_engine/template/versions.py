"""One function table per template version; each is built by copying the previous one."""

from __future__ import annotations

from heat_engine.template import functions as fn

HOT_KEY = "heat_template_version"
CFN_KEYS = ("AWSTemplateFormatVersion", "HeatTemplateFormatVersion")

_HOT_2013 = {
    "get_param": fn.GetParam,
    "get_resource": fn.GetResource,
    "get_attr": fn.GetAttr,
    "str_replace": fn.StrReplace,
    # the CFN spellings HOT 2013-05-23 still accepts
    "Fn::GetAtt": fn.CfnGetAtt,
    "Ref": fn.Ref,
}
_HOT_2014 = {k: v for k, v in _HOT_2013.items() if k not in ("Fn::GetAtt", "Ref")}
_HOT_2014["list_join"] = fn.ListJoin

# version date -> (alias or None, function table)
HOT_VERSIONS: dict[str, tuple[str | None, dict[str, type[fn.Function]]]] = {
    "2013-05-23": (None, _HOT_2013),
    "2014-10-16": (None, _HOT_2014),
    "2015-04-30": (None, dict(_HOT_2014)),
    "2015-10-15": (None, dict(_HOT_2014)),
    "2016-04-08": (None, dict(_HOT_2014)),
    "2016-10-14": ("newton", dict(_HOT_2014)),
    "2017-02-24": ("ocata", dict(_HOT_2014)),
    "2017-09-01": ("pike", dict(_HOT_2014)),
    "2018-03-02": ("queens", dict(_HOT_2014)),
    "2018-08-31": ("rocky", dict(_HOT_2014)),
    "2021-04-16": ("wallaby", dict(_HOT_2014)),
}
HOT_ALIASES = {alias: date for date, (alias, _) in HOT_VERSIONS.items() if alias}

CFN_VERSIONS: dict[str, dict[str, dict[str, type[fn.Function]]]] = {
    "AWSTemplateFormatVersion": {
        "2010-09-09": {"Ref": fn.Ref, "Fn::GetAtt": fn.CfnGetAtt},
    },
    "HeatTemplateFormatVersion": {
        "2012-12-12": {"Ref": fn.Ref, "Fn::GetAtt": fn.CfnGetAtt},
    },
}


def hot_date(version: str) -> str | None:
    """The canonical date of a HOT version given by date or by release name."""
    version = str(version)
    if version in HOT_VERSIONS:
        return version
    return HOT_ALIASES.get(version)


def valid_versions_text() -> str:
    names = []
    for date, (alias, _) in HOT_VERSIONS.items():
        names.append(f"{date}" if not alias else f"{date}, {alias}")
    return ", ".join(names)
