"""The operator's heat.conf from the seed document runs the services unchanged.

The conf below has the exact shape of /work/shared/seed/000_56583556a11cd13d.txt
(the pre-transport_url `rpc_backend = rabbit` with `[oslo_messaging_rabbit]`
rabbit_* options, a `mysql://` connection, `workers = 0`, the legacy
`[keystone_authtoken]` and `[ec2authtoken]` options), with the addresses moved
to 127.0.0.1, free ports, MariaDB's root user, and two additions:
`rabbit_virtual_host` (a fresh vhost per test) and `[paste_deploy] flavor =
noauth`, because Keystone authentication is a later issue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    DB_HOST,
    DB_USER,
    WALK_TEMPLATE,
    Deployment,
    HeatHTTP,
    free_port,
    fresh_database,
    fresh_vhost,
    running,
    transport_url,
)

pytestmark = pytest.mark.functional

SEED_CONF = """\
[DEFAULT]
deferred_auth_method = trusts
trusts_delegated_roles = heat_stack_owner
# Heat installed server
heat_metadata_server_url = http://127.0.0.1:{cfn_port}
heat_waitcondition_server_url = http://127.0.0.1:{cfn_port}/v1/waitcondition
heat_watch_server_url = http://127.0.0.1:{watch_port}
heat_stack_user_role = heat_stack_user
# Heat domain name
stack_user_domain_name = heat
# Heat domain admin name
stack_domain_admin = heat_admin
# Heat domain admin's password
stack_domain_admin_password = service-password
rpc_backend = rabbit
{extra_default}
[database]
# MariaDB connection info
connection = mysql://{db_user}@{db_host}/{database}
# RabbitMQ connection info
[oslo_messaging_rabbit]
rabbit_host = {rabbit_host}
rabbit_port = {rabbit_port}
rabbit_userid = guest
rabbit_password = guest
# Added: the test's own vhost (the seed uses the default "/").
rabbit_virtual_host = {vhost}
[ec2authtoken]
# specify Keystone server
auth_uri = http://127.0.0.1:5000/v2.0
[heat_api]
bind_host = 127.0.0.1
bind_port = {api_port}
workers = 0
[heat_api_cfn]
bind_host = 127.0.0.1
bind_port = {cfn_port}
workers = 0
[keystone_authtoken]
# specify Keystone auth info
admin_user=heat
admin_password=admin-password
admin_tenant_name=services
identity_uri=http://127.0.0.1:35357
auth_uri=http://127.0.0.1:5000/v2.0
# Added: Keystone authentication is a later issue; trust the X-Auth-* headers.
[paste_deploy]
flavor = noauth
"""

CLOSED_PORT = 1  # nothing listens on 127.0.0.1:1


def seed_deployment(
    workdir: Path,
    database: str,
    vhost: str,
    rabbit_port: int = 5672,
    extra_default: str = "",
) -> Deployment:
    api_port, cfn_port = free_port(), free_port()
    conf = workdir / "heat.conf"
    conf.write_text(
        SEED_CONF.format(
            cfn_port=cfn_port,
            api_port=api_port,
            watch_port=free_port(),
            db_user=DB_USER,
            db_host=DB_HOST,
            database=database,
            rabbit_host="127.0.0.1",
            rabbit_port=rabbit_port,
            vhost=vhost,
            extra_default=extra_default,
        )
    )
    return Deployment(workdir, conf, api_port, cfn_port, database, vhost)


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_database() as name:
        yield name


@pytest.fixture
def vhost() -> Iterator[str]:
    with fresh_vhost() as name:
        yield name


def walk_create_and_delete(deployment: Deployment, tenant: str, stack_name: str) -> None:
    api = HeatHTTP(deployment.api_url, tenant)
    url = api.create_stack(stack_name, WALK_TEMPLATE)
    stack = api.wait_for_status(url, "CREATE_COMPLETE")
    outputs = {o["output_key"]: o["output_value"] for o in stack["outputs"]}
    assert len(outputs["out_rand"]) == 12
    assert api.delete(url).status_code == 204
    api.wait_for_status(url, "DELETE_COMPLETE")
    assert stack_name not in api.stack_names()


def deprecation_lines(text: str, *words: str) -> list[str]:
    """Log lines that warn of a deprecation and mention every one of ``words``."""
    return [
        line
        for line in text.splitlines()
        if re.search("deprecat", line, re.I) and all(w.lower() in line.lower() for w in words)
    ]


def test_seed_conf_runs_the_services_and_warns_of_its_legacy_options(
    tmp_path: Path, database: str, vhost: str, tenant: str, stack_name: str
) -> None:
    deployment = seed_deployment(tmp_path, database, vhost)
    with running(deployment, engines=1):
        walk_create_and_delete(deployment, tenant, stack_name)
        [engine] = deployment.by_binary("heat-engine")
        [heat_api] = deployment.by_binary("heat-api")
        engine_log, api_log = engine.log_text(), heat_api.log_text()

    assert deprecation_lines(engine_log, "rabbit"), engine_log
    assert deprecation_lines(api_log, "rabbit"), api_log
    assert deprecation_lines(engine_log, "mysql://"), engine_log


def test_transport_url_wins_over_the_legacy_rabbit_options(
    tmp_path: Path, database: str, vhost: str, tenant: str, stack_name: str
) -> None:
    # The legacy options point at a port where no broker listens: only
    # transport_url can have connected the services.
    deployment = seed_deployment(
        tmp_path,
        database,
        vhost,
        rabbit_port=CLOSED_PORT,
        extra_default=f"transport_url = {transport_url(vhost)}\n",
    )
    with running(deployment, engines=1):
        walk_create_and_delete(deployment, tenant, stack_name)
        logs = "\n".join(p.log_text() for p in deployment.processes)

    assert f"127.0.0.1:{CLOSED_PORT}" not in logs
