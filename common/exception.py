"""Heat's domain errors, under upstream's class names; nothing here knows about HTTP.

The class name is part of the API: it is what clients see in ``error.type``.
Every error can cross the RPC wire: it is rebuilt on the caller from its class
name and its message (see ``common.rpc.wire``).
"""

from __future__ import annotations

from typing import Any


class HeatException(Exception):
    """Base of every Heat error: a message template filled from named fields."""

    msg_fmt = "An unknown exception occurred."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class Invalid(HeatException):
    msg_fmt = "%(reason)s"


class StackValidationFailed(HeatException):
    msg_fmt = "%(message)s"

    def __init__(self, message: str | None = None, *, path: Any = None, **kwargs: Any) -> None:
        if message is None and "error" in kwargs:
            message = str(kwargs["error"])
        if path:
            where = path if isinstance(path, str) else ".".join(str(p) for p in path)
            message = f"{where}: {message}"
        super().__init__(message, **kwargs)


class InvalidTemplateVersion(HeatException):
    msg_fmt = "The template version is invalid: %(explanation)s"


class InvalidTemplateSection(HeatException):
    msg_fmt = "The template section is invalid: %(section)s"


class InvalidTemplateReference(HeatException):
    msg_fmt = 'The specified reference "%(resource)s" (in %(key)s) is incorrect.'


class InvalidTemplateAttribute(HeatException):
    msg_fmt = "The Referenced Attribute (%(resource)s %(key)s) is incorrect."


class InvalidSchemaError(HeatException):
    msg_fmt = "%(message)s"


class UserParameterMissing(HeatException):
    msg_fmt = "The Parameter (%(key)s) was not provided."


class UnknownUserParameter(HeatException):
    msg_fmt = "The Parameter (%(key)s) was not defined in template."


class ImmutableParameterModified(HeatException):
    msg_fmt = "The following parameters are immutable and may not be updated: %(keys)s"


class PropertyUnspecifiedError(HeatException):
    msg_fmt = "At least one of the following properties must be specified: %(props)s"


class ResourcePropertyConflict(HeatException):
    msg_fmt = "Cannot define the following properties at the same time: %(props)s"


class ResourceTypeUnavailable(HeatException):
    msg_fmt = "The Resource Type (%(type_name)s) could not be found."


class ResourceTypeNotFound(StackValidationFailed):
    """An unknown resource type; upstream reports it as a validation failure."""


class CircularDependencyException(HeatException):
    msg_fmt = "Circular Dependency Found: %(cycle)s"


class EntityNotFound(HeatException):
    msg_fmt = "The %(entity)s (%(name)s) could not be found."


class ResourceNotFound(EntityNotFound):
    msg_fmt = "The Resource (%(resource_name)s) could not be found in Stack %(stack_name)s."


class SnapshotNotFound(EntityNotFound):
    msg_fmt = "The Snapshot (%(snapshot)s) for Stack (%(stack)s) could not be found."


class NotFound(HeatException):
    msg_fmt = "%(message)s"


class ResourceNotAvailable(HeatException):
    msg_fmt = "The Resource (%(resource_name)s) is not available."


class StackExists(HeatException):
    msg_fmt = "The Stack (%(stack_name)s) already exists."


class ActionInProgress(HeatException):
    msg_fmt = "Stack %(stack_name)s already has an action (%(action)s) in progress."


class ActionNotComplete(HeatException):
    msg_fmt = "Stack %(stack_name)s has an action (%(action)s) in progress or failed state."


class Forbidden(HeatException):
    msg_fmt = "You are not authorized to use %(action)s."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("action", "this action")
        super().__init__(message, **kwargs)


class InvalidTenant(HeatException):
    msg_fmt = "Searching Tenant %(target)s from Tenant %(actual)s forbidden."


class NotSupported(HeatException):
    msg_fmt = "%(feature)s is not supported."


class InvalidBreakPointHook(HeatException):
    msg_fmt = "%(message)s"


class ResourceActionNotSupported(HeatException):
    msg_fmt = "%(action)s is not supported for resource."


class RequestLimitExceeded(HeatException):
    msg_fmt = "Request limit exceeded: %(message)s"


class MissingCredentialError(HeatException):
    msg_fmt = "Missing required credential: %(required)s"


class AuthorizationFailure(HeatException):
    msg_fmt = "Authorization failed."


class DeferredAuthFailed(AuthorizationFailure):
    """A stack needs deferred authentication (a trust) that the request cannot give."""

    msg_fmt = (
        "Stack %(stack_name)s cannot be stored: its resources %(resources)s act on the "
        "cloud later on the user's behalf, which needs a Keystone trust, and %(reason)s"
    )


class InvalidEncryptionKey(HeatException):
    msg_fmt = "Can not decrypt data with the auth_encryption_key in heat config."


class ResourceInError(HeatException):
    """A physical resource went to an error state; its create is retried
    (``action_retry_limit``) by deleting it and creating it again."""

    msg_fmt = 'Went to status %(resource_status)s due to "%(status_reason)s"'


class ResourceFailure(HeatException):
    """A resource action failed; carries the original error for status reasons."""

    msg_fmt = "%(exc_type)s: %(message)s"


class ServiceUnavailable(HeatException):
    """The messaging backend or the engine could not be reached in time."""

    msg_fmt = "%(reason)s"


class MessagingTimeout(ServiceUnavailable):
    """No engine answered an RPC call within rpc_response_timeout."""


class RemoteError(HeatException):
    """An error from the engine whose class is not on the wire allow-list."""

    msg_fmt = "Remote error: %(exc_type)s %(value)s"


# HTTP status per error class, for the APIs. The most specific class wins;
# anything not here (or below a class here) is a 500.
HTTP_STATUS: dict[type[Exception], int] = {
    ActionInProgress: 409,
    ActionNotComplete: 409,
    AuthorizationFailure: 403,
    CircularDependencyException: 400,
    EntityNotFound: 404,
    Forbidden: 403,
    ImmutableParameterModified: 400,
    Invalid: 400,
    InvalidBreakPointHook: 400,
    InvalidSchemaError: 400,
    InvalidTemplateAttribute: 400,
    InvalidTemplateReference: 400,
    InvalidTemplateSection: 400,
    InvalidTemplateVersion: 400,
    InvalidTenant: 403,
    MissingCredentialError: 400,
    NotFound: 404,
    NotSupported: 400,
    PropertyUnspecifiedError: 400,
    RequestLimitExceeded: 400,
    ResourceActionNotSupported: 400,
    ResourceNotAvailable: 404,
    ResourcePropertyConflict: 400,
    ResourceTypeUnavailable: 400,
    ServiceUnavailable: 503,
    StackExists: 409,
    StackValidationFailed: 400,
    UnknownUserParameter: 400,
    UserParameterMissing: 400,
}


def http_status(ex: BaseException) -> int:
    """The HTTP status upstream Heat gives for ``ex``: its nearest mapped class wins."""
    for cls in type(ex).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500


def all_error_classes() -> dict[str, type[HeatException]]:
    """Every HeatException subclass by name: the RPC wire's allow-list."""
    found: dict[str, type[HeatException]] = {}
    stack: list[type[HeatException]] = [HeatException]
    while stack:
        cls = stack.pop()
        found[cls.__name__] = cls
        stack.extend(cls.__subclasses__())
    return found
