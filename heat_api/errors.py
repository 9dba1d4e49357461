"""Exceptions to HTTP: one table (in common.exception) and the one error body Heat returns."""

from __future__ import annotations

import http
import json
import logging
from typing import Any

import falcon

from common import exception

LOG = logging.getLogger(__name__)

EXPLANATIONS = {
    400: "The server could not comply with the request since it is either malformed or "
    "otherwise incorrect.",
    401: "This server could not verify that you are authorized to access the document you "
    "requested.",
    403: "Access was denied to this resource.",
    404: "The resource could not be found.",
    405: "The method is not allowed for this resource.",
    409: "There was a conflict when trying to complete your request.",
    413: "The request is larger than the server is willing or able to process.",
    415: "The request media type is not supported by this server.",
    500: "The server has either erred or is incapable of performing the requested operation.",
    503: "The server is currently unavailable. Please try again at a later time.",
}


class HTTPError(exception.HeatException):
    """An error the API itself raises about the request (not the engine's)."""

    status = 400
    type_name = "HTTPBadRequest"

    def __init__(self, message: str, status: int = 400, type_name: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.type_name = type_name or {
            400: "HTTPBadRequest",
            403: "HTTPForbidden",
            404: "HTTPNotFound",
            405: "HTTPMethodNotAllowed",
            409: "HTTPConflict",
            413: "HTTPRequestEntityTooLarge",
            415: "HTTPUnsupportedMediaType",
        }.get(status, "HTTPError")


def error_body(status: int, type_name: str, message: str) -> dict[str, Any]:
    return {
        "code": status,
        "title": http.HTTPStatus(status).phrase,
        "explanation": EXPLANATIONS.get(status, http.HTTPStatus(status).description),
        "error": {"type": type_name, "traceback": None, "message": message},
    }


def _render(resp: falcon.Response, status: int, type_name: str, message: str) -> None:
    resp.status = falcon.code_to_http_status(status)
    resp.content_type = falcon.MEDIA_JSON
    resp.text = json.dumps(error_body(status, type_name, message))


def handle_heat_error(
    req: falcon.Request, resp: falcon.Response, ex: Exception, params: dict[str, Any]
) -> None:
    if isinstance(ex, HTTPError):
        _render(resp, ex.status, ex.type_name, ex.message)
        return
    assert isinstance(ex, exception.HeatException)
    status = exception.http_status(ex)
    if status >= 500:
        LOG.error("%s %s failed: %s: %s", req.method, req.path, type(ex).__name__, ex)
    _render(resp, status, type(ex).__name__, ex.message)


def handle_falcon_error(
    req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError, params: dict[str, Any]
) -> None:
    status = ex.status_code if hasattr(ex, "status_code") else int(str(ex.status)[:3])
    type_name = HTTPError("", status).type_name
    _render(resp, status, type_name, ex.description or ex.title or "")
    for name, value in (ex.headers or {}).items():
        resp.set_header(name, value)


def handle_unexpected(
    req: falcon.Request, resp: falcon.Response, ex: Exception, params: dict[str, Any]
) -> None:
    LOG.exception("Unexpected error in %s %s", req.method, req.path)
    _render(resp, 500, "HTTPInternalServerError", "An unexpected error occurred.")


def register(app: falcon.App) -> None:
    """Install the handlers; the most specific one wins."""
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_falcon_error)
    app.add_error_handler(exception.HeatException, handle_heat_error)
