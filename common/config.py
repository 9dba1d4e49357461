"""Every heat.conf option, under Heat's own names, sections and defaults.

`list_opts()` feeds `oslo-config-generator` (namespace ``heat``), which writes
``etc/heat.conf.sample``; never edit the sample by hand.
"""

from __future__ import annotations

import copy
import logging
import os
import socket
import sys
import warnings
from collections.abc import Iterable, Sequence

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

LOG = logging.getLogger(__name__)

CONF = cfg.CONF

DEFAULT_CONFIG_FILES = ("/etc/heat/heat.conf",)

service_opts = [
    cfg.StrOpt(
        "host",
        default=socket.gethostname(),
        sample_default="<hostname>",
        help="Name of the engine node. This can be an opaque identifier. "
        "It is not necessarily a hostname, FQDN, or IP address.",
    ),
    cfg.BoolOpt("debug", default=False, help="Log at DEBUG level instead of INFO."),
    cfg.StrOpt("log_file", help="Write the service log to this file instead of standard error."),
    cfg.IntOpt(
        "periodic_interval",
        default=60,
        min=1,
        help="Seconds between running periodic tasks, such as the engine heartbeat.",
    ),
    cfg.URIOpt(
        "heat_metadata_server_url",
        schemes=["http", "https"],
        help="URL of the Heat metadata server (heat-api-cfn as instances reach it). "
        "Needed only when instances must use another endpoint than the Keystone catalog's.",
    ),
    cfg.URIOpt(
        "heat_waitcondition_server_url",
        schemes=["http", "https"],
        help="URL of the Heat waitcondition server, e.g. http://<host>:8000/v1/waitcondition: "
        "where pre-signed wait condition and signal URLs point (its /waitcondition becomes "
        "/signal for signals). Unset: heat_metadata_server_url, else the catalog's "
        "cloudformation endpoint, else [heat_api_cfn] bind_host and bind_port.",
    ),
    cfg.StrOpt(
        "heat_watch_server_url",
        deprecated_for_removal=True,
        deprecated_reason="Heat CloudWatch API has been removed.",
        help="URL of the Heat CloudWatch server.",
    ),
    cfg.StrOpt(
        "instance_connection_is_secure",
        default="0",
        help="Instance connection to CFN/CW API via https.",
    ),
    cfg.StrOpt(
        "instance_connection_https_validate_certificates",
        default="1",
        help="Instance connection to CFN/CW API validate certs if SSL is used.",
    ),
    cfg.StrOpt(
        "region_name_for_services",
        help="Default region name used to get services endpoints.",
    ),
    cfg.StrOpt(
        "heat_stack_user_role",
        default="heat_stack_user",
        help="Keystone role for heat template-defined users.",
    ),
    cfg.StrOpt(
        "stack_user_domain_id",
        deprecated_opts=[cfg.DeprecatedOpt("stack_user_domain", group=None)],
        help="Keystone domain ID which contains heat template-defined users. "
        "If this option is set, stack_user_domain_name option will be ignored.",
    ),
    cfg.StrOpt(
        "stack_user_domain_name",
        help="Keystone domain name which contains heat template-defined users. "
        "If `stack_user_domain_id` option is set, this option is ignored.",
    ),
    cfg.StrOpt(
        "stack_domain_admin",
        help="Keystone username, a user with roles sufficient to manage users "
        "and projects in the stack_user_domain.",
    ),
    cfg.StrOpt(
        "stack_domain_admin_password",
        secret=True,
        help="Keystone password for stack_domain_admin user.",
    ),
    cfg.IntOpt(
        "max_template_size",
        default=524288,
        help="Maximum raw byte size of any template.",
    ),
    cfg.IntOpt(
        "template_fetch_timeout",
        default=60,
        help="Seconds to wait for a template given by URL (template_url).",
    ),
    cfg.IntOpt(
        "max_nested_stack_depth",
        default=5,
        help="Maximum depth allowed when using nested stacks.",
    ),
    cfg.IntOpt(
        "num_engine_workers",
        help="Number of heat-engine processes to fork and run on the host. Unset means one: "
        "each engine already runs executor_thread_pool_size resource steps at once.",
    ),
]

