"""The heat-api command: the native API under gunicorn."""

from __future__ import annotations

import sys

from common import config
from common.http_server import run_gunicorn
from heat_api.wsgi import build


def main(argv: list[str] | None = None) -> None:
    conf = config.parse_args(argv, prog="heat-api")
    config.setup_logging(conf)
    sys.argv = sys.argv[:1]  # gunicorn must not read our options
    run_gunicorn(
        lambda: build(conf),
        conf.heat_api.bind_host,
        conf.heat_api.bind_port,
        conf.heat_api.workers,
        "heat-api",
    )


if __name__ == "__main__":
    main()
