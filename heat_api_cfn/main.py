"""``heat-api-cfn``: the CloudFormation-compatible API under gunicorn, configured by heat.conf."""

from __future__ import annotations

from collections.abc import Sequence

from common import config, wsgi_server
from heat_api_cfn import wsgi
from heat_api_cfn.app import select_auth


def main(argv: Sequence[str] | None = None) -> None:
    """Parse ``--config-file`` and friends, then serve [heat_api_cfn] bind_host:bind_port."""
    conf = config.parse_args(argv, prog=wsgi.PROG)
    config.setup_logging(conf)
    select_auth(conf)  # an unknown flavor or auth plugin stops the master, not each worker
    api = conf.heat_api_cfn
    wsgi_server.serve(
        lambda: wsgi.build_app(conf),
        proc_name=wsgi.PROG,
        bind_host=api.bind_host,
        bind_port=api.bind_port,
        workers=api.workers,
        backlog=api.backlog,
        max_header_line=api.max_header_line,
        rpc_timeout=conf.rpc_response_timeout,
    )


if __name__ == "__main__":
    main()
