"""Fetching a template by URL (``template_url``), as upstream's API does."""

from __future__ import annotations

import dataclasses
import urllib.error
import urllib.parse
import urllib.request

from heat_api.errors import HTTPError

ALLOWED_SCHEMES = ("http", "https")


@dataclasses.dataclass(frozen=True)
class TemplateLimits:
    """``max_template_size`` and ``template_fetch_timeout`` from heat.conf."""

    max_size: int
    fetch_timeout: float


def fetch(url: str, limits: TemplateLimits) -> str:
    """The text at ``url``; a 400 that names the URL when it cannot be had or is too big."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ALLOWED_SCHEMES:
        raise HTTPError(f"Could not retrieve template: Invalid URL scheme {scheme}")
    try:
        with urllib.request.urlopen(url, timeout=limits.fetch_timeout) as resp:
            body = resp.read(limits.max_size + 1)
    except (urllib.error.URLError, OSError, ValueError) as ex:
        raise HTTPError(
            f"Could not retrieve template: Failed to retrieve template from {url}: {ex}"
        ) from ex
    if len(body) > limits.max_size:
        raise HTTPError(
            f"Could not retrieve template: Template exceeds maximum allowed size "
            f"({limits.max_size} bytes)"
        )
    return body.decode("utf-8", "replace")
