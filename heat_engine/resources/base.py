"""The base of every resource plugin and the narrow context it works in."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from common import exception
from heat_engine.resources.schema import Attribute, Schema, SupportStatus, validate_properties

SHORT_ID_LENGTH = 12


def short_id(resource_uuid: str) -> str:
    """A 12-character lowercase id derived from a resource's uuid (stable across retries)."""
    raw = uuid.UUID(resource_uuid).bytes
    return base64.b32encode(raw).decode().lower()[:SHORT_ID_LENGTH]


class Resource:
    """A resource plugin. Subclasses declare schemas and short ``handle_*`` methods.

    A plugin sees only its resolved properties, its stored data and its ids; it
    never sees the database, the broker or another resource. Anything that waits
    returns a token from ``handle_<action>`` and is polled by
    ``check_<action>_complete``; a plugin never sleeps.
    """

    type_name: ClassVar[str] = ""
    support_status: ClassVar[SupportStatus] = SupportStatus()
    properties_schema: ClassVar[Mapping[str, Schema]] = {}
    attributes_schema: ClassVar[Mapping[str, Attribute]] = {}
    # Whether handle_* acts outside Heat's own records (a server, a nested stack): then
    # the engine commits IN_PROGRESS before it calls them, so a step delivered again
    # after a crash finds the work begun. A plugin that only computes (False) may be
    # run again harmlessly, and when it finishes at once its start and end are
    # committed together.
    external: ClassVar[bool] = True
    # Whether a step may stop waiting for this plugin and be sent again when what it
    # waits for is done (a nested stack finishing): its wait is then resumed with
    # ``resume_token``, and no worker is held meanwhile.
    parks: ClassVar[bool] = False

    def __init__(
        self,
        name: str,
        resource_uuid: str,
        stack_name: str,
        stack_id: str,
        properties: Mapping[str, Any],
        data: Mapping[str, str] | None = None,
        resource_id: str | None = None,
    ) -> None:
        self.name = name
        self.uuid = resource_uuid
        self.stack_name = stack_name
        self.stack_id = stack_id
        self.properties = dict(properties)
        self.data: dict[str, str] = dict(data or {})
        self.redacted: set[str] = set()
        self.resource_id = resource_id
        # what the engine lends plugins that need it (template resources: their child
        # stacks); plain plugins never look at it
        self.runtime: Any = None

    @classmethod
    def validate_properties(
        cls, values: Any, name: str, skip: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """Resolved property values checked against the schema (defaults filled in)."""
        try:
            return validate_properties(cls.properties_schema, values, "", skip)
        except exception.StackValidationFailed as ex:
            raise exception.StackValidationFailed(
                f"Property error: resources.{name}.properties.{ex.message}"
                if not ex.message.startswith(":")
                else f"Property error: resources.{name}.properties{ex.message}"
            ) from ex

    def physical_resource_name(self) -> str:
        return f"{self.stack_name}-{self.name}-{short_id(self.uuid)}"

    def resource_id_set(self, value: str | None) -> None:
        self.resource_id = value

    def data_set(self, key: str, value: str, redact: bool = False) -> None:
        self.data[key] = value
        if redact:
            self.redacted.add(key)

    # Actions. Each handle returns a token for its check_*_complete.
    def handle_create(self) -> Any:
        return None

    def check_create_complete(self, token: Any) -> bool:
        return True

    def resume_token(self, action: str) -> Any:
        """The token ``check_<action>_complete`` takes, rebuilt from stored state (for
        plugins that park)."""
        return self.resource_id

    def wake_at(self, action: str) -> float | None:
        """When (epoch seconds) a parked step must be sent again even if nothing wakes it
        (a wait condition's deadline); None: only a wake-up or the sweep resumes it."""
        return None

    def needs_replacement(self, prop_diff: Mapping[str, Any]) -> bool:
        """Whether new values of ``prop_diff`` can only be had by a new resource."""
        return any(
            not self.properties_schema[k].update_allowed
            for k in prop_diff
            if k in self.properties_schema
        )

    def handle_update(self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]) -> Any:
        self.properties = dict(new_properties)
        return None

    def check_update_complete(self, token: Any) -> bool:
        return True

    def handle_delete(self) -> Any:
        return None

    def check_delete_complete(self, token: Any) -> bool:
        return True

    def handle_suspend(self) -> Any:
        return None

    def check_suspend_complete(self, token: Any) -> bool:
        return True

    def handle_resume(self) -> Any:
        return None

    def check_resume_complete(self, token: Any) -> bool:
        return True

    def handle_check(self) -> Any:
        return None

    def check_check_complete(self, token: Any) -> bool:
        return True

    # What other resources and outputs see.
    def get_reference_id(self) -> str:
        return self.resource_id if self.resource_id is not None else self.name

    def get_attribute(self, name: str) -> Any:
        if name == "show":
            return self.show()
        if name not in self.attributes_schema:
            raise exception.InvalidTemplateAttribute(resource=self.name, key=name)
        return self.resolve_attribute(name)

    def resolve_attribute(self, name: str) -> Any:
        return None

    def show(self) -> dict[str, Any]:
        return {}

    def attributes(self) -> dict[str, Any]:
        """Every declared attribute's value, as resource show lists them."""
        return {name: self.resolve_attribute(name) for name in self.attributes_schema}


def wait_token(seconds: float | None) -> float | None:
    """A deadline token for plugins that wait a while (polled, never slept on)."""
    return time.monotonic() + seconds if seconds else None


def is_deadline_passed(token: float | None) -> bool:
    return token is None or time.monotonic() >= token
