"""Intrinsic functions: parsing a snippet into function objects and resolving it.

A function keeps its raw arguments and its path in the template. ``validate``
checks the argument shape, ``dependencies`` names the resources it refers to
(for the graph) and ``result`` evaluates it through a ``Resolver``, so functions
never import the engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Protocol

from common import exception


class Resolver(Protocol):
    """What functions may ask of the stack they are evaluated in."""

    def param(self, name: str) -> Any: ...

    def has_resource(self, name: str) -> bool: ...

    def resource_ref(self, name: str) -> Any: ...

    def resource_attr(self, name: str, attr: str, path: list[Any]) -> Any: ...


def fmt_path(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


class Function:
    """One call of an intrinsic function in a template."""

    name: ClassVar[str] = ""

    def __init__(self, fn_name: str, args: Any, path: tuple[Any, ...]) -> None:
        self.fn_name = fn_name
        self.args = args
        self.path = path

    def error(self, message: str) -> exception.StackValidationFailed:
        return exception.StackValidationFailed(message, path=(*self.path, self.fn_name))

    def validate(self, defined_resources: Mapping[str, Any], param_names: set[str]) -> None:
        for arg in iter_functions(self.args):
            arg.validate(defined_resources, param_names)

    def dependencies(self) -> Iterator[str]:
        for arg in iter_functions(self.args):
            yield from arg.dependencies()

    def result(self, resolver: Resolver) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{{{self.fn_name!r}: {self.args!r}}}"


def iter_functions(snippet: Any) -> Iterator[Function]:
    """The outermost function objects inside ``snippet``."""
    if isinstance(snippet, Function):
        yield snippet
    elif isinstance(snippet, Mapping):
        for value in snippet.values():
            yield from iter_functions(value)
    elif isinstance(snippet, list):
        for item in snippet:
            yield from iter_functions(item)


def resolve(snippet: Any, resolver: Resolver) -> Any:
    """The plain value of ``snippet``, every function evaluated."""
    if isinstance(snippet, Function):
        return snippet.result(resolver)
    if isinstance(snippet, Mapping):
        return {k: resolve(v, resolver) for k, v in snippet.items()}
    if isinstance(snippet, list):
        return [resolve(v, resolver) for v in snippet]
    return snippet


def dependencies(snippet: Any) -> set[str]:
    """Names of the resources ``snippet`` refers to."""
    found: set[str] = set()
    for fn in iter_functions(snippet):
        found.update(fn.dependencies())
    return found


def dig(value: Any, path: list[Any]) -> Any:
    """Follow ``path`` (keys and indices) into ``value``; None where it leads nowhere."""
    for key in path:
        if isinstance(value, Mapping):
            value = value.get(key if not isinstance(key, int) else str(key), value.get(key))
        elif isinstance(value, list):
            try:
                value = value[int(key)]
            except (ValueError, IndexError, TypeError):
                return None
        else:
            return None
    return value


class GetParam(Function):
    """``get_param: name`` or ``get_param: [name, key, index, ...]``."""

    def _parts(self) -> tuple[Any, list[Any]]:
        if isinstance(self.args, str):
            return self.args, []
        if isinstance(self.args, list) and self.args:
            return self.args[0], list(self.args[1:])
        raise self.error('Function "get_param" must operate on a string or a non-empty list')

    def validate(self, defined_resources: Mapping[str, Any], param_names: set[str]) -> None:
        super().validate(defined_resources, param_names)
        name, _ = self._parts()
        if isinstance(name, str) and name not in param_names:
            raise exception.UserParameterMissing(key=name)

    def result(self, resolver: Resolver) -> Any:
        name, path = self._parts()
        name = resolve(name, resolver)
        value = resolver.param(name)
        path = [resolve(p, resolver) for p in path]
        if not path:
            return value
        return dig(value, path)


class GetResource(Function):
    """``get_resource: name``: the resource's reference id (usually its physical id)."""

    def validate(self, defined_resources: Mapping[str, Any], param_names: set[str]) -> None:
        if not isinstance(self.args, str):
            raise self.error(f'Function "{self.fn_name}" must operate on a resource name')
        if self.args not in defined_resources:
            raise exception.InvalidTemplateReference(
                resource=self.args, key=fmt_path(self.path) or self.fn_name
            )

    def dependencies(self) -> Iterator[str]:
        if isinstance(self.args, str):
            yield self.args

    def result(self, resolver: Resolver) -> Any:
        return resolver.resource_ref(self.args)


