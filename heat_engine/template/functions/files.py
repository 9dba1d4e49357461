"""get_file: the content of a file the client sent along with the template."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from heat_engine.template.functions import Function, Path, Resolver, Scope, argument_error, resolve


class GetFile(Function):
    """``get_file: key``: the text stored under ``key`` in the stack's ``files``."""

    files: Mapping[str, Any] = MappingProxyType({})

    @classmethod
    def build(cls, fn_name: str, raw_args: Any, path: Path, scope: Scope) -> Function:
        fn = super().build(fn_name, raw_args, path, scope)
        assert isinstance(fn, GetFile)
        fn.files = scope.files
        return fn

    def result(self, resolver: Resolver) -> Any:
        key = resolve(self.args, resolver)
        if not isinstance(key, str):
            raise argument_error(f'Argument to "{self.fn_name}" must be a string')
        content = self.files.get(key)
        if content is None:
            raise argument_error(
                f'No content found in the "files" section for {self.fn_name} path: {key}'
            )
        return content
