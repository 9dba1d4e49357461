"""A scratch MariaDB database per test, created before it and dropped after.

The server is ``HEAT_TEST_MARIADB_URL`` (default: root on 127.0.0.1:3306). A test
that asks for it fails, rather than skips, when the server cannot be reached:
the MySQL half of the schema must not go untested silently.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
from collections.abc import Callable, Iterator

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


class TcpProxy:
    """A cuttable TCP link to the broker, to stage an outage without stopping RabbitMQ."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.links: list[socket.socket] = []
        self.up = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.close()

    def cut(self) -> None:
        self.up = False
        for sock in self.links:
            with contextlib.suppress(OSError):
                sock.close()
        self.links.clear()

    def restore(self) -> None:
        self.up = True


@pytest.fixture
def tcp_proxy() -> Iterator[Callable[[int], TcpProxy]]:
    """Make cuttable links to local services; all are closed after the test."""
    made: list[TcpProxy] = []

    def make(port: int) -> TcpProxy:
        made.append(TcpProxy(port))
        return made[-1]

    yield make
    for proxy in made:
        proxy.cut()
        proxy.listener.close()
