"""What the functional tests drive Heat with: scratch databases and vhosts, heat.conf,
the heat processes, and an HTTP client that waits for stack states with a deadline.

MariaDB (root, no password, 127.0.0.1:3306) and RabbitMQ (guest/guest,
127.0.0.1:5672, administered with ``rabbitmqctl``) must be running: when either
cannot be reached the test fails, it is never skipped.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import pymysql
import pytest
import requests
import yaml

BIN = Path(sys.executable).parent
DB_HOST, DB_PORT, DB_USER = "127.0.0.1", 3306, "root"
RABBIT_HOST, RABBIT_PORT = "127.0.0.1", 5672
RABBIT_USER = RABBIT_PASSWORD = "guest"

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
REQUEST_TIMEOUT = 30.0
STATUS_TIMEOUT = 60.0
POLL_INTERVAL = 0.1
LOG_TAIL_LINES = 40

# --- external services ---------------------------------------------------


def _require_port(host: str, port: int, what: str) -> None:
    try:
        with socket.create_connection((host, port), timeout=5):
            pass
    except OSError as ex:
        pytest.fail(f"{what} is not reachable at {host}:{port}: {ex}", pytrace=False)


def connect(database: str | None = None) -> pymysql.Connection:
    """An autocommit connection to MariaDB (each statement sees what was committed)."""
    _require_port(DB_HOST, DB_PORT, "MariaDB")
    return pymysql.connect(
        host=DB_HOST, port=DB_PORT, user=DB_USER, password="", database=database, autocommit=True
    )


def create_database() -> str:
    """A new empty database ``heat_func_<hex>``; fails the test if MariaDB is down."""
    name = f"heat_func_{secrets.token_hex(6)}"
    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    finally:
        conn.close()
    return name


def drop_database(name: str) -> None:
    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        conn.close()


def query(database: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of one SQL statement on ``database``."""
    conn = connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return list(cur.fetchall())
    finally:
        conn.close()


