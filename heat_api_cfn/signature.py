"""What an EC2-signed request carries, gathered as Keystone's ``/v3/ec2tokens`` checks it.

heat-api-cfn never sees the secret key: it sends the access key, the signature and the
request's canonical parts (host, verb, path, parameters, headers, body hash) to Keystone,
which recomputes the signature with the secret it holds. Signature version 2 travels in
the parameters (``AWSAccessKeyId``, ``Signature``, ``SignatureMethod``,
``SignatureVersion``, ``Timestamp``); version 4 in the ``Authorization`` header
(``AWS4-HMAC-SHA256 Credential=<access>/<scope>, SignedHeaders=..., Signature=...``) as
botocore sends it, or in ``X-Amz-*`` query parameters for a pre-signed URL.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from heat_api_cfn import errors

SIGNATURE_PARAM = "Signature"
ACCESS_KEY_PARAM = "AWSAccessKeyId"
V4_SIGNATURE_PARAM = "X-Amz-Signature"
V4_CREDENTIAL_PARAM = "X-Amz-Credential"
AUTHORIZATION = "Authorization"
V4_ALGORITHM = "AWS4-HMAC-SHA256"
V4_SCOPE_FIELDS = 5  # access/date/region/service/aws4_request
# Keystone's signer knows versions 0, 1 and 2 besides 4; it signs version 2 with SHA-256.
PARAM_SIGNATURE_VERSIONS = ("0", "1", "2")
V2_SIGNATURE_METHOD = "HmacSHA256"
# AWS refuses a request signed more than this long before (or after) it arrives.
MAX_CLOCK_SKEW = datetime.timedelta(minutes=15)
V4_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
# The characters a path keeps unquoted, as WSGI frameworks quote PATH_INFO back.
PATH_SAFE = "/~!$&'()*+,;=:@"
# WSGI keys that are headers without the HTTP_ prefix.
UNPREFIXED_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


@dataclasses.dataclass(frozen=True)
class EC2Credentials:
    """The signed request as Keystone's ``/v3/ec2tokens`` wants it."""

    access: str
    signature: str
    host: str
    verb: str
    path: str
    params: Mapping[str, str]
    headers: Mapping[str, str]
    body_hash: str

    def keystone_body(self) -> dict[str, Any]:
        """The JSON body of ``POST /v3/ec2tokens``."""
        return {
            "credentials": {
                "access": self.access,
                "signature": self.signature,
                "host": self.host,
                "verb": self.verb,
                "path": self.path,
                "params": dict(self.params),
                "headers": dict(self.headers),
                "body_hash": self.body_hash,
            }
        }


def _authorization_field(authorization: str, name: str) -> str:
    """``name``'s value in a SigV4 Authorization header (``…, Name=value, …``)."""
    return authorization.partition(f"{name}=")[2].split(",")[0].strip()


def signature_of(params: Mapping[str, str], headers: Mapping[str, str]) -> str | None:
    """The request's signature: a v2 parameter, a pre-signed v4 parameter or the v4 header."""
    signature = params.get(SIGNATURE_PARAM) or params.get(V4_SIGNATURE_PARAM)
    if signature is None and AUTHORIZATION in headers:
        signature = _authorization_field(headers[AUTHORIZATION], "Signature")
    return signature or None


def access_key_of(params: Mapping[str, str], headers: Mapping[str, str]) -> str | None:
    """The access key id: ``AWSAccessKeyId``, else the first field of the v4 credential."""
    access = params.get(ACCESS_KEY_PARAM)
    if access is None and params.get(V4_CREDENTIAL_PARAM):
        access = params[V4_CREDENTIAL_PARAM].split("/")[0]
    if access is None and AUTHORIZATION in headers:
        access = _authorization_field(headers[AUTHORIZATION], "Credential").split("/")[0]
    return access or None


