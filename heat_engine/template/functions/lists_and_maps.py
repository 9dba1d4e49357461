"""Functions on lists and maps: repeat, map_merge, map_replace, list_concat, filter."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from heat_engine.template.functions import (
    Function,
    Resolver,
    ValidationContext,
    argument_error,
    resolve,
)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


class Repeat(Function):
    """``repeat: {template: body, for_each: {placeholder: [value, ...]}}`` (HOT 2015-04-30).

    One copy of the body per combination of values, each placeholder replaced in
    every string (keys included) of the body.
    """

    allows_maps: ClassVar[bool] = False

    def check(self) -> None:
        if not isinstance(self.args, Mapping):
            raise argument_error(f'Arguments to "{self.fn_name}" must be a map')
        if "for_each" not in self.args or "template" not in self.args:
            example = (
                "repeat:\n"
                "              template: This is %var%\n"
                "              for_each:\n"
                "                %var%: ['a', 'b', 'c']"
            )
            raise argument_error(repr(f'"repeat" syntax should be {example}'))

    @property
    def is_nested_loop(self) -> bool:
        return True

    def validate(self, context: ValidationContext) -> None:
        super().validate(context)
        for_each = self.args["for_each"]
        if not isinstance(for_each, Function | Mapping):
            raise argument_error(f'The "for_each" argument to "{self.fn_name}" must contain a map')

    def _check_values(self, value: Any, allows_maps: bool) -> None:
        if _is_list(value) or (allows_maps and isinstance(value, Mapping)):
            return
        kinds = "lists or maps" if allows_maps else "lists"
        raise argument_error(
            f'The values of the "for_each" argument to "{self.fn_name}" must be {kinds}'
        )

    def result(self, resolver: Resolver) -> Any:
        for_each = resolve(self.args["for_each"], resolver)
        if not isinstance(for_each, Mapping) or not for_each:
            raise argument_error(f'The "for_each" argument to "{self.fn_name}" must contain a map')
        nested = self.is_nested_loop
        placeholders = list(for_each)
        values: list[list[Any]] = []
        lengths = set()
        for value in for_each.values():
            if value is None:
                values.append([])
                continue
            self._check_values(value, self.allows_maps and nested)
            values.append(list(value))
            lengths.add(len(value))
        if not nested and len(lengths) > 1:
            raise argument_error(
                f"For {self.fn_name}, the length of for_each values should be equal "
                "if no nested loop."
            )
        body = resolve(self.args["template"], resolver)
        combine = itertools.product if nested else zip
        return [self._replace(body, placeholders, combo) for combo in combine(*values)]

    def _replace(self, body: Any, placeholders: list[str], values: Sequence[Any]) -> Any:
        if isinstance(body, str):
            try:
                for placeholder, value in zip(placeholders, values, strict=True):
                    body = body.replace(placeholder, value)
            except TypeError as ex:
                raise argument_error(str(ex)) from ex
            return body
        if isinstance(body, list):
            return [self._replace(item, placeholders, values) for item in body]
        if isinstance(body, Mapping):
            return {
                self._replace(k, placeholders, values): self._replace(v, placeholders, values)
                for k, v in body.items()
            }
        return body


class RepeatWithMap(Repeat):
    """``repeat`` from HOT 2016-10-14: a map's keys may be iterated too."""

    allows_maps = True


class RepeatWithPermutations(RepeatWithMap):
    """``repeat`` from HOT 2017-09-01: ``permutations: false`` pairs the lists up instead."""

    def check(self) -> None:
        super().check()
        if not isinstance(self.args.get("permutations", True), bool):
            raise argument_error(
                f'"permutations" should be boolean type for {self.fn_name} function.'
            )

    @property
    def is_nested_loop(self) -> bool:
        return bool(self.args.get("permutations", True))


