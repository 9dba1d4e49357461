"""The heat-engine command."""

from __future__ import annotations

import logging
import signal
import threading

from common import config
from common.db import session as db_session
from heat_engine.runtime import EngineRuntime

LOG = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    conf = config.parse_args(argv, prog="heat-engine")
    config.setup_logging(conf)
    factory = db_session.from_config(conf)
    runtime = EngineRuntime(conf, factory)
    stopped = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        LOG.info("Received signal %d; stopping", signum)
        stopped.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runtime.start()
    stopped.wait()
    runtime.stop()


if __name__ == "__main__":
    main()
