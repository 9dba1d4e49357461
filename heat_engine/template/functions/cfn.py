"""CloudFormation's functions (``Fn::*`` and ``Ref``), for CFN templates and HOT 2013-05-23."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

from common import exception
from heat_engine.template.functions import (
    Function,
    Path,
    Resolver,
    Scope,
    argument_error,
    resolve,
)
from heat_engine.template.functions.conditions import Not
from heat_engine.template.functions.references import GetAttr, GetResource, ResourceFacade
from heat_engine.template.functions.strings import StrReplace

# What Fn::GetAZs answers: this service runs without a compute service to ask.
AVAILABILITY_ZONES = ("nova",)
_MEMBER = re.compile(r"\.member\.([0-9]+)\.(.*)")


class ParamRef(Function):
    """``Ref: parameter``: a parameter's value (a pseudo parameter such as AWS::StackName too)."""

    def result(self, resolver: Resolver) -> Any:
        name = resolve(self.args, resolver)
        try:
            return resolver.param(name)
        except (exception.UserParameterMissing, KeyError) as ex:
            raise exception.InvalidTemplateReference(resource=name, key="unknown") from ex


class Ref(Function):
    """``Ref: name``: a resource's reference id if a resource has that name, else a parameter."""

    @classmethod
    def build(cls, fn_name: str, raw_args: Any, path: Path, scope: Scope) -> Function:
        if isinstance(raw_args, str) and raw_args in scope.resource_names:
            return GetResource.build(fn_name, raw_args, path, scope)
        return ParamRef.build(fn_name, raw_args, path, scope)


class CfnGetAtt(GetAttr):
    """``Fn::GetAtt: [resource, attribute]``."""

    def parts(self) -> tuple[Any, Any, list[Any]]:
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise argument_error(
                f'Arguments to "{self.fn_name}" must be of the form [resource_name, attribute]'
            )
        return self.args[0], self.args[1], []


class FindInMap(Function):
    """``Fn::FindInMap: [mapping, key, value]``: an entry of the template's ``Mappings``."""

    mappings: Mapping[str, Any] = MappingProxyType({})

    @classmethod
    def build(cls, fn_name: str, raw_args: Any, path: Path, scope: Scope) -> Function:
        fn = super().build(fn_name, raw_args, path, scope)
        assert isinstance(fn, FindInMap)
        fn.mappings = scope.mappings
        return fn

    def check(self) -> None:
        if not isinstance(self.args, list):
            raise argument_error(repr(f"cannot unpack non-iterable {type(self.args).__name__}"))
        if len(self.args) < 3:
            raise argument_error(
                repr(f"not enough values to unpack (expected 3, got {len(self.args)})")
            )
        if len(self.args) > 3:
            raise argument_error(repr("too many values to unpack (expected 3)"))

    def result(self, resolver: Resolver) -> Any:
        value: Any = self.mappings
        for part in self.args:
            key = resolve(part, resolver)
            try:
                value = value[key]
            except (KeyError, IndexError, TypeError) as ex:
                raise argument_error(repr(key)) from ex
        return value


class GetAZs(Function):
    """``Fn::GetAZs: region``: the availability zones."""

    def result(self, resolver: Resolver) -> Any:
        return list(AVAILABILITY_ZONES)


class Select(Function):
    """``Fn::Select: [index, list or map]``: the item, or an empty string where there is none."""

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise argument_error(
                f'Arguments to "{self.fn_name}" must be of the form [index, collection]'
            )

    def result(self, resolver: Resolver) -> Any:
        index = resolve(self.args[0], resolver)
        collection = resolve(self.args[1], resolver)
        if collection == "":
            return ""  # an attribute that is not there yet
        if isinstance(collection, str):
            try:
                collection = json.loads(collection)
            except ValueError as ex:
                raise argument_error(f'"{self.fn_name}": {ex}') from ex
        if isinstance(collection, Mapping):
            if not isinstance(index, str):
                raise argument_error(f'Index to "{self.fn_name}" must be a string')
            return collection.get(index, "")
        with contextlib.suppress(TypeError, ValueError):
            index = int(index)
        if isinstance(collection, Sequence) and not isinstance(collection, str):
            if not isinstance(index, int):
                raise argument_error(f'Index to "{self.fn_name}" must be an integer')
            try:
                return collection[index]
            except IndexError:
                return ""
        if collection is None:
            return ""
        raise argument_error(f"Arguments to {self.fn_name} not fully resolved")


