"""Serving WSGI apps: gunicorn for the API services, a thread for heat-all.

Gunicorn runs in-process and serves an app that each worker builds after the fork.

Building the app in the worker (gunicorn's default, no preload) gives every worker its
own RPC client: its own broker connections and reply-queue thread, none shared across
a fork.
"""

from __future__ import annotations

import logging
import os
import socketserver
import threading
from collections.abc import Callable, Mapping
from typing import Any
from wsgiref import simple_server

from gunicorn.app.base import BaseApplication

LOG = logging.getLogger(__name__)

WSGIApp = Callable[..., Any]

WORKER_CLASS = "gthread"
# Requests mostly wait on the engine's replies; threads let one worker wait on several.
THREADS_PER_WORKER = 8
# Seconds added to the RPC timeout before gunicorn may consider a worker stuck.
TIMEOUT_MARGIN = 30
# Settings newer gunicorns know and older ones (pyproject allows >=21) do not: set when known.
# The control socket defaults to one path per user, which heat-api and heat-api-cfn on one
# host would fight over; neither uses it.
OPTIONAL_SETTINGS = {"control_socket_disable": True}


class InProcessServer(BaseApplication):
    """Gunicorn configured from a mapping instead of its command line."""

    def __init__(self, app_factory: Callable[[], WSGIApp], options: Mapping[str, Any]) -> None:
        self._app_factory = app_factory
        self._options = dict(options)
        super().__init__(prog=self._options.get("proc_name"))

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        for key, value in OPTIONAL_SETTINGS.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> WSGIApp:
        return self._app_factory()


def worker_count(configured: int) -> int:
    """``configured`` workers, or one per CPU this process may run on when it is 0."""
    if configured > 0:
        return configured
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def bind_address(host: str, port: int) -> str:
    """``host:port`` as gunicorn reads it, with IPv6 addresses in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def serve(
    app_factory: Callable[[], WSGIApp],
    *,
    proc_name: str,
    bind_host: str,
    bind_port: int,
    workers: int,
    backlog: int,
    max_header_line: int,
    rpc_timeout: int,
) -> None:
    """Run gunicorn in the foreground until it is told to stop."""
    options = {
        "proc_name": proc_name,
        "bind": [bind_address(bind_host, bind_port)],
        "workers": worker_count(workers),
        "worker_class": WORKER_CLASS,
        "threads": THREADS_PER_WORKER,
        "backlog": backlog,
        "limit_request_field_size": max_header_line,
        "timeout": rpc_timeout + TIMEOUT_MARGIN,
        "accesslog": "-",
        "preload_app": False,
    }
    InProcessServer(app_factory, options).run()


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        LOG.debug("%s %s", self.address_string(), format % args)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


def serve_in_thread(app: WSGIApp, host: str, port: int, name: str) -> simple_server.WSGIServer:
    """Serve ``app`` from a background thread (heat-all); returns the server to shut down."""
    server = simple_server.make_server(
        host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    return server