engine_opts = [
    cfg.StrOpt(
        "deferred_auth_method",
        choices=["password", "trusts"],
        default="trusts",
        help="Select deferred auth method, stored password or trusts.",
    ),
    cfg.ListOpt(
        "trusts_delegated_roles",
        default=[],
        help="Subset of trustor roles to be delegated to heat. If left unset, "
        "all roles of a user will be delegated to heat when creating a stack.",
    ),
    cfg.IntOpt(
        "max_resources_per_stack",
        default=1000,
        help="Maximum resources allowed per top-level stack. -1 stands for unlimited.",
    ),
    cfg.IntOpt(
        "max_stacks_per_tenant",
        default=512,
        help="Maximum number of stacks any one tenant may have active at one time. "
        "-1 stands for unlimited.",
    ),
    cfg.IntOpt(
        "action_retry_limit",
        default=5,
        help="Number of times to retry to bring a resource to a non-error state. "
        "Set to 0 to disable retries.",
    ),
    cfg.IntOpt(
        "event_purge_batch_size",
        default=200,
        help="Controls how many events will be pruned whenever a stack's events are purged.",
    ),
    cfg.IntOpt(
        "max_events_per_stack",
        default=1000,
        help="Rough number of maximum events that will be available per stack.",
    ),
    cfg.IntOpt(
        "stack_action_timeout",
        default=3600,
        help="Timeout in seconds for stack action (ie. create or update).",
    ),
    cfg.IntOpt(
        "engine_life_check_timeout",
        default=2,
        help="RPC timeout for the engine liveness check that is used for stack locking.",
    ),
    cfg.IntOpt(
        "max_snapshots_per_stack",
        default=32,
        help="How many snapshots one stack may keep; -1 means no limit. Admins are exempt.",
    ),
    cfg.BoolOpt(
        "enable_stack_abandon",
        default=False,
        help="Enable the preview Stack Abandon feature.",
    ),
    cfg.BoolOpt(
        "enable_stack_adopt",
        default=False,
        help="Enable the preview Stack Adopt feature.",
    ),
    cfg.BoolOpt(
        "convergence_engine",
        default=True,
        help="Enables engine with convergence architecture. All stacks with this "
        "option will be created using convergence engine.",
    ),
    cfg.BoolOpt(
        "encrypt_parameters_and_properties",
        default=False,
        help="Encrypt template parameters that were marked as hidden and also all "
        "the resource properties before storing them in database.",
    ),
    cfg.ListOpt(
        "hidden_stack_tags",
        default=[],
        help="Stacks containing these tag names will be hidden. Multiple tags "
        "should be given in a comma-delimited list (eg. hidden_stack_tags=hide_me,me_too).",
    ),
    cfg.IntOpt(
        "executor_thread_pool_size",
        default=16,
        min=1,
        help="Resource steps and RPC calls one heat-engine process runs at once. "
        "Ready resource steps beyond this wait on the broker for any engine to take them.",
    ),
]

auth_opts = [
    cfg.StrOpt(
        "auth_encryption_key",
        secret=True,
        default="notgood but just long enough i t",
        help="Key used to encrypt authentication info in the database. Length of "
        "this key must be 32 characters.",
    ),
]

rpc_opts = [
    cfg.StrOpt(
        "transport_url",
        secret=True,
        help="The network address and optional user credentials for connecting to "
        "the messaging backend, in URL format: "
        "driver://[user:pass@]host:port[,[userN:passN@]hostN:portN]/virtual_host. "
        "When unset, the legacy [oslo_messaging_rabbit] options are used.",
    ),
    cfg.StrOpt(
        "rpc_backend",
        default="rabbit",
        deprecated_for_removal=True,
        deprecated_reason="Replaced by [DEFAULT]/transport_url",
        help="The messaging driver to use, defaults to rabbit.",
    ),
    cfg.IntOpt(
        "rpc_response_timeout",
        default=60,
        help="Seconds to wait for a response from a call.",
    ),
    cfg.StrOpt(
        "control_exchange",
        default="heat",
        help="The default exchange under which topics are scoped.",
    ),
]

rabbit_group = cfg.OptGroup("oslo_messaging_rabbit", title="RabbitMQ driver options")

