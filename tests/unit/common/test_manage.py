"""``heat-manage`` run as operators run it: a process, a heat.conf, a SQLite database."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from oslo_config import cfg
from sqlalchemy.orm import Session, sessionmaker

from common import config as heat_config
from common.db import migration, services
from common.db import models as m
from common.db.base import utcnow
from common.db.session import create_db_engine, make_session_factory

REPORT_INTERVAL = 30
TEST_HOST = "engine-host-1"
# Upstream's columns and widths, which operators' scripts parse.
SERVICE_LIST_HEADER = (
    "Hostname         Binary           Engine_Id                            "
    "Host       Topic      Status     Updated At"
)


def _console_script(name: str) -> str:
    beside_python = Path(sys.executable).with_name(name)
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; run `pip install -e .`")
    return found


@dataclass(frozen=True)
class Deployment:
    """A heat.conf and the database it names."""

    conf_file: Path
    url: str
    sessions: sessionmaker[Session]

    def manage(self, *args: str, expect_success: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [_console_script("heat-manage"), "--config-file", str(self.conf_file), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if expect_success:
            assert result.returncode == 0, result.stderr
        return result

    def conf(self) -> cfg.ConfigOpts:
        conf = cfg.ConfigOpts()
        heat_config.register_opts(conf)
        conf(["--config-file", str(self.conf_file)], project="heat")
        return conf


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    url = f"sqlite:///{tmp_path / 'heat.sqlite'}"
    conf_file = tmp_path / "heat.conf"
    conf_file.write_text(
        f"[DEFAULT]\nhost = {TEST_HOST}\nperiodic_interval = {REPORT_INTERVAL}\n\n"
        f"[database]\nconnection = {url}\n"
    )
    engine = create_db_engine(url)
    yield Deployment(conf_file, url, make_session_factory(engine))
    engine.dispose()


@pytest.fixture
def synced(deployment: Deployment) -> Deployment:
    deployment.manage("db_sync")
    return deployment


def test_db_version_prints_none_before_db_sync(deployment: Deployment) -> None:
    assert deployment.manage("db_version").stdout.strip() == "None"


def test_db_sync_migrates_to_head_and_db_version_reports_it(deployment: Deployment) -> None:
    deployment.manage("db_sync")

    assert deployment.manage("db_version").stdout.strip() == migration.head_revision()
    migration.check(deployment.url)


def test_db_sync_to_an_unknown_revision_fails_with_an_error_line(
    deployment: Deployment,
) -> None:
    result = deployment.manage("db_sync", "9999", expect_success=False)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("ERROR: ")


# -- services ----------------------------------------------------------------


def _register(deployment: Deployment, silent_for: float) -> str:
    """Register an engine whose last heartbeat was ``silent_for`` seconds ago."""
    engine_id = str(uuid.uuid4())
    with deployment.sessions.begin() as session:
        service_id = services.register(session, deployment.conf(), engine_id)
        session.execute(
            sa.update(m.Service)
            .where(m.Service.id == service_id)
            .values(updated_at=utcnow() - datetime.timedelta(seconds=silent_for))
        )
    return engine_id


def _listed_status(output: str) -> dict[str, str]:
    """Engine id → status from ``service list``, checking the header on the way."""
    header, *rows = output.splitlines()
    assert header == SERVICE_LIST_HEADER
    statuses = {}
    for row in rows:
        _hostname, binary, engine_id, host, topic, status, *_updated = row.split()
        assert (binary, host, topic) == ("heat-engine", TEST_HOST, "engine")
        statuses[engine_id] = status
    return statuses


def test_service_list_shows_a_reporting_engine_up_and_a_silent_one_down(
    synced: Deployment,
) -> None:
    alive = _register(synced, silent_for=1)
    stale = _register(synced, silent_for=2 * REPORT_INTERVAL + 5)

    statuses = _listed_status(synced.manage("service", "list").stdout)

    assert statuses == {alive: "up", stale: "down"}


def test_service_list_omits_a_deregistered_engine(synced: Deployment) -> None:
    kept = _register(synced, silent_for=0)
    gone = _register(synced, silent_for=0)
    with synced.sessions.begin() as session:
        service_id = session.scalars(
            sa.select(m.Service.id).where(m.Service.engine_id == gone)
        ).one()
        services.deregister(session, service_id)

    assert _listed_status(synced.manage("service", "list").stdout) == {kept: "up"}


def test_service_clean_removes_only_dead_engines(synced: Deployment) -> None:
    alive = _register(synced, silent_for=1)
    stale = _register(synced, silent_for=2 * REPORT_INTERVAL + 5)

    result = synced.manage("service", "clean")

    assert result.stdout.strip() == "Dead engines are removed."
    assert _listed_status(synced.manage("service", "list").stdout) == {alive: "up"}
    with synced.sessions() as session:
        deleted_at = session.scalars(
            sa.select(m.Service.deleted_at).where(m.Service.engine_id == stale)
        ).one()
    assert deleted_at is not None


def test_heartbeat_brings_a_cleaned_engine_back(synced: Deployment) -> None:
    engine_id = _register(synced, silent_for=2 * REPORT_INTERVAL + 5)
    synced.manage("service", "clean")
    with synced.sessions.begin() as session:
        service_id = session.scalars(
            sa.select(m.Service.id).where(m.Service.engine_id == engine_id)
        ).one()
        assert services.heartbeat(session, service_id)

    assert _listed_status(synced.manage("service", "list").stdout) == {engine_id: "up"}


# -- purge_deleted -------------------------------------------------------------


@dataclass(frozen=True)
class StackRows:
    """The ids of a stack and of every row made for it."""

    stack: str
    raw_template: int
    raw_template_files: int
    user_creds: int
    resource: int
    resource_data: int
    prop_data: tuple[int, ...]
    event: int
    snapshot: str
    resource_snapshot: str


def _add_stack(
    session: Session,
    *,
    tenant: str,
    deleted_ago: datetime.timedelta | None,
    files: m.RawTemplateFiles | None = None,
) -> StackRows:
    """A stack with one of every dependent row, deleted ``deleted_ago`` ago (None: live)."""
    files = files or m.RawTemplateFiles(files={"script.sh": "echo hi"})
    template = m.RawTemplate(template={"heat_template_version": "2021-04-16"}, environment={})
    creds = m.UserCreds(username="demo", tenant=tenant, trust_id="trust")
    session.add_all([files, creds])
    session.flush()
    template.files_id = files.id
    session.add(template)
    session.flush()
    stack = m.Stack(
        name=f"stack-{uuid.uuid4().hex[:8]}",
        raw_template_id=template.id,
        tenant=tenant,
        user_creds_id=creds.id,
        action="DELETE" if deleted_ago else "CREATE",
        status="COMPLETE",
        deleted_at=utcnow() - deleted_ago if deleted_ago else None,
    )
    props, attrs, event_props = (m.ResourcePropertiesData(data={"n": i}) for i in range(3))
    session.add_all([stack, props, attrs, event_props])
    session.flush()
    resource = m.Resource(
        name="server",
        stack_id=stack.id,
        rsrc_prop_data_id=props.id,
        attr_data_id=attrs.id,
        current_template_id=template.id,
    )
    snapshot = m.Snapshot(stack_id=stack.id, tenant=tenant, name="snap", data={})
    event = m.Event(stack_id=stack.id, resource_name="server", rsrc_prop_data_id=event_props.id)
    session.add_all(
        [
            resource,
            snapshot,
            event,
            m.StackTag(tag="web", stack_id=stack.id),
            m.StackLock(stack_id=stack.id, engine_id=str(uuid.uuid4())),
            m.SyncPoint(
                entity_id=str(uuid.uuid4()),
                traversal_id=str(uuid.uuid4()),
                is_update=True,
                stack_id=stack.id,
            ),
        ]
    )
    session.flush()
    data = m.ResourceData(key="password", value="secret", resource_id=resource.id)
    resource_snapshot = m.ResourceSnapshot(snapshot_id=snapshot.id, resource_name="server", data={})
    session.add_all([data, resource_snapshot])
    session.flush()
    return StackRows(
        stack=stack.id,
        raw_template=template.id,
        raw_template_files=files.id,
        user_creds=creds.id,
        resource=resource.id,
        resource_data=data.id,
        prop_data=(props.id, attrs.id, event_props.id),
        event=event.id,
        snapshot=snapshot.id,
        resource_snapshot=resource_snapshot.id,
    )


def _remaining(session: Session, rows: StackRows) -> dict[str, int]:
    """How many of ``rows`` are still in the database, per table."""

    def count(model: type[m.Base], ids: Sequence[object], column: Any = None) -> int:
        where = (model.id if column is None else column).in_(ids)
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(where)) or 0

    return {
        "stack": count(m.Stack, [rows.stack]),
        "raw_template": count(m.RawTemplate, [rows.raw_template]),
        "raw_template_files": count(m.RawTemplateFiles, [rows.raw_template_files]),
        "user_creds": count(m.UserCreds, [rows.user_creds]),
        "resource": count(m.Resource, [rows.resource]),
        "resource_data": count(m.ResourceData, [rows.resource_data]),
        "resource_properties_data": count(m.ResourcePropertiesData, rows.prop_data),
        "event": count(m.Event, [rows.event]),
        "snapshot": count(m.Snapshot, [rows.snapshot]),
        "resource_snapshot": count(m.ResourceSnapshot, [rows.resource_snapshot]),
        "stack_tag": count(m.StackTag, [rows.stack], m.StackTag.stack_id),
        "stack_lock": count(m.StackLock, [rows.stack], m.StackLock.stack_id),
        "sync_point": count(m.SyncPoint, [rows.stack], m.SyncPoint.stack_id),
    }


ALL_ROWS = {
    "stack": 1,
    "raw_template": 1,
    "raw_template_files": 1,
    "user_creds": 1,
    "resource": 1,
    "resource_data": 1,
    "resource_properties_data": 3,
    "event": 1,
    "snapshot": 1,
    "resource_snapshot": 1,
    "stack_tag": 1,
    "stack_lock": 1,
    "sync_point": 1,
}
NO_ROWS = dict.fromkeys(ALL_ROWS, 0)


def test_purge_deleted_removes_an_old_deleted_stack_and_keeps_a_live_one(
    synced: Deployment,
) -> None:
    with synced.sessions.begin() as session:
        old = _add_stack(session, tenant="project-a", deleted_ago=datetime.timedelta(days=10))
        live = _add_stack(session, tenant="project-a", deleted_ago=None)

    synced.manage("purge_deleted", "5")

    with synced.sessions() as session:
        assert _remaining(session, old) == NO_ROWS
        assert _remaining(session, live) == ALL_ROWS


def test_purge_deleted_keeps_template_files_a_live_stack_still_uses(synced: Deployment) -> None:
    with synced.sessions.begin() as session:
        live = _add_stack(session, tenant="project-a", deleted_ago=None)
        shared_files = session.get_one(m.RawTemplateFiles, live.raw_template_files)
        old = _add_stack(
            session,
            tenant="project-a",
            deleted_ago=datetime.timedelta(days=10),
            files=shared_files,
        )

    synced.manage("purge_deleted", "5")

    with synced.sessions() as session:
        assert _remaining(session, old) == {**NO_ROWS, "raw_template_files": 1}
        assert _remaining(session, live) == ALL_ROWS


STACK_AGES = {
    "old_a": ("project-a", datetime.timedelta(days=10)),
    "old_b": ("project-b", datetime.timedelta(days=10)),
    "older_b": ("project-b", datetime.timedelta(days=20)),
    "recent": ("project-a", datetime.timedelta(hours=1)),
    "live": ("project-a", None),
}


@pytest.mark.parametrize(
    ("args", "purged"),
    [
        pytest.param([], set(), id="default-age-90-days"),
        pytest.param(["5"], {"old_a", "old_b", "older_b"}, id="age-in-days"),
        pytest.param(["15"], {"older_b"}, id="only-older-than-age"),
        pytest.param(["-p", "project-b", "5"], {"old_b", "older_b"}, id="one-project"),
        pytest.param(["-g", "hours", "2"], {"old_a", "old_b", "older_b"}, id="hours"),
        pytest.param(
            ["-g", "minutes", "30"], {"old_a", "old_b", "older_b", "recent"}, id="minutes"
        ),
        pytest.param(["-b", "1", "5"], {"old_a", "old_b", "older_b"}, id="batches-of-one"),
    ],
)
def test_purge_deleted_selects_stacks_by_age_project_and_batch(
    synced: Deployment, args: list[str], purged: set[str]
) -> None:
    with synced.sessions.begin() as session:
        stacks = {
            label: _add_stack(session, tenant=tenant, deleted_ago=ago)
            for label, (tenant, ago) in STACK_AGES.items()
        }

    synced.manage("purge_deleted", *args)

    with synced.sessions() as session:
        remaining = {label: _remaining(session, rows) for label, rows in stacks.items()}
    assert {label for label, rows in remaining.items() if rows == NO_ROWS} == purged
    assert {label for label, rows in remaining.items() if rows == ALL_ROWS} == (
        set(STACK_AGES) - purged
    )


def test_purge_deleted_drops_services_deleted_before_the_cutoff(synced: Deployment) -> None:
    old = _register(synced, silent_for=0)
    recent = _register(synced, silent_for=0)
    with synced.sessions.begin() as session:
        for engine_id, ago in ((old, datetime.timedelta(days=10)), (recent, None)):
            session.execute(
                sa.update(m.Service)
                .where(m.Service.engine_id == engine_id)
                .values(deleted_at=utcnow() - (ago or datetime.timedelta(0)))
            )

    synced.manage("purge_deleted", "5")

    with synced.sessions() as session:
        left = set(session.scalars(sa.select(m.Service.engine_id)))
    assert left == {recent}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["-b", "0"], "batch_size", id="zero-batch"),
        pytest.param(["-1"], "age", id="negative-age"),
    ],
)
def test_purge_deleted_rejects_bad_arguments(
    synced: Deployment, args: list[str], message: str
) -> None:
    result = synced.manage("purge_deleted", *args, expect_success=False)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("ERROR: ")
    assert message in result.stderr