def headers_of(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request headers from a WSGI environ, named ``X-Amz-Date`` style.

    Keystone's signer looks ``Authorization`` and ``X-Amz-Date`` up by exactly those
    names, so names are title-cased as WSGI frameworks conventionally render them.
    """
    headers = {}
    for key, value in environ.items():
        if key in UNPREFIXED_HEADERS:
            if value:
                headers[UNPREFIXED_HEADERS[key]] = str(value)
        elif key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").title()] = str(value)
    return headers


def host_of(environ: Mapping[str, Any]) -> str:
    """The Host the client addressed (with its port), as it signed it."""
    host = environ.get("HTTP_HOST")
    if host:
        return str(host)
    return f"{environ.get('SERVER_NAME', '')}:{environ.get('SERVER_PORT', '')}"


def path_of(environ: Mapping[str, Any]) -> str:
    """The path as the client sent it: before any trailing-slash stripping, quoted."""
    raw = f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}"
    return quote(raw.encode("latin-1", "replace"), safe=PATH_SAFE) or "/"


def _incomplete(detail: str) -> errors.AWSError:
    return errors.AWSError(errors.INCOMPLETE_SIGNATURE, detail)


def is_v4(params: Mapping[str, str], headers: Mapping[str, str]) -> bool:
    """Whether the request is signed with signature version 4 (header or query form)."""
    if AUTHORIZATION in headers:
        return headers[AUTHORIZATION].startswith(V4_ALGORITHM)
    return params.get("X-Amz-Algorithm") == V4_ALGORITHM


def _check_v4(params: Mapping[str, str], headers: Mapping[str, str]) -> None:
    authorization = headers.get(AUTHORIZATION)
    if authorization is not None:
        credential = _authorization_field(authorization, "Credential")
        signed_headers = _authorization_field(authorization, "SignedHeaders")
    else:
        credential = params.get(V4_CREDENTIAL_PARAM, "")
        signed_headers = params.get("X-Amz-SignedHeaders", "")
    scope = credential.split("/")
    if len(scope) != V4_SCOPE_FIELDS:
        raise _incomplete("Credential must be <access key>/<date>/<region>/<service>/aws4_request")
    if not signed_headers:
        raise _incomplete("SignedHeaders is missing")
    date = headers.get("X-Amz-Date") or params.get("X-Amz-Date")
    if not date:
        raise _incomplete("X-Amz-Date is missing")
    if not date.startswith(scope[1]):
        raise _incomplete("X-Amz-Date is not on the date of the Credential scope")


def check_form(params: Mapping[str, str], headers: Mapping[str, str]) -> None:
    """IncompleteSignature for a signature Keystone could not even try to verify.

    Keystone answers such requests with a 500 of its own; this says what is missing.
    """
    if is_v4(params, headers):
        _check_v4(params, headers)
        return
    version = params.get("SignatureVersion")
    if version not in PARAM_SIGNATURE_VERSIONS:
        raise _incomplete(
            f"SignatureVersion must be 2 or the Authorization header {V4_ALGORITHM}, "
            f"not {version!r}"
        )
    if version == "2" and params.get("SignatureMethod", V2_SIGNATURE_METHOD) != (
        V2_SIGNATURE_METHOD
    ):
        raise _incomplete(f"SignatureMethod must be {V2_SIGNATURE_METHOD}")
    if version == "0" and not (params.get("Action") and params.get("Timestamp")):
        raise _incomplete("SignatureVersion 0 signs Action and Timestamp, which are missing")


def _parse_time(name: str, text: str) -> datetime.datetime:
    try:
        if name == "X-Amz-Date":
            when = datetime.datetime.strptime(text, V4_DATE_FORMAT)
        else:
            when = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise _incomplete(f"{name} {text!r} is not a valid time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when


def check_time(
    params: Mapping[str, str], headers: Mapping[str, str], now: datetime.datetime
) -> None:
    """RequestExpired for a request signed too long ago or in the future, or past Expires.

    Keystone only refuses old timestamps, with a 401 that does not say why; this is
    AWS's rule and error.
    """
    if params.get("Expires"):
        if _parse_time("Expires", params["Expires"]) < now:
            raise errors.AWSError(errors.REQUEST_EXPIRED, "the request is past its Expires time")
        return
    for name, text in (
        ("X-Amz-Date", headers.get("X-Amz-Date") or params.get("X-Amz-Date")),
        ("Timestamp", params.get("Timestamp")),
    ):
        if text:
            when = _parse_time(name, text)
            if abs(now - when) > MAX_CLOCK_SKEW:
                raise errors.AWSError(
                    errors.REQUEST_EXPIRED, f"{name} {text} is more than 15 minutes from now"
                )
            return


def credentials_from(
    environ: Mapping[str, Any],
    params: Mapping[str, str],
    body: bytes,
    now: datetime.datetime | None = None,
) -> EC2Credentials:
    """The EC2 credentials of a request; the AWS error upstream gives when they are absent.

    No signature is IncompleteSignature, a signature without an access key id is
    MissingAuthenticationToken, both as upstream's ec2token middleware answers.
    """
    headers = headers_of(environ)
    signature = signature_of(params, headers)
    if signature is None:
        raise errors.AWSError(errors.INCOMPLETE_SIGNATURE)
    access = access_key_of(params, headers)
    if access is None:
        raise errors.AWSError(errors.MISSING_AUTHENTICATION_TOKEN)
    check_form(params, headers)
    check_time(params, headers, now or datetime.datetime.now(datetime.UTC))
    # The signature is not part of what was signed.
    signed_params = {
        k: v for k, v in params.items() if k not in (SIGNATURE_PARAM, V4_SIGNATURE_PARAM)
    }
    return EC2Credentials(
        access=access,
        signature=signature,
        host=host_of(environ),
        verb=str(environ.get("REQUEST_METHOD", "GET")),
        path=path_of(environ),
        params=signed_params,
        headers=headers,
        body_hash=hashlib.sha256(body).hexdigest(),
    )