_legacy = "Replaced by [DEFAULT]/transport_url"
rabbit_opts = [
    cfg.StrOpt(
        "rabbit_host",
        default="localhost",
        deprecated_for_removal=True,
        deprecated_reason=_legacy,
        help="The RabbitMQ broker address where a single node is used.",
    ),
    cfg.PortOpt(
        "rabbit_port",
        default=5672,
        deprecated_for_removal=True,
        deprecated_reason=_legacy,
        help="The RabbitMQ broker port where a single node is used.",
    ),
    cfg.ListOpt(
        "rabbit_hosts",
        default=[],
        deprecated_for_removal=True,
        deprecated_reason=_legacy,
        help="RabbitMQ HA cluster host:port pairs.",
    ),
    cfg.StrOpt(
        "rabbit_userid",
        default="guest",
        deprecated_for_removal=True,
        deprecated_reason=_legacy,
        help="The RabbitMQ userid.",
    ),
    cfg.StrOpt(
        "rabbit_password",
        default="guest",
        secret=True,
        deprecated_for_removal=True,
        deprecated_reason=_legacy,
        help="The RabbitMQ password.",
    ),
    cfg.StrOpt(
        "rabbit_virtual_host",
        default="/",
        deprecated_for_removal=True,
        deprecated_reason=_legacy,
        help="The RabbitMQ virtual host.",
    ),
    cfg.IntOpt(
        "heartbeat_timeout_threshold",
        default=60,
        help="Seconds after which the broker connection is considered down if "
        "heartbeats are missed (0 disables heartbeats).",
    ),
    cfg.FloatOpt(
        "kombu_reconnect_delay",
        default=1.0,
        help="Seconds to wait before reconnecting to the broker after a failure.",
    ),
]

database_group = cfg.OptGroup("database", title="Database options")
database_opts = [
    cfg.StrOpt(
        "connection",
        secret=True,
        help="The SQLAlchemy connection string to use to connect to the database. "
        "mysql:// is served by PyMySQL.",
    ),
    cfg.IntOpt(
        "max_pool_size",
        default=5,
        help="Maximum number of SQL connections to keep open in a pool.",
    ),
    cfg.IntOpt(
        "max_overflow",
        default=50,
        help="If set, use this value for max_overflow with SQLAlchemy.",
    ),
    cfg.IntOpt(
        "connection_recycle_time",
        default=3600,
        help="Connections which have been present in the connection pool longer "
        "than this number of seconds will be replaced with a new one.",
    ),
    cfg.IntOpt(
        "max_retries",
        default=10,
        help="Maximum number of database connection retries during startup. "
        "Set to -1 to specify an infinite retry count.",
    ),
    cfg.IntOpt(
        "retry_interval",
        default=10,
        help="Interval between retries of opening a SQL connection.",
    ),
    cfg.IntOpt(
        "connection_debug",
        default=0,
        min=0,
        max=100,
        help="SQL logging: 0 logs nothing, 50 and up logs every statement, "
        "100 also logs result rows.",
    ),
]


def _api_opts(port: int, section: str) -> list[cfg.Opt]:
    return [
        cfg.IPOpt("bind_host", default="0.0.0.0", help=f"Address to bind the {section} server to."),
        cfg.PortOpt("bind_port", default=port, help=f"The port on which the {section} listens."),
        cfg.IntOpt(
            "workers",
            default=0,
            min=0,
            help="Number of workers for the server. 0 means one per CPU core.",
        ),
        cfg.IntOpt(
            "max_header_line",
            default=16384,
            help="Maximum line size of message headers to be accepted.",
        ),
        cfg.IntOpt(
            "backlog",
            default=4096,
            help="Number of backlog requests to configure the socket with.",
        ),
    ]


api_group = cfg.OptGroup("heat_api", title="heat-api (native REST API) options")
api_opts = _api_opts(8004, "heat-api")
api_cfn_group = cfg.OptGroup("heat_api_cfn", title="heat-api-cfn (CloudFormation API) options")
api_cfn_opts = _api_opts(8000, "heat-api-cfn")

paste_deploy_group = cfg.OptGroup("paste_deploy")
paste_deploy_opts = [
    cfg.StrOpt(
        "flavor",
        help="The flavor to use for the API pipeline: unset uses keystone tokens "
        '(keystonemiddleware auth_token), "standalone" authenticates with X-Auth-* '
        'headers, "noauth" trusts X-Auth-User/X-Auth-Project (development only).',
    ),
    cfg.StrOpt(
        "api_paste_config",
        default="api-paste.ini",
        help="Kept for heat.conf compatibility; the API pipeline is built in code.",
    ),
]

