"""A database outage is a 503-class error while it lasts, and is survived without a restart."""

from __future__ import annotations

import time

import pytest
from sqlalchemy.engine import make_url

from common import exception
from common.context import RequestContext
from common.db import migration
from common.db import session as db_session
from heat_engine.service import EngineService
from heat_engine.traversal.messages import Step

from ..conftest import make_conf  # type: ignore[import-not-found]


class NoSteps:
    def send(self, step: Step) -> None:
        raise AssertionError("no step expected")


def test_engine_answers_unavailable_during_a_database_outage_then_recovers(mariadb_url, tcp_proxy):
    migration.upgrade(mariadb_url)
    proxy = tcp_proxy(3306)
    url = make_url(mariadb_url).set(port=proxy.port).render_as_string(hide_password=False)
    conf = make_conf(database__connection=url)
    service = EngineService(conf, db_session.from_config(conf), NoSteps())
    methods = service.rpc_methods()
    ctx = RequestContext("tenant")
    assert methods["list_stacks"](ctx)["rows"] == []
    proxy.cut()
    with pytest.raises(exception.ServiceUnavailable) as info:
        methods["list_stacks"](ctx)
    assert exception.http_status(info.value) == 503
    proxy.restore()
    deadline = time.monotonic() + 20
    while True:
        try:
            assert methods["list_stacks"](ctx)["rows"] == []
            break
        except exception.ServiceUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
