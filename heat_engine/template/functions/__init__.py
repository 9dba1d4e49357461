"""Template functions: the contract each one follows, and walking snippets that hold them.

A function keeps its arguments and its place in the template. It meets three moments,
as in upstream Heat:

* reading the template (``Function.build``, then ``check``): the shape of the arguments
  is checked and an error names the path, e.g. ``resources.r.properties.v.str_split``;
* validation (``validate``): what needs the stack's definitions (references, attribute
  names, functions a version removed), before anything is stored;
* evaluation (``result``): through a ``Resolver``, so functions never import the engine.

Family modules hold the functions themselves; ``versions`` says which names mean what.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from common import exception

Path = tuple[str | int, ...]


class Resolver(Protocol):
    """What functions may ask of the stack they are evaluated in."""

    def param(self, name: str) -> Any: ...

    def has_resource(self, name: str) -> bool: ...

    def resource_ref(self, name: str) -> Any: ...

    def resource_attr(self, name: str, attr: str, path: list[Any]) -> Any: ...

    def resource_attributes(self, name: str) -> dict[str, Any] | None: ...

    def condition(self, name: str) -> bool: ...

    def resource_facade(self, kind: str) -> Any: ...


class _Omitted:
    """The value of an ``if`` whose chosen branch was left out (HOT 2021-04-16)."""

    _instance: ClassVar[_Omitted | None] = None

    def __new__(cls) -> _Omitted:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "OMITTED"


# A list item, map entry or property whose value is OMITTED is dropped when resolved.
OMITTED = _Omitted()


@dataclass(frozen=True)
class Scope:
    """What parsing a snippet needs: the function tables and the template's static data."""

    functions: Mapping[str, type[Function]]
    condition_functions: Mapping[str, type[Function]] = field(default_factory=dict)
    files: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    resource_names: frozenset[str] = frozenset()
    condition_names: frozenset[str] = frozenset()

    def for_conditions(self) -> Scope:
        """The scope in which a condition is read: only condition functions are allowed."""
        return dataclasses.replace(self, functions=self.condition_functions)


@dataclass(frozen=True)
class ValidationContext:
    """What validation may consult: the stack's resources and, when known, its conditions."""

    resource_names: Collection[str]
    # the attribute names of a resource's type, or None where they are not known
    attribute_names: Callable[[str], Collection[str] | None] = lambda name: None
    # a condition's truth, or None when conditions are not evaluated (every branch counts)
    condition: Callable[[Any], bool] | None = None
    # answers parameters (and conditions), for names computed by functions; None: skip those
    resolver: Resolver | None = None


@dataclass(frozen=True)
class Reference:
    """A resource named by a function, and where (for InvalidTemplateReference's key)."""

    name: str
    path: Path


def format_path(path: Sequence[str | int]) -> str:
    """A path as upstream writes it: ``("resources", "r", "properties", "a", 0)`` is
    ``resources.r.properties.a[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text = f"{text}.{part}" if text else str(part)
    return text


def template_error(
    path: Sequence[str | int] | str, message: str, error: str = ""
) -> exception.StackValidationFailed:
    """A fault at ``path`` worded as upstream's engine words it: ``<error>: <path>: <message>``.

    The parts travel in the error's fields too (``error``, ``where``, ``reason``): over its
    RPC, upstream shows a create's error as ``<path>: : <message>``; whoever renders that
    form finds the parts there.
    """
    where = path if isinstance(path, str) else format_path(path)
    text = "".join(f"{part}: " for part in (error, where) if part) + message
    return exception.StackValidationFailed(text, error=error, where=where, reason=message)


def is_located(error: BaseException) -> bool:
    """Whether ``error`` already names its full place in the template."""
    return "reason" in (getattr(error, "kwargs", None) or {})


def argument_error(message: str) -> exception.StackValidationFailed:
    """A function's complaint about its arguments; whoever catches it adds the place."""
    return exception.StackValidationFailed(message)


class Function:
    """One call of a template function: ``{fn_name: args}`` found at ``path``."""

    def __init__(self, fn_name: str, args: Any, path: Path) -> None:
        self.fn_name = fn_name
        self.args = args
        self.path = path

    @classmethod
    def build(cls, fn_name: str, raw_args: Any, path: Path, scope: Scope) -> Function:
        """The function for ``{fn_name: raw_args}``: arguments parsed, then their shape checked."""
        fn = cls(fn_name, parse(raw_args, scope, (*path, fn_name)), path)
        try:
            fn.check()
        except exception.StackValidationFailed as ex:
            raise template_error((*path, fn_name), ex.message) from ex
        return fn

    def check(self) -> None:
        """Raise ``argument_error`` if the arguments cannot be right whatever they resolve to."""

    def validate(self, context: ValidationContext) -> None:
        """Checks that need the stack's definitions; the default checks nested functions."""
        validate_nested(self.args, context)

    def references(self, resolver: Resolver | None = None) -> Iterator[Reference]:
        """The resources this call refers to; ``resolver`` answers names that are computed."""
        yield from find_references(self.args, resolver)

    def specialize(self, resolver: Resolver) -> Any:
        """This call with every ``if`` inside decided by ``resolver``'s conditions."""
        args = specialize(self.args, resolver)
        if args is self.args:
            return self
        clone = copy.copy(self)
        clone.args = args
        return clone

    def result(self, resolver: Resolver) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{{{self.fn_name!r}: {self.args!r}}}"


