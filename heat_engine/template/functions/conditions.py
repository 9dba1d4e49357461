"""Conditions and choices: if, equals, not, and, or, contains."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from common import exception
from heat_engine.template.functions import (
    OMITTED,
    Function,
    Path,
    Reference,
    Resolver,
    Scope,
    ValidationContext,
    argument_error,
    find_references,
    is_located,
    parse,
    resolve,
    resolve_item,
    specialize,
    template_error,
    validate_nested,
)


def truth(value: Any, resolver: Resolver) -> bool:
    """The truth of a resolved condition: a boolean, or the name of a condition."""
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return resolver.condition(value)
    raise argument_error(f'Invalid condition "{value}"')


class Unparsable(Function):
    """An ``if`` branch that could not be read: an error only if that branch is chosen."""

    def __init__(self, error: exception.StackValidationFailed, path: Path) -> None:
        super().__init__("", None, path)
        self.error = error

    def validate(self, context: ValidationContext) -> None:
        raise self.error

    def references(self, resolver: Resolver | None = None) -> Iterator[Reference]:
        return iter(())

    def specialize(self, resolver: Resolver) -> Any:
        raise self.error

    def result(self, resolver: Resolver) -> Any:
        raise self.error


class If(Function):
    """``if: [condition, value_if_true, value_if_false]``.

    As upstream, the condition is read with the condition functions and a branch is
    read only as far as it is chosen: a fault inside the branch not taken is no error.
    """

    @classmethod
    def split(cls, args: Any, fn_name: str) -> tuple[Any, Any, Any]:
        if isinstance(args, list) and len(args) == 3:
            return args[0], args[1], args[2]
        raise argument_error(
            f'Arguments to "{fn_name}" must be of the form: '
            "[condition_name, value_if_true, value_if_false]"
        )

    @classmethod
    def build(cls, fn_name: str, raw_args: Any, path: Path, scope: Scope) -> Function:
        where = (*path, fn_name)
        try:
            condition, if_true, if_false = cls.split(raw_args, fn_name)
        except exception.StackValidationFailed as ex:
            raise template_error(where, ex.message) from ex
        # upstream reads the condition with the function name alone as its path
        condition = parse(condition, scope.for_conditions(), (fn_name,))
        if not isinstance(condition, Function | bool) and not (
            isinstance(condition, str) and condition in scope.condition_names
        ):
            raise template_error(where, f'Invalid condition "{condition}"')
        branches = [cls._branch(value, scope, where) for value in (if_true, if_false)]
        return cls(fn_name, [condition, *branches], path)

    @staticmethod
    def _branch(value: Any, scope: Scope, path: Path) -> Any:
        if value is OMITTED:
            return OMITTED
        try:
            return parse(value, scope, path)
        except exception.StackValidationFailed as ex:
            return Unparsable(ex, path)

    def _chosen(self, is_true: bool) -> Any:
        return self.args[1] if is_true else self.args[2]

    def _truth(self, resolver: Resolver) -> bool:
        return truth(resolve(self.args[0], resolver), resolver)

    def validate(self, context: ValidationContext) -> None:
        validate_nested(self.args[0], context)
        if context.condition is None:
            branches = [b for b in self.args[1:] if not isinstance(b, Unparsable)]
        else:
            branches = [self._chosen(context.condition(self.args[0]))]
        for branch in branches:
            if isinstance(branch, Unparsable):
                raise branch.error
            validate_nested(branch, context)

    def references(self, resolver: Resolver | None = None) -> Iterator[Reference]:
        yield from find_references(self.args[0], resolver)
        if resolver is None:
            yield from find_references(self.args[1:])
        else:
            yield from find_references(self._chosen(self._truth(resolver)), resolver)

    def specialize(self, resolver: Resolver) -> Any:
        try:
            is_true = self._truth(resolver)
        except exception.StackValidationFailed as ex:
            if is_located(ex):
                raise
            raise template_error((*self.path, self.fn_name), ex.message) from ex
        return specialize(self._chosen(is_true), resolver)

    def result(self, resolver: Resolver) -> Any:
        return resolve_item(self._chosen(self._truth(resolver)), resolver)


class IfNullable(If):
    """``if`` from HOT 2021-04-16: without ``value_if_false``, a false condition leaves the
    enclosing item (list item, map entry, property) out altogether."""

    @classmethod
    def split(cls, args: Any, fn_name: str) -> tuple[Any, Any, Any]:
        if isinstance(args, list) and len(args) == 2:
            return args[0], args[1], OMITTED
        return super().split(args, fn_name)


class Equals(Function):
    """``equals: [value_1, value_2]``."""

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise argument_error(
                f'Arguments to "{self.fn_name}" must be of the form: [value_1, value_2]'
            )

    def result(self, resolver: Resolver) -> Any:
        return resolve(self.args[0], resolver) == resolve(self.args[1], resolver)


class Not(Function):
    """``not: condition``."""

    def check(self) -> None:
        if self.args is None:
            raise argument_error(f'Argument to "{self.fn_name}" must be a condition')

    def condition(self) -> Any:
        return self.args

    def result(self, resolver: Resolver) -> Any:
        return not truth(resolve(self.condition(), resolver), resolver)


class And(Function):
    """``and: [condition, condition, ...]``: at least two."""

    def check(self) -> None:
        if not isinstance(self.args, Sequence) or isinstance(self.args, str):
            raise argument_error(f'Arguments to "{self.fn_name}" must be a list of conditions')
        if len(self.args) < 2:
            raise argument_error(
                f'The minimum number of condition arguments to "{self.fn_name}" is 2.'
            )

    def result(self, resolver: Resolver) -> Any:
        return all(truth(c, resolver) for c in resolve(self.args, resolver))


class Or(And):
    """``or: [condition, condition, ...]``: at least two."""

    def result(self, resolver: Resolver) -> Any:
        return any(truth(c, resolver) for c in resolve(self.args, resolver))


class Contains(Function):
    """``contains: [value, sequence]``."""

    def check(self) -> None:
        if not self.args or not isinstance(self.args, list):
            example = f'"{self.fn_name}" : [ "value1", [ "value1", "value2"]]'
            raise argument_error(f'Incorrect arguments to "{self.fn_name}" should be: {example}')
        if len(self.args) != 2:
            raise argument_error(
                f'Arguments to "{self.fn_name}" must be of the form: [value1, [value1, value2]]'
            )

    def result(self, resolver: Resolver) -> Any:
        value = resolve(self.args[0], resolver)
        sequence = resolve(self.args[1], resolver)
        if not isinstance(sequence, Sequence):
            raise argument_error(f'Second argument to "{self.fn_name}" should be a sequence.')
        try:
            return value in sequence
        except TypeError as ex:
            raise argument_error(str(ex)) from ex