def rabbitmqctl(*args: str) -> str:
    result = subprocess.run(
        ["rabbitmqctl", *args], capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"rabbitmqctl {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


def create_vhost() -> str:
    """A new vhost ``heat_func_<hex>`` guest may use; fails the test if RabbitMQ is down."""
    _require_port(RABBIT_HOST, RABBIT_PORT, "RabbitMQ")
    name = f"heat_func_{secrets.token_hex(6)}"
    rabbitmqctl("add_vhost", name)
    rabbitmqctl("set_permissions", "-p", name, RABBIT_USER, ".*", ".*", ".*")
    return name


def delete_vhost(name: str) -> None:
    rabbitmqctl("delete_vhost", name)


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    name = create_database()
    try:
        yield name
    finally:
        drop_database(name)


@contextlib.contextmanager
def fresh_vhost() -> Iterator[str]:
    name = create_vhost()
    try:
        yield name
    finally:
        delete_vhost(name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def transport_url(vhost: str) -> str:
    return f"rabbit://{RABBIT_USER}:{RABBIT_PASSWORD}@{RABBIT_HOST}:{RABBIT_PORT}/{vhost}"


def database_url(database: str) -> str:
    return f"mysql+pymysql://{DB_USER}@{DB_HOST}/{database}"


# --- heat.conf -------------------------------------------------------------

Sections = Mapping[str, Mapping[str, Any]]


def render_conf(sections: Sections) -> str:
    lines: list[str] = []
    for section, options in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {value}" for key, value in options.items())
        lines.append("")
    return "\n".join(lines)


def standard_conf(database: str, vhost: str, api_port: int, cfn_port: int) -> dict[str, Any]:
    """The heat.conf sections of a deployment on ``database`` and ``vhost``."""
    return {
        "DEFAULT": {
            "transport_url": transport_url(vhost),
            "periodic_interval": 2,
            "rpc_response_timeout": 10,
        },
        "database": {"connection": database_url(database)},
        "paste_deploy": {"flavor": "noauth"},
        "heat_api": {"bind_host": "127.0.0.1", "bind_port": api_port, "workers": 2},
        "heat_api_cfn": {"bind_host": "127.0.0.1", "bind_port": cfn_port, "workers": 1},
    }


# --- processes -------------------------------------------------------------


def tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


class Process:
    """One console-script process in its own session, logging to a file."""

    def __init__(self, name: str, argv: list[str], log: Path) -> None:
        self.name = name
        self.argv = argv
        self.log = log
        self.stopped = False
        self._log_file = log.open("ab")
        self.popen = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def running(self) -> bool:
        return self.popen.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def logs(self) -> str:
        return f"--- {self.name} ({self.log}) ---\n{tail(self.log)}"

    def stop(self) -> None:
        """SIGTERM to the process group (gunicorn workers included), SIGKILL if it lingers."""
        self.stopped = True
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(STOP_TIMEOUT)
        # Children (gunicorn workers) may outlive a master killed first.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self._log_file.close()


def wait_until(
    predicate: Callable[[], Any],
    timeout: float,
    what: str,
    diagnostics: Callable[[], str] = lambda: "",
) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}\n{diagnostics()}")
        time.sleep(POLL_INTERVAL)


def heat_manage(conf: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "heat-manage"), "--config-file", str(conf), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def api_answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


class Deployment:
    """heat-manage db_sync, then the heat services from one heat.conf."""

    def __init__(
        self,
        workdir: Path,
        conf: Path,
        api_port: int,
        cfn_port: int,
        database: str | None = None,
        vhost: str | None = None,
    ) -> None:
        self.workdir = workdir
        self.database = database
        self.vhost = vhost
        self.conf = conf
        self.api_port = api_port
        self.cfn_port = cfn_port
        self.api_url = f"http://127.0.0.1:{api_port}"
        self.cfn_url = f"http://127.0.0.1:{cfn_port}"
        self.processes: list[Process] = []
        self._counts: dict[str, int] = {}

    # starting and stopping

    def start(self, binary: str, *extra: str) -> Process:
        n = self._counts[binary] = self._counts.get(binary, 0) + 1
        log = self.workdir / f"{binary}-{n}.log"
        proc = Process(
            f"{binary}-{n}", [str(BIN / binary), "--config-file", str(self.conf), *extra], log
        )
        self.processes.append(proc)
        return proc

    def by_binary(self, binary: str) -> list[Process]:
        return [p for p in self.processes if p.name.rsplit("-", 1)[0] == binary]

    def db_sync(self) -> None:
        result = heat_manage(self.conf, "db_sync")
        assert result.returncode == 0, f"heat-manage db_sync failed:\n{result.stderr}"

    def start_all(self, engines: int = 2) -> None:
        """db_sync, ``engines`` heat-engines, heat-api and heat-api-cfn; wait until serving."""
        self.db_sync()
        for _ in range(engines):
            self.start("heat-engine")
        self.start("heat-api")
        self.start("heat-api-cfn")
        self.wait_api()
        self.wait_cfn()
        self.wait_engines(engines)

    def stop_all(self) -> None:
        for proc in reversed(self.processes):
            proc.stop()

    def stop(self, binary: str) -> None:
        for proc in self.by_binary(binary):
            proc.stop()

    # readiness

    def logs(self) -> str:
        return "\n".join(p.logs() for p in self.processes)

    def _check_alive(self) -> None:
        dead = [p for p in self.processes if not p.stopped and not p.running()]
        if dead:
            pytest.fail(
                "heat processes exited: "
                + ", ".join(f"{p.name} (rc {p.popen.returncode})" for p in dead)
                + "\n"
                + self.logs()
            )

    def wait_api(self, timeout: float = START_TIMEOUT) -> None:
        def ready() -> bool:
            self._check_alive()
            return api_answers(self.api_url + "/")

        wait_until(ready, timeout, f"heat-api at {self.api_url}/", self.logs)

    def wait_cfn(self, timeout: float = START_TIMEOUT) -> None:
        def ready() -> bool:
            self._check_alive()
            return api_answers(self.cfn_url + "/")

        wait_until(ready, timeout, f"heat-api-cfn at {self.cfn_url}/", self.logs)

    def engines_up(self) -> int:
        result = heat_manage(self.conf, "service", "list")
        if result.returncode != 0:
            return 0
        return sum(
            1
            for line in result.stdout.splitlines()
            if "heat-engine" in line and re.search(r"\sup\s", line)
        )

    def wait_engines(self, count: int, timeout: float = START_TIMEOUT) -> None:
        def ready() -> bool:
            self._check_alive()
            return self.engines_up() >= count

        wait_until(
            ready, timeout, f"{count} heat-engines up in `heat-manage service list`", self.logs
        )


@contextlib.contextmanager
def own_deployment(
    workdir: Path, engines: int = 2, **overrides: dict[str, Any]
) -> Iterator[Deployment]:
    """A deployment of a test's own, on a fresh database and vhost, removed afterwards.

    ``overrides`` maps heat.conf sections to options that replace the standard ones.
    """
    with fresh_database() as database, fresh_vhost() as vhost:
        api_port, cfn_port = free_port(), free_port()
        sections = standard_conf(database, vhost, api_port, cfn_port)
        for section, options in overrides.items():
            sections.setdefault(section, {}).update(options)
        conf = workdir / "heat.conf"
        conf.write_text(render_conf(sections))
        deployment = Deployment(workdir, conf, api_port, cfn_port, database, vhost)
        with running(deployment, engines):
            yield deployment


@contextlib.contextmanager
def running(deployment: Deployment, engines: int = 2) -> Iterator[Deployment]:
    """Start ``deployment`` and always stop its processes afterwards.

    While it runs, a failing test's report carries the tail of its logs.
    """
    with watched(deployment):
        try:
            deployment.start_all(engines)
            yield deployment
        finally:
            deployment.stop_all()


class HasLogs(Protocol):
    def logs(self) -> str: ...


# What runs now; conftest's report hook adds their log tails to a failing test's report.
WATCHED: list[HasLogs] = []


@contextlib.contextmanager
def watched(thing: HasLogs) -> Iterator[None]:
    WATCHED.append(thing)
    try:
        yield
    finally:
        WATCHED.remove(thing)


# --- HTTP ------------------------------------------------------------------


class HeatHTTP:
    """The native API as a user with curl sees it; redirects are not followed."""

    FAILED = re.compile(r"_FAILED$")

    def __init__(self, api_url: str, tenant: str, user: str = "demo") -> None:
        self.api_url = api_url
        self.tenant = tenant
        self.base = f"{api_url}/v1/{tenant}"
        self.session = requests.Session()
        self.session.headers.update(
            {"X-Auth-User": user, "X-Auth-Project": tenant, "Accept": "application/json"}
        )

    def url(self, path: str) -> str:
        if path.startswith("http"):
            return path
        return self.base + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create_stack(self, name: str, template: Any, **body: Any) -> str:
        """POST a stack; returns its URL (the Location header)."""
        resp = self.post("/stacks", json={"stack_name": name, "template": template, **body})
        assert resp.status_code == 201, resp.text
        return resp.headers["Location"]

    def stack_names(self) -> list[str]:
        resp = self.get("/stacks")
        assert resp.status_code == 200, resp.text
        return [s["stack_name"] for s in resp.json()["stacks"]]

    def wait_for_status(
        self, stack_url: str, status: str, timeout: float = STATUS_TIMEOUT
    ) -> dict[str, Any]:
        """Poll the stack until it reaches ``status``; fail at once on another *_FAILED.

        A stack that disappears (404) counts as ``DELETE_COMPLETE``: deleted stacks
        are not shown by id after the delete finished.
        """
        last: dict[str, Any] = {}

        def reached() -> dict[str, Any] | None:
            resp = self.get(stack_url)
            if resp.status_code == 404 and status == "DELETE_COMPLETE":
                return {"stack_status": "DELETE_COMPLETE", "gone": True}
            assert resp.status_code == 200, f"GET {stack_url}: {resp.status_code} {resp.text}"
            stack = resp.json()["stack"]
            last.clear()
            last.update(stack)
            current = stack["stack_status"]
            if current == status:
                return stack
            assert not (self.FAILED.search(current) and current != status), (
                f"stack went to {current} waiting for {status}: {stack.get('stack_status_reason')}"
            )
            return None

        return wait_until(
            reached, timeout, f"{stack_url} to reach {status}", lambda: f"last seen: {last}"
        )


def assert_heat_error(resp: requests.Response, code: int, error_type: str | None = None) -> dict:
    """The response is Heat's error document with ``code`` (and ``error.type``)."""
    assert resp.status_code == code, f"{resp.status_code} {resp.text}"
    assert resp.headers["Content-Type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) >= {"code", "title", "explanation", "error"}, body
    assert body["code"] == code
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["explanation"], str) and body["explanation"]
    assert set(body["error"]) >= {"type", "message", "traceback"}, body
    if error_type is not None:
        assert body["error"]["type"] == error_type, body
    return body


# --- templates ---------------------------------------------------------------

# The walk: RandomString, TestResource, Value and None, with get_param,
# get_resource, get_attr, depends_on and outputs.
WALK_TEMPLATE = """\
heat_template_version: 2018-08-31
description: functional walk
parameters:
  length: {type: number, default: 12}
  secret: {type: string, default: abc, hidden: true}
resources:
  rand:
    type: OS::Heat::RandomString
    properties: {length: {get_param: length}}
  test:
    type: OS::Heat::TestResource
    properties: {value: {get_attr: [rand, value]}}
  val:
    type: OS::Heat::Value
    properties: {value: {get_resource: test}}
  none:
    type: OS::Heat::None
    depends_on: [val]
outputs:
  out_rand: {value: {get_attr: [rand, value]}, description: the random}
  out_val: {value: {get_attr: [val, value]}}
"""


def walk_template_as_json() -> dict[str, Any]:
    """The walk template as JSON, as Heat keeps it (the version stays a string)."""
    template = yaml.safe_load(WALK_TEMPLATE)
    template["heat_template_version"] = str(template["heat_template_version"])
    return template