class Split(Function):
    """``Fn::Split: [delimiter, text]``."""

    def check(self) -> None:
        if (
            isinstance(self.args, str | Mapping)
            or not isinstance(self.args, list)
            or (len(self.args) != 2)
        ):
            example = f'"{self.fn_name}" : [ ",", "str1,str2"]]'
            raise argument_error(f'Incorrect arguments to "{self.fn_name}" should be: {example}')

    def result(self, resolver: Resolver) -> Any:
        delimiter = self.args[0]
        text = resolve(self.args[1], resolver)
        if not isinstance(delimiter, str):
            raise argument_error(f"Delimiter for {self.fn_name} must be string")
        if not isinstance(text, str):
            raise argument_error(f"String to split must be string; got {type(text)}")
        return text.split(delimiter)


class CfnReplace(StrReplace):
    """``Fn::Replace: [{placeholder: value}, text]``."""

    def parts(self) -> tuple[Any, Any]:
        if (
            isinstance(self.args, str | Mapping)
            or not isinstance(self.args, list)
            or (len(self.args) != 2)
        ):
            example = (
                f'{{"{self.fn_name}": [ {{"$var1": "foo", "%var2%": "bar"}}, "$var1 is %var2%"]}}'
            )
            raise argument_error(f'Incorrect arguments to "{self.fn_name}" should be: {example}')
        return self.args[0], self.args[1]


class Base64(Function):
    """``Fn::Base64: text``: the text itself (user data is passed as plain text)."""

    def result(self, resolver: Resolver) -> Any:
        text = resolve(self.args, resolver)
        if not isinstance(text, str):
            raise argument_error(f'"{self.fn_name}" argument must be a string')
        return text


class MemberListToMap(Function):
    """``Fn::MemberListToMap: [key_name, value_name, ['.member.0.<key_name>=k', ...]]``."""

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 3:
            example = (
                "\n            {'Fn::MemberListToMap': ['Name', 'Value',\n"
                "                                     ['.member.0.Name=key',\n"
                "                                      '.member.0.Value=door']]}\n            "
            )
            raise argument_error(f'Wrong Arguments try: "{example}"')
        if not isinstance(self.args[0], str):
            raise argument_error(f"{self.fn_name} Key Name must be a string")
        if not isinstance(self.args[1], str):
            raise argument_error(f"{self.fn_name} Value Name must be a string")

    def result(self, resolver: Resolver) -> Any:
        key_name, value_name = self.args[0], self.args[1]
        members = resolve(self.args[2], resolver)
        if isinstance(members, Mapping) or not isinstance(members, Sequence | set):
            raise argument_error("Member list must be a list")
        entries: dict[str, str] = {}
        for member in members:
            if not isinstance(member, str):
                raise argument_error("Member list items must be strings")
            name, sep, value = member.partition("=")
            if not sep:
                raise argument_error(
                    f"dictionary update sequence element has length 1; 2 is required: {member}"
                )
            entries[name] = value
        found = []
        for name, value in entries.items():
            match = _MEMBER.match(name)
            if match:
                found.append((int(match.group(1)), match.group(2), value))
        found.sort(key=lambda item: item[0])
        out: dict[str, Any] = {}
        for _, group in itertools.groupby(found, key=lambda item: item[0]):
            fields = {field: value for _, field, value in group}
            if key_name in fields and value_name in fields:
                out[fields[key_name]] = fields[value_name]
        return out


class CfnResourceFacade(ResourceFacade):
    """``Fn::ResourceFacade: Metadata|DeletionPolicy|UpdatePolicy``."""

    KINDS: ClassVar[tuple[str, ...]] = ("Metadata", "DeletionPolicy", "UpdatePolicy")


class CfnNot(Not):
    """``Fn::Not: [condition]``."""

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 1:
            raise argument_error(f'Arguments to "{self.fn_name}" must be of the form: [condition]')

    def condition(self) -> Any:
        return self.args[0]