noauth_group = cfg.OptGroup("noauth")
noauth_opts = [
    cfg.StrOpt(
        "token_response",
        default="",
        help="JSON file containing the content returned by the noauth middleware.",
    ),
]

auth_password_group = cfg.OptGroup("auth_password")
auth_password_opts = [
    cfg.BoolOpt(
        "multi_cloud",
        default=False,
        help="Allow orchestration of multiple clouds: with the standalone flavor, the "
        "client's X-Auth-Url names the Keystone to authenticate with.",
    ),
    cfg.ListOpt(
        "allowed_auth_uris",
        item_type=cfg.types.URI(schemes=["http", "https"]),
        default=[],
        help="With multi_cloud, the Keystone URLs a client may name in X-Auth-Url; "
        "a request naming any other is refused.",
    ),
]

clients_keystone_group = cfg.OptGroup("clients_keystone")
clients_keystone_opts = [
    cfg.URIOpt(
        "auth_uri",
        schemes=["http", "https"],
        help="Keystone's URL without a version (e.g. http://127.0.0.1:5000), used to "
        "authenticate the standalone flavor's users.",
    ),
]

clients_heat_group = cfg.OptGroup("clients_heat")
clients_heat_opts = [
    cfg.URIOpt(
        "url",
        schemes=["http", "https"],
        help="Optional heat url in format like http://127.0.0.1:8004/v1/%(tenant_id)s: "
        "the native API as instances reach it (OS::Heat::WaitConditionHandle's endpoint). "
        "Unset: the catalog's orchestration endpoint.",
    ),
    cfg.StrOpt(
        "endpoint_type",
        default="publicURL",
        choices=["publicURL", "internalURL", "adminURL", "public", "internal", "admin"],
        help="Type of endpoint in Identity service catalog to use for communication with "
        "the OpenStack service.",
    ),
    cfg.BoolOpt(
        "insecure",
        default=False,
        help="If set, then the server's certificate will not be verified (curl_cli then "
        "carries --insecure).",
    ),
]

ec2authtoken_group = cfg.OptGroup(
    "ec2authtoken", title="heat-api-cfn: EC2 signatures verified by Keystone's /v3/ec2tokens"
)
ec2authtoken_opts = [
    cfg.BoolOpt("multi_cloud", default=False, help="Allow orchestration of multiple clouds."),
    cfg.ListOpt(
        "clouds",
        default=[],
        help="A list of names of clouds when multicloud is enabled. At least one should be "
        "defined when multi_cloud is enabled. For each name there must be a section "
        "[ec2authtoken.<name>] with keystone auth settings.",
    ),
    cfg.URIOpt(
        "auth_uri",
        schemes=["http", "https"],
        help="Authentication Endpoint URI: Keystone's URL, with or without /v3 or "
        "/v3/ec2tokens. Used when endpoint_override is unset.",
        deprecated_for_removal=True,
        deprecated_reason="Superseded by the endpoint_override option.",
    ),
    cfg.ListOpt(
        "allowed_auth_uris",
        default=[],
        item_type=cfg.types.URI(schemes=["http", "https"]),
        help="Allowed keystone endpoints for auth_uri when multi_cloud is enabled. At "
        "least one endpoint needs to be specified.",
        deprecated_for_removal=True,
        deprecated_reason="Superseded by the clouds option.",
    ),
]


def _ec2authtoken_ks_opts(*, for_sample: bool) -> list[cfg.Opt]:
    """keystoneauth's auth, session and adapter options for [ec2authtoken].

    The auth plugin's own options (auth_url, username, ...) are registered by keystoneauth
    when it loads the plugin ``auth_type`` names; the sample lists v3password's, as
    upstream's does. The adapter looks for the ``identity`` service by default.
    """
    from keystoneauth1 import loading as ks_loading

    adapter_opts = []
    for opt in ks_loading.get_adapter_conf_options():
        if opt.dest == "service_type":
            opt = copy.deepcopy(opt)
            opt.default = "identity"
        adapter_opts.append(opt)
    plugin_opts = ks_loading.get_auth_plugin_conf_options("v3password") if for_sample else []
    return [
        *ks_loading.get_auth_common_conf_options(),
        *plugin_opts,
        *ks_loading.get_session_conf_options(),
        *adapter_opts,
    ]


