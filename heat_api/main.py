"""The heat-api command: the native API under gunicorn, configured by heat.conf."""

from __future__ import annotations

from collections.abc import Sequence

from common import config, wsgi_server
from heat_api.wsgi import build


def main(argv: Sequence[str] | None = None) -> None:
    conf = config.parse_args(argv, prog="heat-api")
    config.setup_logging(conf)
    api = conf.heat_api
    wsgi_server.serve(
        lambda: build(conf),
        proc_name="heat-api",
        bind_host=api.bind_host,
        bind_port=api.bind_port,
        workers=api.workers,
        backlog=api.backlog,
        max_header_line=api.max_header_line,
        rpc_timeout=conf.rpc_response_timeout,
    )


if __name__ == "__main__":
    main()
