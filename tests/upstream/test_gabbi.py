"""Upstream Heat's own API tests, the gabbits of heat-tempest-plugin, run against heat-all.

The gabbi files are not copied here: the wheel is fetched with pip at collection time into
a cache outside the repository, checked against its sha256 and unpacked there. Each gabbi
request is one pytest test; within a file they run in order and depend on one another, as
upstream's ``test_heat_api.py`` runs them. The endpoint is composed as upstream's keystone
catalog has it, ``http://host:8004/v1/<project id>``, here on free ports.
"""

# Expected failures (strict xfail): upstream tests that fail only because their feature is a
# later issue. A test that starts passing fails the run until it leaves EXPECTED_FAILURES.
#
# | tempest id | file: upstream test                      | ours, where upstream expects    |
# |------------|------------------------------------------|---------------------------------|
# | software configuration issue                                                            |
# | d26d11c0   | softwareconfig: create software config   | POST /software_configs: 404     |
# | d26d149a   | softwareconfig: show config              | no config id (create failed)    |
# | d26d15ee   | softwareconfig: create software deploym. | no config id (create failed)    |
# | d26d1968   | softwareconfig: show deployment          | no deployment (create failed)   |
# | d26d1ae4   | softwareconfig: show deployment metadata | no deployment (create failed)   |
# | d26d1c1a   | softwareconfig: update deployment        | no deployment URL (show failed) |
# | d26d1d46   | softwareconfig: list software configs    | GET /software_configs: 404      |
# | d26d1e90   | softwareconfig: list software deploym.   | GET /software_deployments: 404  |
# | d26d1fda   | softwareconfig: delete deployment        | no deployment URL (show failed) |
# | d26d22be   | softwareconfig: delete config            | no config URL (show failed)     |

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pytest
import yaml
from gabbi import case as gabbi_case
from gabbi import driver
from gabbi.fixture import GabbiFixture
from gabbi.suite import GabbiSuite

PLUGIN = "heat-tempest-plugin"
PLUGIN_VERSION = "3.0.0"
WHEEL = f"heat_tempest_plugin-{PLUGIN_VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "0777c9a064273b28610c8891d90e23494e18767f85c8d1a2bf819f693bbc5aa0"
GABBITS = "heat_tempest_plugin/tests/api/gabbits/"
BIN = Path(sys.executable).parent
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
LOG_TAIL_LINES = 60

SOFTWARE_CONFIG = "/software_configs and /software_deployments: software configuration issue"
# tempest id (the gabbi ``desc``) -> why it fails until a later issue lands.
EXPECTED_FAILURES: dict[str, str] = {
    "d26d11c0-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
    "d26d149a-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
    "d26d15ee-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
    "d26d1968-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
    "d26d1ae4-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
    "d26d1c1a-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
    "d26d1d46-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
    "d26d1e90-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
    "d26d1fda-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
    "d26d22be-4924-11e8-842f-0ed5f89f718b": SOFTWARE_CONFIG,
}


# --- the upstream gabbits --------------------------------------------------


def cache_dir() -> Path:
    """Where the wheel and its gabbits are kept between runs, outside the repository."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "heat-faithful" / "upstream"


def fetch_wheel(cache: Path) -> Path:
    """The plugin's wheel, downloaded once with pip and checked against WHEEL_SHA256."""
    wheel = cache / WHEEL
    if not wheel.exists():
        cache.mkdir(parents=True, exist_ok=True)
        spec = f"{PLUGIN}=={PLUGIN_VERSION}"
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", spec, "-d", str(cache)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not wheel.exists():
            pytest.fail(f"pip download {spec} failed:\n{done.stdout}{done.stderr}", pytrace=False)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        pytest.fail(
            f"{wheel} has sha256 {digest}, expected {WHEEL_SHA256}; delete it to download again",
            pytrace=False,
        )
    return wheel


def upstream_gabbits() -> Path:
    """The directory of upstream's gabbi YAML files, unpacked from the verified wheel."""
    cache = cache_dir()
    target = cache / f"heat_tempest_plugin-{PLUGIN_VERSION}-gabbits"
    if target.is_dir():
        return target
    wheel = fetch_wheel(cache)
    scratch = cache / f".{target.name}.{uuid.uuid4().hex}"
    scratch.mkdir()
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith(GABBITS) and name.endswith(".yaml"):
                (scratch / Path(name).name).write_bytes(archive.read(name))
    try:
        scratch.rename(target)
    except OSError:
        # Another run unpacked the same files first.
        for path in scratch.iterdir():
            path.unlink()
        scratch.rmdir()
    return target


