"""A real Keystone for the functional tests, and the accounts Heat needs in it.

``keystone`` (a session fixture, imported by conftest.py) runs ``scripts/keystone.sh run``
(Keystone 30 from PyPI in .venv-keystone, SQLite and fernet tokens in a scratch
directory, on a free loopback port), then registers over the REST API what an operator
registers for Heat (the seed's commands): the ``service`` project, the ``heat`` user with
``admin`` on it, the ``heat_stack_owner`` and ``heat_stack_user`` roles, and the
orchestration and cloudformation services and endpoints. For the tests it adds a ``demo``
project whose user ``demo`` holds heat_stack_owner and member, a user ``stack-user``
holding only heat_stack_user there, and a second project ``other`` with user ``other``.

Tests get tokens with keystoneauth1: ``keystone.token(keystone.demo)``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from harness import Process, free_port, wait_until, watched
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "keystone.sh"
INSTALL_TIMEOUT = 600.0
START_TIMEOUT = 120.0
REGION = "RegionOne"
DOMAIN = "default"
STACK_DOMAIN = "heat"


@dataclasses.dataclass(frozen=True)
class Account:
    """A user and the project its tokens are scoped to."""

    username: str
    password: str
    project_name: str
    user_id: str = ""
    project_id: str = ""


@dataclasses.dataclass(frozen=True)
class Keystone:
    """The running Keystone: its v3 URL and the registered accounts."""

    url: str
    admin: Account
    heat: Account
    demo: Account
    stack_user: Account
    other: Account
    # the stack user domain (``heat``) and its admin, as bin/heat-keystone-setup-domain
    # makes them
    stack_domain_id: str = ""
    domain_admin: Account | None = None

    def auth(self, account: Account) -> v3.Password:
        return v3.Password(
            auth_url=self.url,
            username=account.username,
            password=account.password,
            user_domain_id=DOMAIN,
            project_name=account.project_name,
            project_domain_id=DOMAIN,
        )

    def session(self, account: Account) -> ks_session.Session:
        return ks_session.Session(auth=self.auth(account))

    def token(self, account: Account) -> str:
        """A new project-scoped token for ``account``."""
        return self.session(account).get_token()

    def authtoken_conf(self) -> dict[str, dict[str, Any]]:
        """heat.conf sections for auth_token and the standalone flavor against this Keystone.

        The token cache is off so that a revoked token is refused at once; with the default
        cache keystonemiddleware (upstream's too) accepts it until ``token_cache_time``.
        """
        return {
            "keystone_authtoken": {
                "www_authenticate_uri": self.url,
                "auth_type": "password",
                "auth_url": self.url,
                "username": self.heat.username,
                "password": self.heat.password,
                "project_name": self.heat.project_name,
                "user_domain_name": "Default",
                "project_domain_name": "Default",
                "token_cache_time": -1,
            },
            "clients_keystone": {"auth_uri": self.url.removesuffix("/v3")},
        }

    def stack_domain_conf(self) -> dict[str, Any]:
        """heat.conf [DEFAULT] options for stack domain users in the ``heat`` domain."""
        assert self.domain_admin is not None
        return {
            "stack_user_domain_name": STACK_DOMAIN,
            "stack_domain_admin": self.domain_admin.username,
            "stack_domain_admin_password": self.domain_admin.password,
        }

    def trustee_conf(self) -> dict[str, dict[str, Any]]:
        """A [trustee] section for Heat's service user, as upstream configures trusts."""
        return {
            "trustee": {
                "auth_type": "password",
                "auth_url": self.url,
                "username": self.heat.username,
                "password": self.heat.password,
                "user_domain_name": "Default",
            }
        }

    def revoke(self, token: str) -> None:
        """Revoke ``token`` (DELETE /v3/auth/tokens, as `openstack token revoke`)."""
        resp = requests.delete(
            f"{self.url}/auth/tokens",
            headers={"X-Auth-Token": self.token(self.admin), "X-Subject-Token": token},
            timeout=30,
        )
        assert resp.status_code == 204, resp.text


class Registrar:
    """Idempotent find-or-create calls on Keystone's v3 API as admin."""

    def __init__(self, url: str, admin: Account) -> None:
        self.http = ks_session.Session(
            auth=v3.Password(
                auth_url=url,
                username=admin.username,
                password=admin.password,
                user_domain_id=DOMAIN,
                project_name=admin.project_name,
                project_domain_id=DOMAIN,
            )
        )
        self.url = url

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self.http.request(self.url + path, method, raise_exc=True, **kwargs)
        return resp.json() if resp.content else None

    def ensure(self, collection: str, key: str, body: dict[str, Any], **query: str) -> str:
        """The id of the entity ``query`` finds, created from ``body`` when there is none."""
        found = self.call("GET", f"/{collection}", params=query)[collection]
        if found:
            return str(found[0]["id"])
        return str(self.call("POST", f"/{collection}", json={key: body})[key]["id"])

    def role(self, name: str) -> str:
        return self.ensure("roles", "role", {"name": name}, name=name)

    def project(self, name: str) -> str:
        return self.ensure(
            "projects", "project", {"name": name, "domain_id": DOMAIN}, name=name, domain_id=DOMAIN
        )

    def user(self, account: Account, roles: list[str]) -> Account:
        """Create ``account``'s project and user and grant it ``roles`` on the project."""
        project_id = self.project(account.project_name)
        user_id = self.ensure(
            "users",
            "user",
            {
                "name": account.username,
                "password": account.password,
                "domain_id": DOMAIN,
                "default_project_id": project_id,
            },
            name=account.username,
            domain_id=DOMAIN,
        )
        for role in roles:
            self.call("PUT", f"/projects/{project_id}/users/{user_id}/roles/{self.role(role)}")
        return dataclasses.replace(account, user_id=user_id, project_id=project_id)

    def stack_domain(self) -> tuple[str, Account]:
        """The ``heat`` domain and its admin ``heat_domain_admin`` (admin on the domain),
        as ``openstack domain create heat`` and friends (bin/heat-keystone-setup-domain)."""
        domain_id = self.ensure(
            "domains",
            "domain",
            {"name": STACK_DOMAIN, "description": "Owns users and projects created by heat"},
            name=STACK_DOMAIN,
        )
        admin = Account("heat_domain_admin", secrets.token_hex(8), "")
        user_id = self.ensure(
            "users",
            "user",
            {"name": admin.username, "password": admin.password, "domain_id": domain_id},
            name=admin.username,
            domain_id=domain_id,
        )
        self.call("PATCH", f"/users/{user_id}", json={"user": {"password": admin.password}})
        self.call("PUT", f"/domains/{domain_id}/users/{user_id}/roles/{self.role('admin')}")
        return domain_id, dataclasses.replace(admin, user_id=user_id)

    def service(self, kind: str, name: str, url: str) -> None:
        """A service of type ``kind`` with public, internal and admin endpoints at ``url``."""
        service_id = self.ensure(
            "services", "service", {"type": kind, "name": name, "enabled": True}, type=kind
        )
        for interface in ("public", "internal", "admin"):
            self.ensure(
                "endpoints",
                "endpoint",
                {"service_id": service_id, "interface": interface, "url": url, "region_id": REGION},
                service_id=service_id,
                interface=interface,
            )


def register_heat(url: str, admin: Account, heat_url: str, cfn_url: str) -> Keystone:
    """Register what Heat and the tests need in the Keystone at ``url``; idempotent."""
    keystone = Registrar(url, admin)
    admin = dataclasses.replace(
        admin,
        user_id=keystone.call("GET", "/users", params={"name": admin.username})["users"][0]["id"],
        project_id=keystone.project(admin.project_name),
    )
    for role in ("heat_stack_owner", "heat_stack_user", "member"):
        keystone.role(role)
    heat = keystone.user(Account("heat", secrets.token_hex(8), "service"), ["admin"])
    keystone.call(
        "PUT",
        f"/projects/{admin.project_id}/users/{admin.user_id}/roles/{keystone.role('heat_stack_owner')}",
    )
    demo = keystone.user(
        Account("demo", secrets.token_hex(8), "demo"), ["heat_stack_owner", "member"]
    )
    stack_user = keystone.user(
        Account("stack-user", secrets.token_hex(8), "demo"), ["heat_stack_user"]
    )
    other = keystone.user(
        Account("other", secrets.token_hex(8), "other"), ["heat_stack_owner", "member"]
    )
    keystone.service("orchestration", "heat", heat_url)
    keystone.service("cloudformation", "heat-cfn", cfn_url)
    domain_id, domain_admin = keystone.stack_domain()
    return Keystone(url, admin, heat, demo, stack_user, other, domain_id, domain_admin)


def install() -> None:
    """Install .venv-keystone (quick when it is current); fails the test if it cannot."""
    try:
        result = subprocess.run(
            [str(SCRIPT), "install"],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{SCRIPT} install took more than {INSTALL_TIMEOUT:g} s", pytrace=False)
    if result.returncode != 0:
        pytest.fail(f"{SCRIPT} install failed:\n{result.stderr}", pytrace=False)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@contextlib.contextmanager
def running_keystone(
    workdir: Path, heat_url: str, cfn_url: str, token_expiration: int = 3600
) -> Iterator[Keystone]:
    """Keystone on a free loopback port with Heat's accounts; stopped afterwards.

    ``heat_url`` and ``cfn_url`` are the orchestration and cloudformation endpoints to
    register (``%(tenant_id)s`` in the first is filled in by clients); tokens live
    ``token_expiration`` seconds.
    """
    install()
    port = free_port()
    url = f"http://127.0.0.1:{port}/v3"
    admin = Account("admin", secrets.token_hex(8), "admin")
    proc = Process(
        "keystone",
        [
            "env",
            f"KEYSTONE_ADMIN_PASSWORD={admin.password}",
            f"KEYSTONE_TOKEN_EXPIRATION={token_expiration}",
            str(SCRIPT),
            "run",
            str(workdir),
            str(port),
        ],
        workdir / "keystone.stdout.log",
    )
    with watched(proc):
        try:

            def ready() -> bool:
                if not proc.running():
                    pytest.fail(f"keystone exited (rc {proc.popen.returncode})\n{proc.logs()}")
                return answers(url)

            wait_until(ready, START_TIMEOUT, f"Keystone at {url}", proc.logs)
            yield register_heat(url, admin, heat_url, cfn_url)
        finally:
            proc.stop()


@pytest.fixture(scope="session")
def keystone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keystone]:
    """The session's Keystone; the Heat endpoints it lists are placeholders on port 8004/8000.

    Tests run Heat on ports of their own, so they address it directly rather than through
    the catalog.
    """
    workdir = tmp_path_factory.mktemp("keystone")
    with running_keystone(
        workdir, "http://127.0.0.1:8004/v1/%(tenant_id)s", "http://127.0.0.1:8000/v1"
    ) as info:
        yield info
