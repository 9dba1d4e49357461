"""yaql: a yaql expression evaluated on data, its work bounded so that a hostile one is refused.

yaql's own limits bound the length of any collection it builds and the memory of each
result, as upstream configures them. What those cannot bound (nested loops that each stay
under the limits, one huge arithmetic or regex operation) is bounded by evaluating in a
helper process with a cap on its memory, stopped when it takes too long.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import json
import os
import resource
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping  # also loads collections.abc, which yaql uses unimported
from typing import IO, Any

import yaql
from yaql.language import exceptions as yaql_exceptions

from heat_engine.template.functions import (
    Function,
    Resolver,
    ValidationContext,
    argument_error,
    resolve,
)

YAQL_LIMIT_ITERATORS = 200  # elements in any collection (upstream's [yaql] limit_iterators)
YAQL_MEMORY_QUOTA = 10000  # bytes in any one result (upstream's [yaql] memory_quota)
YAQL_TIME_LIMIT = 5.0  # seconds for one evaluation
YAQL_ADDRESS_SPACE = 1024 * 1024 * 1024  # bytes the helper process may map
YAQL_PARSE_CACHE_SIZE = 512


@functools.cache
def _engine() -> Any:
    return yaql.YaqlFactory().create(
        {"yaql.limitIterators": YAQL_LIMIT_ITERATORS, "yaql.memoryQuota": YAQL_MEMORY_QUOTA}
    )


@functools.lru_cache(maxsize=YAQL_PARSE_CACHE_SIZE)
def _parse(expression: str) -> Any:
    return _engine()(expression)


def parse_expression(expression: Any, fn_name: str) -> Any:
    """The parsed expression, or the error upstream gives for a bad one."""
    if not isinstance(expression, str):
        raise argument_error(f'The "expression" argument to {fn_name} must contain a string.')
    try:
        return _parse(expression)
    except yaql_exceptions.YaqlException as ex:
        raise argument_error(f"Bad expression {ex}.") from ex


def _plain(value: Any) -> Any:
    """A yaql result as data a template value can hold (sets and tuples become lists)."""
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The helper process: evaluate one JSON request per line until its input closes."""
    resource.setrlimit(resource.RLIMIT_AS, (YAQL_ADDRESS_SPACE, YAQL_ADDRESS_SPACE))
    context = yaql.create_context()
    for line in requests:
        try:
            expression, data = json.loads(line)
            value = _parse(expression).evaluate({"data": data}, context.create_child_context())
            reply = ["ok", _plain(value)]
        except MemoryError:
            reply = ["error", "Expression consumed too much memory"]
        except Exception as ex:  # the expression's own failure, reported to its template
            reply = ["error", str(ex)]
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()


class _Evaluator:
    """One helper process per engine process, used by one evaluation at a time.

    The helper is a fresh interpreter (``python -m`` this module), so nothing of the
    engine's state is shared with it; it is replaced when it has been stopped.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._pid = 0
        self._pending = b""

    def _helper(self) -> subprocess.Popen[bytes]:
        process = self._process
        if process is None or self._pid != os.getpid() or process.poll() is not None:
            self._stop()
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            process = subprocess.Popen(
                [sys.executable, "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                close_fds=True,
            )
            self._process, self._pid, self._pending = process, os.getpid(), b""
        return process

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and self._pid == os.getpid():
            with contextlib.suppress(OSError):
                process.kill()
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()

    def _read_line(self, process: subprocess.Popen[bytes], deadline: float) -> bytes | None:
        assert process.stdout is not None
        fd = process.stdout.fileno()
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                raise EOFError("the yaql helper stopped")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line

    def evaluate(self, expression: str, data: Any) -> Any:
        request = json.dumps([expression, data], default=str).encode() + b"\n"
        with self._lock:
            process = self._helper()
            assert process.stdin is not None
            try:
                process.stdin.write(request)
                process.stdin.flush()
                line = self._read_line(process, time.monotonic() + YAQL_TIME_LIMIT)
            except (EOFError, OSError) as ex:
                self._stop()
                raise argument_error("Expression consumed too much memory") from ex
            if line is None:
                self._stop()
                raise argument_error(
                    f"Expression took longer than {YAQL_TIME_LIMIT:g} seconds to evaluate"
                )
        status, value = json.loads(line)
        if status != "ok":
            raise argument_error(value)
        return value


EVALUATOR = _Evaluator()


class Yaql(Function):
    """``yaql: {expression: text, data: value}``: the expression evaluated with ``$.data``."""

    def check(self) -> None:
        if not isinstance(self.args, Mapping):
            raise argument_error(f'Arguments to "{self.fn_name}" must be a map.')
        if "expression" not in self.args or set(self.args) - {"expression", "data"}:
            example = (
                f"{self.fn_name}:\n"
                "              expression: $.data.var1.sum()\n"
                "              data:\n"
                "                var1: [3, 2, 1]"
            )
            raise argument_error(repr(f'"{self.fn_name}" syntax should be {example}'))

    def validate(self, context: ValidationContext) -> None:
        super().validate(context)
        expression = self.args["expression"]
        if not isinstance(expression, Function):
            parse_expression(expression, self.fn_name)

    def result(self, resolver: Resolver) -> Any:
        expression = resolve(self.args["expression"], resolver)
        parse_expression(expression, self.fn_name)
        data = resolve(self.args.get("data", {}), resolver)
        return EVALUATOR.evaluate(expression, data)


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