class Ref(GetResource):
    """CFN ``Ref``: a parameter's value or a resource's reference id."""

    def validate(self, defined_resources: Mapping[str, Any], param_names: set[str]) -> None:
        if isinstance(self.args, str) and self.args in param_names:
            return
        super().validate(defined_resources, param_names)

    def dependencies(self) -> Iterator[str]:
        if isinstance(self.args, str):
            yield self.args  # a parameter name here is dropped by the graph builder

    def result(self, resolver: Resolver) -> Any:
        if resolver.has_resource(self.args):
            return resolver.resource_ref(self.args)
        return resolver.param(self.args)


class GetAttr(Function):
    """``get_attr: [resource, attribute, key...]``."""

    def _parts(self) -> tuple[Any, Any, list[Any]]:
        if not isinstance(self.args, list) or len(self.args) < 2:
            raise self.error(
                f'Arguments to "{self.fn_name}" must be of the form '
                "[resource_name, attribute, (path), ...]"
            )
        return self.args[0], self.args[1], list(self.args[2:])

    def validate(self, defined_resources: Mapping[str, Any], param_names: set[str]) -> None:
        super().validate(defined_resources, param_names)
        name, _, _ = self._parts()
        if not isinstance(name, str) or name not in defined_resources:
            raise exception.InvalidTemplateReference(
                resource=name, key=fmt_path(self.path) or self.fn_name
            )

    def dependencies(self) -> Iterator[str]:
        yield from super().dependencies()
        name = self.args[0] if isinstance(self.args, list) and self.args else None
        if isinstance(name, str):
            yield name

    def result(self, resolver: Resolver) -> Any:
        name, attr, path = self._parts()
        attr = resolve(attr, resolver)
        path = [resolve(p, resolver) for p in path]
        return resolver.resource_attr(name, attr, path)


class CfnGetAtt(GetAttr):
    """CFN ``Fn::GetAtt: [resource, attribute]``."""


class ListJoin(Function):
    """``list_join: [delimiter, list, list...]``."""

    def result(self, resolver: Resolver) -> Any:
        args = resolve(self.args, resolver)
        if not isinstance(args, list) or len(args) < 2 or not isinstance(args[0], str):
            raise self.error(
                f'Incorrect arguments to "{self.fn_name}" should be: '
                f"{self.fn_name}: [delimiter, [str, ...]]"
            )
        items: list[Any] = []
        for part in args[1:]:
            if not isinstance(part, list):
                raise self.error(f"Incorrect arguments: items to join must be lists, not {part!r}")
            items.extend(part)
        return args[0].join(
            "" if i is None else (i if isinstance(i, str) else _text(i)) for i in items
        )


class StrReplace(Function):
    """``str_replace: {template: str, params: {key: value}}``."""

    def result(self, resolver: Resolver) -> Any:
        args = resolve(self.args, resolver)
        if not isinstance(args, Mapping) or "template" not in args or "params" not in args:
            raise self.error(
                f'"{self.fn_name}" syntax should be {self.fn_name}:\\n  template: <template>\\n'
                "  params: <params>"
            )
        text, params = args["template"], args["params"]
        if not isinstance(params, Mapping):
            raise self.error('"params" parameter must be a dictionary')
        text = text if isinstance(text, str) else _text(text)
        for key in sorted(params, key=lambda k: -len(str(k))):
            value = params[key]
            text = text.replace(str(key), value if isinstance(value, str) else _text(value))
        return text


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


FunctionTable = Mapping[str, type[Function]]


def parse(snippet: Any, table: FunctionTable, path: tuple[Any, ...] = ()) -> Any:
    """Replace every one-key mapping naming a function of ``table`` with that function."""
    if isinstance(snippet, Mapping):
        if len(snippet) == 1:
            key, value = next(iter(snippet.items()))
            cls = table.get(key) if isinstance(key, str) else None
            if cls is not None:
                return cls(key, parse(value, table, (*path, key)), path)
        return {k: parse(v, table, (*path, k)) for k, v in snippet.items()}
    if isinstance(snippet, list):
        return [parse(v, table, (*path, i)) for i, v in enumerate(snippet)]
    return snippet
