"""String functions: str_replace and its strict forms, list_join, str_split, digest, make_url."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from urllib import parse as urlparse

from heat_engine.template.functions import (
    Function,
    Resolver,
    ValidationContext,
    argument_error,
    resolve,
)


def to_json(value: Any) -> str:
    """A map or list as upstream writes it into a string: JSON with sorted keys."""
    return json.dumps(value, sort_keys=True)


def _longest_first(keys: Any) -> list[Any]:
    return sorted(sorted(keys), key=len, reverse=True)


class StrReplace(Function):
    """``str_replace: {template: text, params: {placeholder: value}}`` (HOT up to 2015-04-30).

    Longer placeholders win over shorter ones they contain; replaced text is never
    searched again. Values must be strings or numbers.
    """

    is_strict: ClassVar[bool] = False

    def parts(self) -> tuple[Any, Any]:
        """The params and the template text."""
        if not isinstance(self.args, Mapping):
            raise argument_error(f'Arguments to "{self.fn_name}" must be a map')
        if "params" not in self.args or "template" not in self.args:
            example = (
                f"{self.fn_name}:\n"
                "              template: This is var1 template var2\n"
                "              params:\n"
                "                var1: a\n"
                "                var2: string"
            )
            raise argument_error(repr(f'"{self.fn_name}" syntax should be {example}'))
        return self.args["params"], self.args["template"]

    def check(self) -> None:
        params, _ = self.parts()
        if not isinstance(params, Mapping | Function):
            raise argument_error(f'"{self.fn_name}" parameters must be a mapping')

    def replacement(self, value: Any, placeholder: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str | int | float):
            raise argument_error(
                f'"{self.fn_name}" params must be strings or numbers, '
                f"param {placeholder} is not valid"
            )
        return str(value)

    def result(self, resolver: Resolver) -> Any:
        params, text = self.parts()
        text = resolve(text, resolver)
        params = resolve(params, resolver)
        if not isinstance(text, str):
            raise argument_error(f'"{self.fn_name}" template must be a string')
        if not isinstance(params, Mapping):
            raise argument_error(f'"{self.fn_name}" params must be a map')
        if not all(isinstance(k, str) for k in params):
            raise argument_error(f'"{self.fn_name}" param placeholders must be strings')
        found: set[str] = set()

        def replace(pieces: list[str], placeholders: list[str]) -> list[str]:
            if not placeholders:
                return pieces
            placeholder, rest = placeholders[0], placeholders[1:]
            value = self.replacement(params[placeholder], placeholder)
            out = []
            for piece in pieces:
                split = piece.split(placeholder)
                if len(split) > 1:
                    found.add(placeholder)
                out.append(value.join(replace(split, rest)))
            return out

        replaced = replace([text], _longest_first(params))[0]
        missing = set(params) - found
        if self.is_strict and missing:
            raise argument_error(
                "The following params were not found in the template: "
                + ",".join(_longest_first(missing))
            )
        return replaced


class StrReplaceJson(StrReplace):
    """``str_replace`` from HOT 2015-10-15: maps and lists are written into the text as JSON."""

    allows_empty: ClassVar[bool] = True

    def _empty(self, placeholder: str) -> Exception:
        return argument_error(
            f"{self.fn_name} has an undefined or empty value for param {placeholder}, "
            "must be a defined non-empty value"
        )

    def replacement(self, value: Any, placeholder: str) -> str:
        if value is None:
            if self.allows_empty:
                return ""
            raise self._empty(placeholder)
        if isinstance(value, Mapping | list):
            if not self.allows_empty and not value:
                raise self._empty(placeholder)
            return to_json(value)
        if not isinstance(value, str | int | float):
            raise argument_error(f'"{self.fn_name}" params must be strings, numbers, list or map.')
        text = str(value)
        if not self.allows_empty and not text:
            raise self._empty(placeholder)
        return text


class StrReplaceStrict(StrReplaceJson):
    """``str_replace_strict``: as ``str_replace``, and every placeholder must occur."""

    is_strict = True


class StrReplaceVeryStrict(StrReplaceStrict):
    """``str_replace_vstrict``: as ``str_replace_strict``, and no value may be empty."""

    allows_empty = False


class ListJoin(Function):
    """``list_join: [delimiter, [text, ...]]`` (HOT up to 2015-04-30, and ``Fn::Join``)."""

    def _shape_error(self) -> Exception:
        example = f'"{self.fn_name}" : [ " ", [ "str1", "str2"]]'
        return argument_error(f'Incorrect arguments to "{self.fn_name}" should be: {example}')

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) != 2:
            raise self._shape_error()

    def _items(self, resolver: Resolver) -> list[Any]:
        items = resolve(self.args[1], resolver)
        if items is None:
            return []
        if isinstance(items, str) or not isinstance(items, Sequence):
            raise argument_error(f'"{self.fn_name}" must operate on a list')
        return list(items)

    def text_of(self, item: Any) -> str:
        if item is None:
            return ""
        if not isinstance(item, str):
            raise argument_error(f"Items to join must be strings not {repr(item)[:200]}")
        return item

    def result(self, resolver: Resolver) -> Any:
        items = self._items(resolver)
        delimiter = resolve(self.args[0], resolver)
        if not isinstance(delimiter, str):
            raise argument_error(f'"{self.fn_name}" delimiter must be a string')
        return delimiter.join(self.text_of(i) for i in items)


class ListJoinMultiple(ListJoin):
    """``list_join`` from HOT 2015-10-15: several lists; maps and lists are joined as JSON."""

    def _shape_error(self) -> Exception:
        example = f'"{self.fn_name}" : [ " ", [ "str1", "str2"] ...]'
        return argument_error(f'Incorrect arguments to "{self.fn_name}" should be: {example}')

    def check(self) -> None:
        if not isinstance(self.args, list) or len(self.args) < 2:
            raise self._shape_error()

    def _items(self, resolver: Resolver) -> list[Any]:
        items: list[Any] = []
        for part in resolve(self.args[1:], resolver):
            if not part:
                continue
            if isinstance(part, str) or not isinstance(part, Sequence):
                raise argument_error(f'"{self.fn_name}" must operate on a list')
            items.extend(part)
        return items

    def text_of(self, item: Any) -> str:
        if item is None:
            return ""
        if isinstance(item, str):
            return item
        if isinstance(item, Mapping | list):
            return to_json(item)
        raise argument_error(f"Items to join must be string, map or list not {repr(item)[:200]}")


class StrSplit(Function):
    """``str_split: [delimiter, text, (index)]``: the pieces, or the one at ``index``."""

    def _usage(self, what: str = "arguments") -> Exception:
        example = f'"{self.fn_name}" : [ ",", "apples,pears", <index>]'
        return argument_error(f'Incorrect {what} to "{self.fn_name}" should be: {example}')

    def check(self) -> None:
        if isinstance(self.args, str | Mapping):
            raise self._usage()

    def result(self, resolver: Resolver) -> Any:
        args = resolve(self.args, resolver)
        if not isinstance(args, list) or len(args) < 2:
            raise self._usage()
        delimiter, text = args[0], args[1]
        if text is None:
            return None
        try:
            pieces = text.split(delimiter)
        except (AttributeError, TypeError) as ex:
            raise argument_error(str(ex)) from ex
        if len(args) < 3:
            return pieces
        try:
            index = int(args[2])
        except (TypeError, ValueError) as ex:
            raise self._usage("index") from ex
        if not -len(pieces) <= index < len(pieces):
            raise argument_error(
                f'Incorrect index to "{self.fn_name}" should be between 0 and {len(pieces) - 1}'
            )
        return pieces[index]


class Digest(Function):
    """``digest: [algorithm, text]``: the hex digest, by any algorithm hashlib offers."""

    def result(self, resolver: Resolver) -> Any:
        args = resolve(self.args, resolver)
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise argument_error(f'Argument to function "{self.fn_name}" must be a list of strings')
        if len(args) != 2:
            raise argument_error(f'Function "{self.fn_name}" usage: ["<algorithm>", "<value>"]')
        algorithm, text = args
        available = hashlib.algorithms_available
        if algorithm.lower() not in available:
            names = ", ".join(repr(a) for a in sorted(available))
            raise argument_error(f"Algorithm must be one of {{{names}}}")
        try:
            digest = hashlib.new(algorithm)
            digest.update(text.encode("latin-1"))
            return digest.hexdigest()
        except (TypeError, ValueError) as ex:
            raise argument_error(str(ex)) from ex


class MakeUrl(Function):
    """``make_url: {scheme, username, password, host, port, path, query, fragment}``."""

    KEYS: ClassVar[tuple[str, ...]] = (
        "scheme",
        "username",
        "password",
        "host",
        "port",
        "path",
        "query",
        "fragment",
    )

    def _check_parts(self, args: Mapping[str, Any]) -> None:
        for key in self.KEYS:
            if key not in args or isinstance(args[key], Function):
                continue
            value = args[key]
            if key == "query":
                if not isinstance(value, Mapping):
                    raise argument_error(f'The "{key}" argument to "{self.fn_name}" must be a map')
            elif key == "port":
                self._check_port(value, args)
            elif not isinstance(value, str):
                raise argument_error(f'The "{key}" argument to "{self.fn_name}" must be a string')

    def _check_port(self, port: Any, args: Mapping[str, Any]) -> None:
        try:
            number = port if isinstance(port, int) else int(port)
        except (TypeError, ValueError) as ex:
            raise argument_error(
                f'Invalid URL port "{port}" for {self.fn_name} called with {dict(args)}'
            ) from ex
        if not 0 < number <= 65535:
            raise argument_error(f"Invalid URL port {number}, must be in range 1-65535")

    def validate(self, context: ValidationContext) -> None:
        super().validate(context)
        if not isinstance(self.args, Mapping):
            raise argument_error(f'The arguments to "{self.fn_name}" must be a map')
        invalid = [k for k in self.args if k not in self.KEYS]
        if invalid:
            raise argument_error(f'Invalid arguments to "{self.fn_name}": {", ".join(invalid)}')
        self._check_parts(self.args)

    def result(self, resolver: Resolver) -> Any:
        args = resolve(self.args, resolver)
        if not isinstance(args, Mapping):
            raise argument_error(f'The arguments to "{self.fn_name}" must be a map')
        self._check_parts(args)
        scheme = args.get("scheme", "")
        if ":" in scheme:
            raise argument_error("URL \"scheme\" should not contain ':'")
        netloc = ""
        username = urlparse.quote(args.get("username", ""), safe="")
        password = urlparse.quote(args.get("password", ""), safe="")
        if username or password:
            netloc = username + (f":{password}" if password else "") + "@"
        host = args.get("host", "")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        host = urlparse.quote(host, safe=":")
        netloc += f"[{host}]" if ":" in host else host
        port = args.get("port", "")
        if port:
            netloc += f":{port}"
        path = urlparse.quote(args.get("path", ""))
        query = urlparse.urlencode(args.get("query", {})).replace("%2F", "/")
        fragment = urlparse.quote(args.get("fragment", ""))
        return urlparse.urlunsplit((scheme, netloc, path, query, fragment))