class MapMerge(Function):
    """``map_merge: [map, map, ...]``: later maps' keys win."""

    def result(self, resolver: Resolver) -> Any:
        args = resolve(self.args, resolver)
        if not isinstance(args, Sequence):
            example = f'"{self.fn_name}" : [ {{ "key1": "val1" }}, {{ "key2": "val2" }} ]'
            raise argument_error(f'Incorrect arguments to "{self.fn_name}" should be: {example}')
        merged: dict[Any, Any] = {}
        for item in args:
            if item is None:
                continue
            if not isinstance(item, Mapping):
                raise argument_error(
                    "Incorrect arguments: Items to merge must be maps. "
                    f"{repr(item)[:200]} is type {type(item)} instead of a dict"
                )
            merged.update(item)
        return merged


class MapReplace(Function):
    """``map_replace: [map, {keys: {old: new}, values: {old: new}}]``."""

    def _example(self) -> str:
        return (
            f'"{self.fn_name}" : [ {{ "key1": "val1" }}, '
            '{"keys": {"key1": "key2"}, "values": {"val1": "val2"}}]'
        )

    def _usage(self) -> Exception:
        return argument_error(
            f'Incorrect arguments to "{self.fn_name}" should be: {self._example()}'
        )

    def _map(self, value: Any) -> Mapping[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise argument_error(
                f'Incorrect arguments: to "{self.fn_name}", arguments must be a list of maps. '
                f"Example:  {self._example()}"
            )
        return value

    def result(self, resolver: Resolver) -> Any:
        args = resolve(self.args, resolver)
        if not isinstance(args, list) or not args:
            raise self._usage()
        source = self._map(args[0])
        if len(args) != 2:
            raise self._usage()
        replacements = self._map(args[1])
        if any(k not in ("keys", "values") for k in replacements):
            raise self._usage()
        new_keys = self._map(replacements.get("keys", {}))
        new_values = self._map(replacements.get("values", {}))
        out: dict[Any, Any] = {}
        for key, value in source.items():
            new_key = new_keys.get(key)
            if new_key is None:
                new_key = key
            elif new_key in source and new_key != key:
                raise argument_error(
                    f"key replacement {new_key} collides with a key in the input map"
                )
            elif new_key in out:
                raise argument_error(
                    f"key replacement {new_key} collides with a key in the output map"
                )
            try:
                out[new_key] = new_values.get(value, value)
            except TypeError:  # an unhashable value is never replaced
                out[new_key] = value
        return out


class ListConcat(Function):
    """``list_concat: [list, list, ...]``: one list of all their items."""

    is_unique: ClassVar[bool] = False

    def result(self, resolver: Resolver) -> Any:
        args = resolve(self.args, resolver)
        if not _is_list(args):
            example = f'"{self.fn_name}" : [ [ <value 1>, <value 2> ], [ <value 3>, <value 4> ] ]'
            raise argument_error(f'Incorrect arguments to "{self.fn_name}" should be: {example}')
        items: list[Any] = []
        for part in args:
            if part is None:
                continue
            if not _is_list(part):
                raise argument_error(
                    "Incorrect arguments: Items to concat must be lists. "
                    f"{json.dumps(args)} contains an item that is not a list: {json.dumps(part)}"
                )
            items.extend(part)
        if not self.is_unique:
            return items
        unique: list[Any] = []
        for item in items:
            if item not in unique:
                unique.append(item)
        return unique


class ListConcatUnique(ListConcat):
    """``list_concat_unique``: as ``list_concat``, each item once (first place kept)."""

    is_unique = True


class Filter(Function):
    """``filter: [values, list]``: the list without those values."""

    def check(self) -> None:
        if not _is_list(self.args):
            raise argument_error(f'Argument to "{self.fn_name}" must be a list')
        if len(self.args) != 2:
            raise argument_error(
                f'"{self.fn_name}" expected 2 arguments of the form [values, sequence] '
                f"but got {len(self.args)} arguments instead"
            )

    def result(self, resolver: Resolver) -> Any:
        sequence = resolve(self.args[1], resolver)
        if not sequence:
            return sequence
        if not isinstance(sequence, list):
            raise argument_error(f'"{self.fn_name}" only works with lists')
        values = resolve(self.args[0], resolver)
        if not values:
            return sequence
        if not isinstance(values, list):
            raise argument_error(f'"{self.fn_name}" filters a list of values')
        return [item for item in sequence if item not in values]