class Removed(Function):
    """A name a HOT version no longer accepts: validation says so, as upstream does."""

    def validate(self, context: ValidationContext) -> None:
        raise exception.InvalidTemplateVersion(
            explanation=f"The function {self.fn_name} is not supported in this version of HOT."
        )

    def result(self, resolver: Resolver) -> Any:
        return {self.fn_name: resolve(self.args, resolver)}


class NotInContext(Function):
    """A function used where it may not be (a condition that calls get_resource, say)."""

    @classmethod
    def build(cls, fn_name: str, raw_args: Any, path: Path, scope: Scope) -> Function:
        raise template_error(
            (*path, fn_name), f'The function "{fn_name}" is invalid in this context'
        )


FunctionTable = Mapping[str, type[Function]]


def parse(snippet: Any, scope: Scope | FunctionTable, path: Path = ()) -> Any:
    """Replace every one-key mapping that names a function of the scope with that function."""
    if not isinstance(scope, Scope):
        scope = Scope(scope)
    if isinstance(snippet, Mapping):
        if len(snippet) == 1:
            key, value = next(iter(snippet.items()))
            cls = scope.functions.get(key) if isinstance(key, str) else None
            if cls is not None:
                return cls.build(key, value, path, scope)
        return {k: parse(v, scope, (*path, k)) for k, v in snippet.items()}
    if isinstance(snippet, list):
        return [parse(v, scope, (*path, i)) for i, v in enumerate(snippet)]
    return snippet


def iter_functions(snippet: Any) -> Iterator[Function]:
    """The outermost function calls inside ``snippet``."""
    if isinstance(snippet, Function):
        yield snippet
    elif isinstance(snippet, Mapping):
        for value in snippet.values():
            yield from iter_functions(value)
    elif isinstance(snippet, list):
        for item in snippet:
            yield from iter_functions(item)


def walk(snippet: Any) -> Iterator[Function]:
    """Every function call inside ``snippet``, nested ones included (both ``if`` branches)."""
    for fn in iter_functions(snippet):
        yield fn
        yield from walk(fn.args)


def resolve_item(snippet: Any, resolver: Resolver) -> Any:
    """As ``resolve``, but a value that is itself omitted stays OMITTED for its container."""
    if isinstance(snippet, Function):
        return snippet.result(resolver)
    if isinstance(snippet, Mapping):
        resolved = ((k, resolve_item(v, resolver)) for k, v in snippet.items())
        return {k: v for k, v in resolved if v is not OMITTED}
    if isinstance(snippet, list):
        return [v for v in (resolve_item(i, resolver) for i in snippet) if v is not OMITTED]
    return snippet


def resolve(snippet: Any, resolver: Resolver) -> Any:
    """The plain value of ``snippet``, every function evaluated; omitted items are dropped."""
    value = resolve_item(snippet, resolver)
    return None if value is OMITTED else value


def find_references(snippet: Any, resolver: Resolver | None = None) -> Iterator[Reference]:
    for fn in iter_functions(snippet):
        yield from fn.references(resolver)


def dependencies(snippet: Any, resolver: Resolver | None = None) -> set[str]:
    """Names of the resources ``snippet`` refers to, in every ``if`` branch unless
    ``resolver`` can decide the conditions."""
    return {ref.name for ref in find_references(snippet, resolver)}


def specialize(snippet: Any, resolver: Resolver) -> Any:
    """``snippet`` with each ``if`` replaced by its chosen branch; unchanged parts are shared."""
    if isinstance(snippet, Function):
        return snippet.specialize(resolver)
    if isinstance(snippet, Mapping):
        items = {k: specialize(v, resolver) for k, v in snippet.items()}
        return snippet if all(items[k] is v for k, v in snippet.items()) else items
    if isinstance(snippet, list):
        values = [specialize(v, resolver) for v in snippet]
        return snippet if all(a is b for a, b in zip(values, snippet, strict=True)) else values
    return snippet


def validate(snippet: Any, context: ValidationContext, path: Path) -> None:
    """Validate every function in ``snippet`` found at ``path``; an error names the place."""
    _validate(snippet, context, path, top=True)


def validate_nested(snippet: Any, context: ValidationContext) -> None:
    """Validate the functions inside a function's arguments; an error names their place in
    those arguments (upstream's ``[1][0].Ref: ...``)."""
    _validate(snippet, context, (), top=False)


def _validate(snippet: Any, context: ValidationContext, path: Path, top: bool) -> None:
    if isinstance(snippet, Function):
        try:
            snippet.validate(context)
        except exception.HeatException as ex:
            if is_located(ex):
                raise
            where = (*path, snippet.fn_name)
            if top:
                raise template_error(where, str(ex)) from ex
            raise exception.StackValidationFailed(f"{format_path(where)}: {ex}") from ex
    elif isinstance(snippet, Mapping):
        for key, value in snippet.items():
            _validate(value, context, (*path, key), top)
    elif isinstance(snippet, list):
        for index, item in enumerate(snippet):
            _validate(item, context, (*path, index), top)


def dig(value: Any, path: Sequence[Any]) -> Any:
    """Follow ``path`` into an attribute value; None where it leads nowhere (upstream's rule:
    keys index maps, integers index lists and strings, anything else stops)."""
    for key in path:
        if isinstance(value, str | list | tuple) and isinstance(key, int):
            if not -len(value) <= key < len(value):
                return None
            value = value[key]
        elif isinstance(value, Mapping) and isinstance(key, str | int):
            if key not in value:
                return None
            value = value[key]
        else:
            return None
    return value
