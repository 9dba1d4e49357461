"""Serving a WSGI app: under gunicorn for the services, in a thread for heat-all."""

from __future__ import annotations

import logging
import multiprocessing
import socketserver
import threading
from collections.abc import Callable
from typing import Any
from wsgiref import simple_server

from gunicorn.app.base import BaseApplication

LOG = logging.getLogger(__name__)

WsgiApp = Callable[..., Any]


def worker_count(configured: int) -> int:
    """``workers = 0`` means one per CPU core, as in Heat."""
    return configured if configured > 0 else multiprocessing.cpu_count()


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn with the app built in each worker after the fork.

    Building after the fork gives every worker its own broker connections and
    reply-queue thread, which must never be shared across processes.
    """

    def __init__(
        self,
        app_factory: Callable[[], WsgiApp],
        bind: str,
        workers: int,
        name: str,
        timeout: int = 120,
    ) -> None:
        self._app_factory = app_factory
        self._settings = {
            "bind": bind,
            "workers": workers,
            "worker_class": "gthread",
            "threads": 8,
            "timeout": timeout,
            "proc_name": name,
            "accesslog": None,
            "preload_app": False,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._settings.items():
            self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        return self._app_factory()


def run_gunicorn(
    app_factory: Callable[[], WsgiApp], host: str, port: int, workers: int, name: str
) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    GunicornServer(app_factory, bind, worker_count(workers), name).run()


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("%s %s", self.address_string(), format % args)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


def serve_in_thread(app: WsgiApp, host: str, port: int, name: str) -> simple_server.WSGIServer:
    """Serve ``app`` from a background thread (heat-all); returns the server to shut down."""
    server = simple_server.make_server(
        host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    return server
