"""Where instances send signals: pre-signed heat-api-cfn URLs and the native signal endpoint.

A pre-signed URL is a signature-version-2 request to heat-api-cfn (``PUT
/v1/waitcondition/<arn>`` or ``POST /v1/signal/<arn>``) signed with a stack domain user's
EC2 keypair, as upstream's ``SignalResponder._get_ec2_signed_url`` makes it; heat-api-cfn
has Keystone check the signature. Upstream signs a ``Timestamp``, which Keystone refuses
once ``[credential] auth_ttl`` (15 minutes) has passed, so a wait condition signalled
later than that never completes; here the URL carries a signed ``Expires`` a day ahead
instead, beyond the longest wait a WaitCondition allows (12 hours).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import hmac
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

from oslo_config import cfg

WAITCONDITION, SIGNAL = "/waitcondition", "/signal"
SIGNAL_VERBS = {WAITCONDITION: "PUT", SIGNAL: "POST"}
URL_LIFETIME = datetime.timedelta(days=1)
ARN_PREFIX = "arn:openstack:heat::"
SIGNATURE_METHOD = "HmacSHA256"
EXPIRES_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# heat-api-cfn rebuilds the signed path from PATH_INFO quoting all but these characters
# (heat_api_cfn.signature.PATH_SAFE); the signer must quote the same way.
PATH_SAFE = "/~!$&'()*+,;=:@"
CFN_API_PATH = "/v1"
NATIVE_API_PATH = "/v1/%(tenant_id)s"
ANY_ADDRESS = "0.0.0.0"


@dataclasses.dataclass(frozen=True)
class ResourcePath:
    """A resource as a signal URL names it."""

    tenant: str
    stack_name: str
    stack_id: str
    resource_name: str

    @property
    def arn(self) -> str:
        """``arn:openstack:heat::<tenant>:stacks/<name>/<id>/resources/<resource>``."""
        return (
            f"{ARN_PREFIX}{quote(self.tenant, '')}:stacks/{quote(self.stack_name, '')}/"
            f"{quote(self.stack_id, '')}/resources/{quote(self.resource_name, '')}"
        )

    @property
    def url_path(self) -> str:
        """``<tenant>/stacks/<name>/<id>/resources/<resource>``, as the native API names it."""
        return (
            f"{self.tenant}/stacks/{quote(self.stack_name, '')}/{self.stack_id}/"
            f"resources/{quote(self.resource_name, '')}"
        )


def resource_of_url(url: str) -> ResourcePath | None:
    """The resource a pre-signed (or unsigned) signal URL names; None if it names none."""
    path = unquote(urlsplit(url).path)
    for signal_type in (WAITCONDITION, SIGNAL):
        marker = f"{signal_type}/"
        if marker in path:
            return resource_of_arn(path.split(marker, 1)[1])
    return None


def resource_of_arn(arn: str) -> ResourcePath | None:
    """The resource a Heat resource ARN names; None if ``arn`` is not one."""
    fields = arn.split(":", 5)
    if len(fields) != 6 or fields[:3] != ["arn", "openstack", "heat"]:
        return None
    parts = fields[5].split("/")
    if len(parts) != 5 or parts[0] != "stacks" or parts[3] != "resources":
        return None
    return ResourcePath(unquote(fields[4]), unquote(parts[1]), unquote(parts[2]), unquote(parts[4]))


def cfn_signal_base(conf: cfg.ConfigOpts, signal_type: str, catalog_url: str | None) -> str:
    """heat-api-cfn's URL for ``signal_type`` (``/waitcondition`` or ``/signal``).

    ``heat_waitcondition_server_url`` as upstream reads it, else
    ``heat_metadata_server_url``, else the catalog's cloudformation endpoint, else where
    heat-api-cfn listens.
    """
    if conf.heat_waitcondition_server_url:
        return str(conf.heat_waitcondition_server_url).replace(WAITCONDITION, signal_type)
    base = conf.heat_metadata_server_url or catalog_url
    if not base:
        base = _listening_url(conf.heat_api_cfn.bind_host, conf.heat_api_cfn.bind_port)
    base = str(base).rstrip("/")
    if not base.endswith(CFN_API_PATH):
        base += CFN_API_PATH
    return base + signal_type


def native_signal_endpoint(
    conf: cfg.ConfigOpts, path: ResourcePath, project_id: str, catalog_url: str | None
) -> str:
    """The native API's signal URL of a resource, in ``project_id`` (the stack's user
    project, whose token signals): ``[clients_heat] url``, else the catalog's, else where
    heat-api listens."""
    template = conf.clients_heat.url
    if template:
        base = str(template) % {"tenant_id": project_id}
    elif catalog_url:
        base = catalog_url
    else:
        listening = _listening_url(conf.heat_api.bind_host, conf.heat_api.bind_port)
        base = listening + NATIVE_API_PATH % {"tenant_id": project_id}
    tail = path.url_path.split("/", 1)[1]  # the path without its tenant
    return f"{base.rstrip('/')}/{tail}/signal"


def _listening_url(host: str, port: int) -> str:
    return f"http://{'127.0.0.1' if host == ANY_ADDRESS else host}:{port}"


def presign(
    base: str,
    path: ResourcePath,
    verb: str,
    access: str,
    secret: str,
    expires: datetime.datetime,
) -> str:
    """``base`` + the resource's ARN, pre-signed (SigV2, HmacSHA256) with the keypair."""
    parts = urlsplit(base)
    arn_path = "/" + quote(path.arn)
    host = parts.netloc.lower()
    signed_path = quote(unquote(parts.path + arn_path), safe=PATH_SAFE)
    params = {
        "AWSAccessKeyId": access,
        "Expires": expires.astimezone(datetime.UTC).strftime(EXPIRES_FORMAT),
        "SignatureMethod": SIGNATURE_METHOD,
        "SignatureVersion": "2",
    }
    params["Signature"] = sign_v2(secret, verb, host, signed_path, params)
    return f"{parts.scheme.lower()}://{host}{parts.path}{arn_path}?{urlencode(params)}"


def unsigned(base: str, path: ResourcePath) -> str:
    """``base`` + the resource's ARN: what heat-api-cfn's noauth flavor accepts."""
    return f"{base}/{quote(path.arn)}"


def sign_v2(secret: str, verb: str, host: str, path: str, params: dict[str, Any]) -> str:
    """An EC2 signature version 2, as Keystone's signer computes it."""
    canonical = "&".join(
        f"{quote(key, safe='')}={quote(str(params[key]), safe='-_~')}" for key in sorted(params)
    )
    text = f"{verb}\n{host}\n{path}\n{canonical}"
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def expiry(now: datetime.datetime | None = None) -> datetime.datetime:
    """When a URL made now stops working."""
    return (now or datetime.datetime.now(datetime.UTC)) + URL_LIFETIME
