"""What heat-api-cfn sends Keystone for a signed request, and what it refuses before asking.

SigV4 requests are signed by botocore's own signer, as boto3 sends them, and SigV2 ones by
hand, so the canonical parts checked here are the ones real clients produce. Whether the
signature matches is Keystone's to say: tests/functional/test_cfn_auth.py.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from heat_api_cfn import errors, signature

ACCESS, SECRET = "0123abcd", "s3cr3t"
HOST = "127.0.0.1:8000"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
SIGNED_AT = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=datetime.UTC)
SOON_AFTER = SIGNED_AT + datetime.timedelta(minutes=5)


def environ_of(request: botocore.awsrequest.AWSPreparedRequest) -> dict[str, Any]:
    """The WSGI environ a server builds for ``request``."""
    url = urlsplit(request.url)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": url.path,
        "QUERY_STRING": url.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
    }
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ["HTTP_" + key] = value
    return environ


def sigv4_request(
    body: dict[str, str], path: str = "/v1"
) -> botocore.awsrequest.AWSPreparedRequest:
    request = botocore.awsrequest.AWSRequest(
        method="POST",
        url=f"http://{HOST}{path}",
        data=urlencode(body),
        headers={"Content-Type": FORM},
    )
    credentials = botocore.credentials.Credentials(ACCESS, SECRET)
    botocore.auth.SigV4Auth(credentials, "cloudformation", "RegionOne").add_auth(request)
    return request.prepare()


def sigv2_params(params: dict[str, str], path: str = "/v1/") -> dict[str, str]:
    """``params`` signed with signature version 2 (HmacSHA256), as a hand-written client does."""
    signed = {
        **params,
        "AWSAccessKeyId": ACCESS,
        "SignatureMethod": "HmacSHA256",
        "SignatureVersion": "2",
        "Timestamp": "2026-11-25T12:00:00Z",
    }
    query = "&".join(
        f"{quote(k, safe='')}={quote(v, safe='-_~')}" for k, v in sorted(signed.items())
    )
    digest = hmac.new(
        SECRET.encode(), f"GET\n{HOST}\n{path}\n{query}".encode(), hashlib.sha256
    ).digest()
    return {**signed, "Signature": base64.b64encode(digest).decode()}


def test_sigv4_from_botocore_carries_what_keystone_recomputes() -> None:
    body = {"Action": "ListStacks", "Version": "2010-05-15"}
    request = sigv4_request(body)
    raw = request.body if isinstance(request.body, bytes) else request.body.encode()

    creds = signature.credentials_from(environ_of(request), body, raw)

    auth = request.headers["Authorization"]
    assert creds.access == ACCESS
    assert creds.signature == auth.rpartition("Signature=")[2]
    assert (creds.verb, creds.host, creds.path) == ("POST", HOST, "/v1")
    assert creds.headers["Authorization"] == auth
    assert creds.headers["X-Amz-Date"] == request.headers["X-Amz-Date"]
    assert creds.headers["Content-Type"] == FORM
    assert creds.body_hash == hashlib.sha256(raw).hexdigest()
    body_json = creds.keystone_body()["credentials"]
    assert set(body_json) == {
        "access",
        "signature",
        "host",
        "verb",
        "path",
        "params",
        "headers",
        "body_hash",
    }


def test_sigv2_signature_is_left_out_of_the_signed_params() -> None:
    params = sigv2_params({"Action": "ListStacks"})
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/v1/", "HTTP_HOST": HOST}

    creds = signature.credentials_from(environ, params, b"", now=SOON_AFTER)

    assert creds.signature == params["Signature"]
    assert "Signature" not in creds.params
    assert creds.params["SignatureVersion"] == "2"
    assert creds.path == "/v1/"


def test_path_is_the_one_the_client_signed_before_any_slash_stripping() -> None:
    environ = {"SCRIPT_NAME": "", "PATH_INFO": "/v1/"}

    assert signature.path_of(environ) == "/v1/"


@pytest.mark.parametrize(
    ("params", "headers", "code", "detail"),
    [
        ({"Action": "ListStacks"}, {}, "IncompleteSignature", None),
        ({"Signature": "abc", "SignatureVersion": "2"}, {}, "MissingAuthenticationToken", None),
        (
            {"Signature": "abc", "AWSAccessKeyId": ACCESS},
            {},
            "IncompleteSignature",
            "SignatureVersion must be 2",
        ),
        (
            {"Signature": "abc", "AWSAccessKeyId": ACCESS, "SignatureVersion": "5"},
            {},
            "IncompleteSignature",
            "not '5'",
        ),
        (
            {
                "Signature": "abc",
                "AWSAccessKeyId": ACCESS,
                "SignatureVersion": "2",
                "SignatureMethod": "HmacSHA1",
            },
            {},
            "IncompleteSignature",
            "SignatureMethod must be HmacSHA256",
        ),
        (
            {},
            {"Authorization": f"AWS4-HMAC-SHA256 Credential={ACCESS}/x, Signature=abc"},
            "IncompleteSignature",
            "Credential must be",
        ),
        (
            {},
            {
                "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCESS}/20261125/r/s/aws4_request,"
                " SignedHeaders=host, Signature=abc"
            },
            "IncompleteSignature",
            "X-Amz-Date is missing",
        ),
        (
            {},
            {
                "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCESS}/20261125/r/s/aws4_request,"
                " SignedHeaders=host, Signature=abc",
                "X-Amz-Date": "20261124T235959Z",
            },
            "IncompleteSignature",
            "X-Amz-Date is not on the date",
        ),
    ],
    ids=[
        "no-signature",
        "no-access-key",
        "no-version",
        "unknown-version",
        "sha1",
        "short-scope",
        "no-date",
        "date-mismatch",
    ],
)
def test_unverifiable_signatures_are_refused_before_keystone_is_asked(
    params: dict[str, str], headers: dict[str, str], code: str, detail: str | None
) -> None:
    environ = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}

    with pytest.raises(errors.AWSError) as caught:
        signature.credentials_from(environ, params, b"")

    assert caught.value.error.code == code
    assert caught.value.error.status == (400 if code == "IncompleteSignature" else 403)
    if detail:
        assert detail in caught.value.message


def test_presigned_v4_query_reads_access_and_signature_from_parameters() -> None:
    params = {
        "Action": "ListStacks",
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{ACCESS}/20261125/RegionOne/cloudformation/aws4_request",
        "X-Amz-Date": "20261125T120000Z",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": "f00d",
    }

    creds = signature.credentials_from({"HTTP_HOST": HOST}, params, b"", now=SOON_AFTER)

    assert (creds.access, creds.signature) == (ACCESS, "f00d")
    assert "X-Amz-Signature" not in creds.params


@pytest.mark.parametrize(
    ("params", "headers", "code", "detail"),
    [
        ({"Timestamp": "2026-11-25T11:40:00Z"}, {}, "RequestExpired", "Timestamp"),
        ({"Timestamp": "2026-11-25T12:30:00.000Z"}, {}, "RequestExpired", "15 minutes"),
        ({}, {"X-Amz-Date": "20261125T113000Z"}, "RequestExpired", "X-Amz-Date"),
        ({"Expires": "2026-11-25T12:04:00Z"}, {}, "RequestExpired", "Expires"),
        ({"Timestamp": "yesterday"}, {}, "IncompleteSignature", "not a valid time"),
    ],
    ids=["old", "future", "old-v4", "past-expires", "garbage"],
)
def test_requests_signed_too_long_ago_are_expired(
    params: dict[str, str], headers: dict[str, str], code: str, detail: str
) -> None:
    with pytest.raises(errors.AWSError) as caught:
        signature.check_time(params, headers, SOON_AFTER)

    assert caught.value.error.code == code
    assert caught.value.error.status == 400
    assert detail in caught.value.message


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"Timestamp": "2026-11-25T12:00:00Z"}, {}),
        ({"Timestamp": "2026-11-25T12:00:00.123Z"}, {}),
        ({}, {"X-Amz-Date": "20261125T120000Z"}),
        ({"Expires": "2026-11-25T13:00:00Z", "Timestamp": "2026-11-24T00:00:00Z"}, {}),
        ({}, {}),
    ],
)
def test_recent_requests_are_in_time(params: dict[str, str], headers: dict[str, str]) -> None:
    signature.check_time(params, headers, SOON_AFTER)
