"""The heat-engine command: one engine, or ``num_engine_workers`` forked engines."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading

from oslo_config import cfg

from common import config
from common.db import session as db_session
from heat_engine.runtime import EngineRuntime

LOG = logging.getLogger(__name__)


def run_engine(conf: cfg.ConfigOpts) -> None:
    """Run one engine until SIGTERM or SIGINT; everything is built in this process."""
    runtime = EngineRuntime(conf, db_session.from_config(conf))
    stopped = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        LOG.info("Received signal %d; stopping", signum)
        stopped.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runtime.start()
    stopped.wait()
    runtime.stop()


def run_workers(conf: cfg.ConfigOpts, count: int) -> None:
    """Fork ``count`` engines (before any connection exists) and stop them together."""
    children = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            try:
                run_engine(conf)
            finally:
                os._exit(0)
        children.append(pid)

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        os.waitpid(child, 0)


def main(argv: list[str] | None = None) -> None:
    conf = config.parse_args(argv, prog="heat-engine")
    config.setup_logging(conf)
    count = conf.num_engine_workers or 1
    if count == 1:
        run_engine(conf)
    else:
        run_workers(conf, count)


if __name__ == "__main__":
    main()
