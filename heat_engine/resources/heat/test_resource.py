"""OS::Heat::TestResource."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from heat_engine.resources import schema as s
from heat_engine.resources.base import Resource

ACTIONS = ("create", "update", "delete", "suspend", "resume", "check")
# upstream's knobs are create, update and delete; suspend, resume and check are ours


class TestResource(Resource):
    """A resource which stores the string value that was provided.

    This resource is to be used only for testing.
    It has control knobs such as 'update_replace', 'fail', 'wait_secs'.
    """

    external = False  # computes values only

    type_name = "OS::Heat::TestResource"
    support_status = s.SupportStatus(version="5.0.0")
    properties_schema = {
        "constraint_prop_secs": s.Schema(
            s.NUMBER,
            "Number value for delay during resolve constraint.",
            default=0,
            update_allowed=True,
            constraints=(s.CustomConstraint("test_constr"),),
            support_status=s.SupportStatus(version="6.0.0"),
        ),
        "attr_wait_secs": s.Schema(
            s.NUMBER,
            "Number value for timeout during resolving output value.",
            default=0,
            update_allowed=True,
            support_status=s.SupportStatus(version="6.0.0"),
        ),
        "value": s.Schema(
            s.STRING, "The input string to be stored.", default="test_string", update_allowed=True
        ),
        "update_replace_value": s.Schema(
            s.STRING,
            "Some value that can be stored but can not be updated.",
            support_status=s.SupportStatus(version="7.0.0"),
        ),
        "fail": s.Schema(
            s.BOOLEAN,
            "Value which can be set to fail the resource operation to test failure scenarios.",
            default=False,
            update_allowed=True,
        ),
        "update_replace": s.Schema(
            s.BOOLEAN,
            "Value which can be set to trigger update replace for the particular resource.",
            default=False,
            update_allowed=True,
        ),
        "wait_secs": s.Schema(
            s.NUMBER,
            "Seconds to wait after an action (-1 is infinite).",
            default=0,
            update_allowed=True,
        ),
        "action_wait_secs": s.Schema(
            s.MAP,
            "Options for simulating waiting.",
            update_allowed=True,
            schema={
                a: s.Schema(
                    s.NUMBER,
                    f"Seconds to wait after {'an' if a[0] in 'aeiou' else 'a'} {a}. "
                    "Defaults to the global wait_secs.",
                    update_allowed=True,
                )
                for a in ACTIONS
            },
        ),
        "client_name": s.Schema(s.STRING, "Client to poll.", default="", update_allowed=True),
        "entity_name": s.Schema(
            s.STRING, "Client entity to poll.", default="", update_allowed=True
        ),
    }
    attributes_schema = {
        "output": s.Attribute(
            "The string that was stored. This value is also available by referencing the resource."
        )
    }

    def _wait_secs(self, action: str) -> float:
        per_action = (self.properties.get("action_wait_secs") or {}).get(action)
        secs = per_action if per_action is not None else self.properties.get("wait_secs") or 0
        return float(secs)

    def _start(self, action: str) -> dict[str, Any]:
        if self.properties.get("fail"):
            raise ValueError(f"Test Resource failed {self.name}")
        secs = self._wait_secs(action)
        return {"until": None if secs < 0 else time.time() + secs}

    @staticmethod
    def _is_done(token: dict[str, Any]) -> bool:
        return token["until"] is not None and time.time() >= token["until"]

    def handle_create(self) -> dict[str, Any]:
        self.resource_id_set(self.physical_resource_name())
        return self._start("create")

    def check_create_complete(self, token: dict[str, Any]) -> bool:
        return self._is_done(token)

    def needs_replacement(self, prop_diff: Mapping[str, Any]) -> bool:
        if "update_replace_value" in prop_diff:
            return True
        return bool(prop_diff.get("update_replace", self.properties.get("update_replace")))

    def handle_update(
        self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]
    ) -> dict[str, Any]:
        self.properties = dict(new_properties)
        return self._start("update")

    def check_update_complete(self, token: dict[str, Any]) -> bool:
        return self._is_done(token)

    def handle_delete(self) -> dict[str, Any]:
        secs = self._wait_secs("delete")
        return {"until": None if secs < 0 else time.time() + secs}

    def check_delete_complete(self, token: dict[str, Any]) -> bool:
        return self._is_done(token)

    def handle_suspend(self) -> dict[str, Any]:
        return self._start("suspend")

    def check_suspend_complete(self, token: dict[str, Any]) -> bool:
        return self._is_done(token)

    def handle_resume(self) -> dict[str, Any]:
        return self._start("resume")

    def check_resume_complete(self, token: dict[str, Any]) -> bool:
        return self._is_done(token)

    def handle_check(self) -> dict[str, Any]:
        return self._start("check")

    def check_check_complete(self, token: dict[str, Any]) -> bool:
        return self._is_done(token)

    def get_reference_id(self) -> str:
        return self.resource_id if self.resource_id is not None else self.name

    def resolve_attribute(self, name: str) -> Any:
        return self.properties.get("value")


RESOURCE_TYPES = {TestResource.type_name: TestResource}