# --- heat-all ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HeatAll:
    """A ``heat-all`` process on SQLite and ``memory://``, logging to a file."""

    def __init__(self, workdir: Path) -> None:
        self.api_port = free_port()
        self.log = workdir / "heat-all.log"
        conf = workdir / "heat.conf"
        conf.write_text(
            "[database]\n"
            f"connection = sqlite:///{workdir / 'heat.sqlite'}\n"
            "[heat_api]\n"
            f"bind_port = {self.api_port}\n"
            "[heat_api_cfn]\n"
            f"bind_port = {free_port()}\n"
        )
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                [str(BIN / "heat-all"), "--config-file", str(conf)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def endpoint(self, tenant: str) -> str:
        """The orchestration endpoint as Keystone's catalog gives it upstream's tests."""
        return f"http://127.0.0.1:{self.api_port}/v1/{tenant}"

    def tail(self) -> str:
        lines = self.log.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        return f"--- heat-all ({self.log}) ---\n" + "\n".join(lines)

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.api_port}/", timeout=2):
                return True
        except urllib.error.HTTPError as ex:
            return ex.code < 500
        except OSError:
            return False

    def wait_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not self.answers():
            if self.popen.poll() is not None:
                pytest.fail(f"heat-all exited with {self.popen.returncode}\n{self.tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"heat-all did not answer GET / in {START_TIMEOUT}s\n{self.tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(STOP_TIMEOUT)


@pytest.fixture(scope="module")
def heat_all(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeatAll]:
    process = HeatAll(tmp_path_factory.mktemp("heat-all"))
    try:
        process.wait_serving()
        yield process
    finally:
        process.stop()


# --- gabbi -------------------------------------------------------------------


class AuthenticationFixture(GabbiFixture):
    """The fixture the gabbits name: upstream puts a keystone token in OS_TOKEN.

    heat-all runs the noauth flavor, which takes the tenant from the URL and ignores the
    token, so any string will do.
    """

    def start_fixture(self) -> None:
        self.saved = os.environ.get("OS_TOKEN")
        os.environ["OS_TOKEN"] = uuid.uuid4().hex

    def stop_fixture(self) -> None:
        if self.saved is None:
            os.environ.pop("OS_TOKEN", None)
        else:
            os.environ["OS_TOKEN"] = self.saved


@dataclass(frozen=True)
class UpstreamCase:
    """One request of an upstream gabbi file, as collected (the file's stem and position)."""

    file: str
    index: int
    name: str
    tempest_id: str

    @property
    def test_id(self) -> str:
        return f"{self.file}:{self.name.replace(' ', '_')}:{self.tempest_id[:8]}"


def upstream_cases(gabbits: Path) -> list[UpstreamCase]:
    """Every request of every gabbi file, in file order."""
    cases = []
    for path in sorted(gabbits.glob("*.yaml")):
        tests = yaml.safe_load(path.read_text())["tests"]
        cases.extend(
            UpstreamCase(path.stem, index, test["name"], test["desc"])
            for index, test in enumerate(tests)
        )
    return cases


class UpstreamSuites:
    """The gabbi files built against one endpoint; a file's fixtures start with its first case."""

    def __init__(self, gabbits: Path, endpoint: str) -> None:
        suites = driver.build_tests(
            str(gabbits),
            unittest.TestLoader(),
            url=endpoint,
            fixture_module=sys.modules[__name__],
            test_loader_name="upstream",
        )
        self.suites: dict[str, GabbiSuite] = {next(iter(s)).test_base_name: s for s in suites}
        self.started: list[GabbiSuite] = []

    def case(self, file: str, index: int) -> gabbi_case.HTTPTestCase:
        suite = self.suites[file]
        if not any(started is suite for started in self.started):
            suite.start(unittest.TestResult())
            self.started.append(suite)
        return list(suite)[index]

    def stop(self) -> None:
        for suite in reversed(self.started):
            suite.stop()


@pytest.fixture(scope="module")
def upstream_suites(heat_all: HeatAll) -> Iterator[UpstreamSuites]:
    """Upstream's gabbits against heat-all, with a project id and PREFIX as upstream sets them."""
    suites = UpstreamSuites(upstream_gabbits(), heat_all.endpoint(uuid.uuid4().hex))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PREFIX", f"api-{uuid.uuid4().hex[:8]}")
            yield suites
    finally:
        suites.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One test per upstream gabbi request, in file order, with the expected failures marked."""
    params = []
    for case in upstream_cases(upstream_gabbits()):
        marks = []
        if case.tempest_id in EXPECTED_FAILURES:
            reason = EXPECTED_FAILURES[case.tempest_id]
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(case, id=case.test_id, marks=marks))
    metafunc.parametrize("upstream", params)


ExcInfo = tuple[type[BaseException], BaseException, TracebackType]


class CaseResult(unittest.TestResult):
    """Keeps the exception of a gabbi case, so the test can raise it after the case has run.

    Raising from inside ``run()``, as gabbi's own pytest result does, would skip the case's
    tearDown; the next case would then run this one again as its prior.
    """

    def __init__(self) -> None:
        super().__init__()
        self.exception: BaseException | None = None

    def addFailure(self, test: unittest.TestCase, err: ExcInfo) -> None:
        super().addFailure(test, err)
        self.exception = err[1]

    def addError(self, test: unittest.TestCase, err: ExcInfo) -> None:
        super().addError(test, err)
        self.exception = err[1]


def test_upstream_gabbi(
    heat_all: HeatAll, upstream_suites: UpstreamSuites, upstream: UpstreamCase
) -> None:
    case = upstream_suites.case(upstream.file, upstream.index)
    result = CaseResult()
    case.run(result)
    for _, reason in result.skipped:
        pytest.skip(reason)
    if isinstance(result.exception, AssertionError):
        request = f"{case.test_data['method']} {getattr(case, 'url', case.test_data['url'])}"
        pytest.fail(f"{request}\n{result.exception}", pytrace=False)
    if result.exception is not None:
        raise result.exception
