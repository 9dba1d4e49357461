"""The kombu connection from heat.conf: ``transport_url``, legacy ``rabbit_*``, or ``memory://``."""

from __future__ import annotations

import functools
import logging
from urllib.parse import quote, unquote, urlsplit

from kombu import Connection
from oslo_config import cfg

LOG = logging.getLogger(__name__)

MEMORY_POLLING_INTERVAL = 0.005
CONNECT_TIMEOUT = 5
_SCHEMES = {"rabbit": "amqp", "amqp": "amqp", "pyamqp": "amqp", "memory": "memory"}


def _legacy_url(conf: cfg.ConfigOpts) -> str:
    """Build the broker URL from the pre-transport_url ``[oslo_messaging_rabbit]`` options."""
    rabbit = conf.oslo_messaging_rabbit
    if conf.rpc_backend not in ("rabbit", "kombu"):
        raise ValueError(f"rpc_backend {conf.rpc_backend!r} is not supported; use transport_url")
    hosts = rabbit.rabbit_hosts or [f"{rabbit.rabbit_host}:{rabbit.rabbit_port}"]
    user = quote(rabbit.rabbit_userid, safe="")
    password = quote(rabbit.rabbit_password, safe="")
    vhost = quote(rabbit.rabbit_virtual_host.lstrip("/") or "", safe="")
    return ",".join(f"rabbit://{user}:{password}@{h}/{vhost}" for h in hosts)


def broker_url(conf: cfg.ConfigOpts) -> str:
    """The oslo.messaging-style URL in force: transport_url wins over the legacy options."""
    if conf.transport_url:
        return conf.transport_url
    _warn_legacy_once()
    return _legacy_url(conf)


@functools.cache
def _warn_legacy_once() -> None:
    LOG.warning(
        "[DEFAULT] transport_url is not set; using the deprecated [oslo_messaging_rabbit] "
        "rabbit_* options. Set transport_url = rabbit://user:pass@host:port/vhost instead."
    )


def kombu_urls(url: str) -> list[str]:
    """Translate an oslo.messaging URL (``rabbit://u:p@h1:5672,u:p@h2:5672/vhost``) for kombu."""
    parts = urlsplit(url)
    scheme = _SCHEMES.get(parts.scheme.split("+")[-1])
    if scheme is None:
        raise ValueError(f"unsupported transport_url scheme {parts.scheme!r}")
    if scheme == "memory":
        return ["memory://"]
    vhost = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
    vhost_part = quote(vhost, safe="") if vhost else ""
    urls = []
    default_creds = ""
    for host in parts.netloc.split(","):
        creds, _, hostport = host.rpartition("@")
        creds = creds or default_creds
        default_creds = creds
        auth = f"{creds}@" if creds else ""
        urls.append(f"amqp://{auth}{hostport}/{vhost_part}")
    return urls


def connect(conf: cfg.ConfigOpts) -> Connection:
    """A new (lazy) kombu connection; every thread that talks to the broker makes its own."""
    return connection_for(broker_url(conf), conf.oslo_messaging_rabbit.heartbeat_timeout_threshold)


def connection_for(url: str, heartbeat: int = 60) -> Connection:
    urls = kombu_urls(url)
    if urls == ["memory://"]:
        return Connection(
            "memory://", transport_options={"polling_interval": MEMORY_POLLING_INTERVAL}
        )
    return Connection(
        ";".join(urls),
        connect_timeout=CONNECT_TIMEOUT,
        heartbeat=heartbeat,
        failover_strategy="round-robin",
        transport_options={"confirm_publish": True},
    )


def is_memory(conf: cfg.ConfigOpts) -> bool:
    return kombu_urls(broker_url(conf)) == ["memory://"]