revision_group = cfg.OptGroup("revision")
revision_opts = [
    cfg.StrOpt(
        "heat_revision",
        default="unknown",
        help="Heat build revision. If you would prefer to manage your build "
        "revision separately, you can move this section to a different file and "
        "add it as another config option.",
    ),
]

# As upstream: the credentials of the user trusts delegate to (the trustee), loaded with
# keystoneauth1's auth plugin options; only the password plugin is meant to be used.
trustee_group = cfg.OptGroup("trustee", title="Trustee (deferred auth) credentials")
TRUSTEE_PLUGIN = "password"


def trustee_sample_opts() -> list[cfg.Opt]:
    """What the sample lists under [trustee]: keystoneauth1's common auth options and the
    password plugin's. Only the common ones are registered here; keystoneauth1 registers
    the plugin's own when it loads the plugin, as upstream does."""
    opts = ks_loading.get_auth_common_conf_options()
    names = {o.dest for o in opts}
    return opts + [
        o for o in ks_loading.get_auth_plugin_conf_options(TRUSTEE_PLUGIN) if o.dest not in names
    ]


heat_all_group = cfg.OptGroup("heat_all", title="heat-all (embedded, one process) options")
heat_all_opts = [
    cfg.StrOpt(
        "state_path",
        default="~/.local/share/heat",
        help="Directory for heat-all's SQLite database when [database] connection is unset.",
    ),
]

_GROUPED_OPTS: list[tuple[cfg.OptGroup | None, list[cfg.Opt]]] = [
    (None, service_opts + engine_opts + auth_opts + rpc_opts),
    (database_group, database_opts),
    (rabbit_group, rabbit_opts),
    (api_group, api_opts),
    (api_cfn_group, api_cfn_opts),
    (paste_deploy_group, paste_deploy_opts),
    (noauth_group, noauth_opts),
    (auth_password_group, auth_password_opts),
    (clients_keystone_group, clients_keystone_opts),
    (clients_heat_group, clients_heat_opts),
    (ec2authtoken_group, ec2authtoken_opts + _ec2authtoken_ks_opts(for_sample=False)),
    (revision_group, revision_opts),
    (trustee_group, ks_loading.get_auth_common_conf_options()),
    (heat_all_group, heat_all_opts),
]


def list_opts() -> Iterable[tuple[str | None, list[cfg.Opt]]]:
    """Yield (section, options) pairs for oslo-config-generator."""
    for group, opts in _GROUPED_OPTS:
        if group is ec2authtoken_group:
            opts = ec2authtoken_opts + _ec2authtoken_ks_opts(for_sample=True)
        yield (group.name if group else None), opts


def register_opts(conf: cfg.ConfigOpts = CONF) -> None:
    """Register every option on ``conf``; safe to call more than once.

    Each ConfigOpts gets groups of its own: oslo.config keeps overrides in the group
    object, so sharing one between ConfigOpts would leak overrides between them.
    """
    for group, opts in _GROUPED_OPTS:
        if group is None:
            conf.register_opts(opts)
            continue
        if group.name not in conf:
            conf.register_group(cfg.OptGroup(group.name, title=group.title, help=group.help))
        conf.register_opts(opts, group=group.name)


register_opts()


def parse_args(
    argv: Sequence[str] | None = None,
    prog: str | None = None,
    default_config_files: Sequence[str] | None = None,
    conf: cfg.ConfigOpts = CONF,
) -> cfg.ConfigOpts:
    """Parse the command line and config files the way every heat service does."""
    if default_config_files is None:
        default_config_files = [f for f in DEFAULT_CONFIG_FILES if os.path.exists(f)]
    conf(
        list(sys.argv[1:] if argv is None else argv),
        project="heat",
        prog=prog,
        default_config_files=list(default_config_files),
    )
    return conf


def setup_logging(conf: cfg.ConfigOpts = CONF) -> None:
    """Configure the root logger from `debug` and `log_file`."""
    handler: logging.Handler = (
        logging.FileHandler(conf.log_file) if conf.log_file else logging.StreamHandler()
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if conf.debug else logging.INFO)
    for noisy in ("amqp", "kombu", "urllib3", "keystoneauth"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)
    warnings.simplefilter("default", DeprecationWarning)
