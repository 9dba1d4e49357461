"""Heat's errors mapped to AWS error codes and statuses, rendered as an XML ErrorResponse.

The codes, statuses and explanations are upstream's (heat/api/aws/exception.py); the
message is ``<explanation>:<detail>`` as upstream writes it, but never with a traceback.
A domain error maps through the nearest class in its MRO named in ``DOMAIN_ERRORS``
(names, so errors the engine adds later map without an import), then through its
native HTTP status; anything else is a 500 InternalFailure, logged with its traceback.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import falcon

from common import exception
from heat_api_cfn import xml

LOG = logging.getLogger(__name__)

TRACEBACK_MARKER = "Traceback (most recent call last):"


@dataclasses.dataclass(frozen=True)
class ErrorCode:
    """One AWS error: its code, HTTP status, fixed explanation and who is at fault."""

    code: str
    status: int
    explanation: str
    is_server_fault: bool = False

    @property
    def fault_type(self) -> str:
        return "Server" if self.is_server_fault else "Sender"


ACCESS_DENIED = ErrorCode("AccessDenied", 403, "User is not authorized to perform action")
ACTION_IN_PROGRESS = ErrorCode(
    "InvalidAction", 400, "Cannot perform action on stack while other actions are in progress"
)
INCOMPLETE_SIGNATURE = ErrorCode(
    "IncompleteSignature", 400, "The request signature does not conform to AWS standards"
)
INVALID_CLIENT_TOKEN_ID = ErrorCode(
    "InvalidClientTokenId", 403, "The certificate or AWS Key ID provided does not exist"
)
REQUEST_EXPIRED = ErrorCode(
    "RequestExpired", 400, "Request expired or more than 15mins in the future"
)
SIGNATURE_DOES_NOT_MATCH = ErrorCode(
    "SignatureDoesNotMatch",
    403,
    "The request signature we calculated does not match the signature you provided",
)
ALREADY_EXISTS = ErrorCode("AlreadyExists", 400, "Resource with the name requested already exists")
INTERNAL_FAILURE = ErrorCode(
    "InternalFailure", 500, "The request processing has failed due to an internal error", True
)
INVALID_ACTION = ErrorCode("InvalidAction", 400, "The action or operation requested is invalid")
INVALID_PARAMETER_COMBINATION = ErrorCode(
    "InvalidParameterCombination", 400, "Incompatible parameters were used together"
)
INVALID_PARAMETER_VALUE = ErrorCode(
    "InvalidParameterValue", 400, "A bad or out-of-range value was supplied"
)
MISSING_AUTHENTICATION_TOKEN = ErrorCode(
    "MissingAuthenticationToken", 403, "Does not contain a valid AWS Access Key or certificate"
)
MISSING_PARAMETER = ErrorCode("MissingParameter", 400, "A mandatory input parameter is missing")
REQUEST_LIMIT_EXCEEDED = ErrorCode(
    "RequestLimitExceeded", 400, "Payload exceeds maximum allowed size"
)
SERVICE_UNAVAILABLE = ErrorCode("ServiceUnavailable", 503, "Service temporarily unavailable", True)

# Upstream's map_remote_error table, plus the template errors upstream left to fall
# through to InternalFailure (a client's bad template is the client's fault).
DOMAIN_ERRORS: dict[str, ErrorCode] = {
    "ActionInProgress": ACTION_IN_PROGRESS,
    "ActionNotComplete": ACTION_IN_PROGRESS,
    "AuthorizationFailure": ACCESS_DENIED,  # e.g. no trust from an EC2-credential token
    "CircularDependencyException": INVALID_PARAMETER_VALUE,
    "EntityNotFound": INVALID_PARAMETER_VALUE,
    "Forbidden": ACCESS_DENIED,
    "ImmutableParameterModified": INVALID_PARAMETER_VALUE,
    "Invalid": INVALID_PARAMETER_VALUE,
    "InvalidBreakPointHook": INVALID_PARAMETER_VALUE,
    "InvalidSchemaError": INVALID_PARAMETER_VALUE,
    "InvalidTemplateAttribute": INVALID_PARAMETER_VALUE,
    "InvalidTemplateReference": INVALID_PARAMETER_VALUE,
    "InvalidTemplateSection": INVALID_PARAMETER_VALUE,
    "InvalidTemplateVersion": INVALID_PARAMETER_VALUE,
    "InvalidTenant": INVALID_PARAMETER_VALUE,
    "MissingCredentialError": INVALID_PARAMETER_VALUE,
    "NotAuthorized": ACCESS_DENIED,
    "NotFound": INVALID_PARAMETER_VALUE,
    "NotSupported": INVALID_PARAMETER_VALUE,
    "PhysicalResourceIDAmbiguity": INVALID_PARAMETER_VALUE,
    "PropertyUnspecifiedError": INVALID_PARAMETER_VALUE,
    "RequestLimitExceeded": REQUEST_LIMIT_EXCEEDED,
    "ResourceActionNotSupported": INVALID_PARAMETER_VALUE,
    "ResourceNotAvailable": INVALID_PARAMETER_VALUE,
    "ResourceNotFound": INVALID_PARAMETER_VALUE,
    "ResourcePropertyConflict": INVALID_PARAMETER_VALUE,
    "ResourceTypeUnavailable": INVALID_PARAMETER_VALUE,
    "ServiceUnavailable": SERVICE_UNAVAILABLE,
    "StackExists": ALREADY_EXISTS,
    "StackValidationFailed": INVALID_PARAMETER_VALUE,
    "UnknownUserParameter": INVALID_PARAMETER_VALUE,
    "UserParameterMissing": INVALID_PARAMETER_VALUE,
}

# For a domain error named nowhere above: its native API status decides.
BY_HTTP_STATUS: dict[int, ErrorCode] = {
    400: INVALID_PARAMETER_VALUE,
    403: ACCESS_DENIED,
    404: INVALID_PARAMETER_VALUE,
    409: ACTION_IN_PROGRESS,
    503: SERVICE_UNAVAILABLE,
}


class AWSError(Exception):
    """An error of the query API itself (no such action, missing parameter, …)."""

    def __init__(self, error: ErrorCode, detail: str | None = None) -> None:
        self.error = error
        self.detail = detail
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.detail:
            return f"{self.error.explanation}:{self.detail}"
        return self.error.explanation


def error_code_for(ex: exception.HeatException) -> ErrorCode:
    """The AWS error for a domain error: its nearest named class, else its HTTP status."""
    for cls in type(ex).__mro__:
        if cls.__name__ in DOMAIN_ERRORS:
            return DOMAIN_ERRORS[cls.__name__]
    return BY_HTTP_STATUS.get(exception.http_status(ex), INTERNAL_FAILURE)


def without_traceback(message: str) -> str:
    """``message`` cut before any Python traceback a remote side appended to it."""
    return message.split(TRACEBACK_MARKER, 1)[0].rstrip()


def to_aws_error(ex: BaseException) -> AWSError:
    """The AWSError a client sees for ``ex``; internals of unexpected errors stay in the log."""
    if isinstance(ex, AWSError):
        return ex
    if isinstance(ex, exception.HeatException):
        error = error_code_for(ex)
        if error is not INTERNAL_FAILURE:
            return AWSError(error, without_traceback(str(ex)) or None)
    return AWSError(INTERNAL_FAILURE)


def handle_error(req: falcon.Request, resp: falcon.Response, ex: Exception, params: Any) -> None:
    """Render any error a responder raised as an AWS ErrorResponse."""
    aws_error = to_aws_error(ex)
    if aws_error.error is INTERNAL_FAILURE:
        LOG.error("%s %s failed", req.method, req.path, exc_info=ex)
    else:
        LOG.info("%s %s: %s %s", req.method, req.path, aws_error.error.code, aws_error.message)
    # Upstream's reason phrase is the AWS code ("400 InvalidParameterValue").
    resp.status = f"{aws_error.error.status} {aws_error.error.code}"
    resp.content_type = xml.CONTENT_TYPE
    resp.text = xml.render_error(
        aws_error.error.fault_type,
        aws_error.error.code,
        aws_error.message,
        getattr(req.context, "request_id", None),
    )


def register(app: falcon.App) -> None:
    """Route every error except falcon's own HTTP errors through ``handle_error``."""
    app.add_error_handler(Exception, handle_error)
