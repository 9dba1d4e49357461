"""References to the stack: parameters, resources, their attributes, and the facade resource."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from common import exception
from heat_engine.template.functions import (
    Function,
    Reference,
    Resolver,
    ValidationContext,
    argument_error,
    find_references,
    resolve,
)


def select_from_parameter(value: Any, path: Sequence[Any]) -> Any:
    """Follow ``path`` into a parameter's value; an empty string where it leads nowhere."""
    for key in path:
        if not isinstance(value, Mapping | Sequence) or not isinstance(key, str | int):
            return ""
        if isinstance(value, Sequence) and isinstance(key, str):
            try:
                key = int(key)
            except ValueError:
                return ""
        try:
            value = value[key]
        except (KeyError, IndexError, TypeError):
            return ""
    return value


class GetParam(Function):
    """``get_param: name`` or ``get_param: [name, key or index, ...]``: a parameter's value."""

    def result(self, resolver: Resolver) -> Any:
        args = resolve(self.args, resolver)
        if not args:
            raise argument_error(f'Function "{self.fn_name}" must have arguments')
        if isinstance(args, str):
            name, path = args, []
        elif isinstance(args, list):
            name, path = args[0], args[1:]
        else:
            raise argument_error(f'Argument to "{self.fn_name}" must be string or list')
        if not isinstance(name, str):
            raise argument_error(f'Parameter name in "{self.fn_name}" must be string')
        return select_from_parameter(resolver.param(name), path)

    def static_name(self) -> str | None:
        """The parameter named, where the template spells it out."""
        if isinstance(self.args, str):
            return self.args
        if isinstance(self.args, list) and self.args and isinstance(self.args[0], str):
            return self.args[0]
        return None


class GetResource(Function):
    """``get_resource: name``: the resource's reference id (usually its physical id)."""

    def check(self) -> None:
        if not isinstance(self.args, str | Function):
            raise argument_error(f'Argument to "{self.fn_name}" must be a resource name')

    def references(self, resolver: Resolver | None = None) -> Iterator[Reference]:
        yield from find_references(self.args, resolver)
        name = self.args
        if isinstance(name, Function) and resolver is not None:
            name = resolve(name, resolver)
        if isinstance(name, str):
            yield Reference(name, self.path)

    def result(self, resolver: Resolver) -> Any:
        return resolver.resource_ref(resolve(self.args, resolver))


class GetAttr(Function):
    """``get_attr: [resource, attribute, key or index, ...]``: a resource's attribute."""

    def check(self) -> None:
        self.parts()

    def parts(self) -> tuple[Any, Any, list[Any]]:
        """The resource name, the attribute name (None for all of them) and the path."""
        if not isinstance(self.args, list):
            raise argument_error(f'Argument to "{self.fn_name}" must be a list')
        if len(self.args) < 2:
            raise argument_error(
                f'Arguments to "{self.fn_name}" must be of the form '
                "[resource_name, attribute, (path), ...]"
            )
        return self.args[0], self.args[1], list(self.args[2:])

    def references(self, resolver: Resolver | None = None) -> Iterator[Reference]:
        yield from find_references(self.args, resolver)
        name = self._name(resolver)
        if isinstance(name, str):
            yield Reference(name, self.path)

    def _name(self, resolver: Resolver | None) -> Any:
        name = self.parts()[0]
        if isinstance(name, Function):
            return resolve(name, resolver) if resolver is not None else None
        return name

    def validate(self, context: ValidationContext) -> None:
        super().validate(context)
        name, attr, _ = self.parts()
        resolved = self._name(context.resolver)
        if resolved is None and isinstance(name, Function):
            return
        if not isinstance(resolved, str) or resolved not in context.resource_names:
            raise exception.InvalidTemplateReference(resource=resolved, key="unknown")
        if attr is None:
            return
        if isinstance(attr, Function):
            if context.resolver is None:
                return
            attr = resolve(attr, context.resolver)
        allowed = context.attribute_names(resolved)
        if allowed is not None and attr not in allowed:
            raise exception.InvalidTemplateAttribute(resource=name, key=attr)

    def result(self, resolver: Resolver) -> Any:
        name, attr, path = self.parts()
        name = resolve(name, resolver)
        if attr is None:
            return resolver.resource_attributes(name)
        return resolver.resource_attr(
            name, resolve(attr, resolver), [resolve(p, resolver) for p in path]
        )


class GetAttrAll(GetAttr):
    """``get_attr`` from HOT 2015-10-15: ``[resource]`` alone gives every attribute as a map."""

    def parts(self) -> tuple[Any, Any, list[Any]]:
        if not self.args:
            raise argument_error(
                f'Arguments to "{self.fn_name}" can be of the next forms: '
                "[resource_name] or [resource_name, attribute, (path), ...]"
            )
        if isinstance(self.args, list | str) and len(self.args) == 1:
            return self.args[0], None, []
        return super().parts()


class ResourceFacade(Function):
    """``resource_facade: metadata|deletion_policy|update_policy``: data of the resource
    that stands for this (nested) stack in its parent."""

    KINDS: ClassVar[tuple[str, ...]] = ("metadata", "deletion_policy", "update_policy")

    def check(self) -> None:
        if self.args not in self.KINDS:
            raise argument_error(
                f'Incorrect arguments to "{self.fn_name}" should be one of: {", ".join(self.KINDS)}'
            )

    def result(self, resolver: Resolver) -> Any:
        kind = ResourceFacade.KINDS[self.KINDS.index(self.args)]
        return resolver.resource_facade(kind)
