"""A scratch MariaDB database per test, created before it and dropped after.

The server is ``HEAT_TEST_MARIADB_URL`` (default: root on 127.0.0.1:3306). A test
that asks for it fails, rather than skips, when the server cannot be reached:
the MySQL half of the schema must not go untested silently.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

MARIADB_SERVER_URL = os.environ.get("HEAT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/")


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """URL of a new, empty utf8mb4 database named ``heat_test_mig_<random>``."""
    server_url = make_url(MARIADB_SERVER_URL)
    name = f"heat_test_mig_{secrets.token_hex(6)}"
    server = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    except sa.exc.OperationalError as ex:
        server.dispose()
        pytest.fail(
            f"MariaDB is not reachable at {server_url.render_as_string()} "
            f"(set HEAT_TEST_MARIADB_URL): {ex.orig}"
        )
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        server.dispose()
