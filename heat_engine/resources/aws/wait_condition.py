"""AWS::CloudFormation::WaitCondition, and how every wait condition waits.

A wait condition completes when its handle holds ``Count`` success signals, fails as
soon as it holds a failure signal, and fails when ``Timeout`` seconds pass first, with
upstream's reasons (WaitConditionFailure, WaitConditionTimeout). Its step does not hold
a worker while it waits: it parks, and is sent again when the handle is signalled
(``parents.wake_resource``) or when its deadline comes (``wake_at``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from common import exception
from heat_engine.resources import schema as s
from heat_engine.resources import signal_url, wait_signals
from heat_engine.resources.aws import wait_condition_handle as wch
from heat_engine.resources.base import Resource

MAX_TIMEOUT = 43200
DEADLINE = "deadline"  # resource data: when the current wait times out (epoch seconds)
NO_SIGNAL = "NO_SIGNAL"
SIGNAL_TRANSPORT = "signal_transport"


class WaitConditionFailure(exception.HeatException):
    msg_fmt = "%(reasons)s"


class WaitConditionTimeout(exception.HeatException):
    msg_fmt = "%(message)s"


class BaseWaitCondition(Resource):
    """Waits for a handle's signals. Subclasses name the properties and find the handle."""

    parks = True  # its step lets go of its worker while it waits
    HANDLE: ClassVar[str] = "handle"
    TIMEOUT: ClassVar[str] = "timeout"
    COUNT: ClassVar[str] = "count"
    DATA: ClassVar[str] = "data"

    def find_handle(self) -> wait_signals.HandleRecord:
        """The handle the ``handle`` property refers to; ValueError if it is none."""
        reference = str(self.properties[self.HANDLE])
        path = signal_url.resource_of_url(reference)
        record = wait_signals.find_handle(self.stack_id, path.resource_name if path else reference)
        if record is None or record.type_name not in wch.KEYS_BY_TYPE:
            shown = record.name if record else reference
            raise ValueError(f"{shown} is not a valid wait condition handle.")
        return record

    def _start(self) -> float:
        deadline = time.time() + float(self.properties[self.TIMEOUT])
        self.data_set(DEADLINE, repr(deadline))
        return deadline

    def handle_create(self) -> float:
        self.find_handle()
        return self._start()

    def check_create_complete(self, deadline: float) -> bool:
        return self._wait(deadline)

    def handle_update(self, new_properties: Mapping[str, Any], prop_diff: Mapping[str, Any]) -> Any:
        self.properties = dict(new_properties)
        self.find_handle()
        return self._start()

    def check_update_complete(self, deadline: float) -> bool:
        return self._wait(deadline)

    def resume_token(self, action: str) -> float:
        return float(self.data.get(DEADLINE) or 0)

    def wake_at(self, action: str) -> float | None:
        return float(self.data[DEADLINE]) if self.data.get(DEADLINE) else None

    def _wait(self, deadline: float) -> bool:
        """True once enough success signals arrived; the failure or timeout otherwise."""
        handle = self.find_handle()
        keys = wch.KEYS_BY_TYPE[str(handle.type_name)]
        count = int(self.properties[self.COUNT])
        signals = _signals_of(self.stack_id, handle, count)
        if time.time() >= deadline:
            raise WaitConditionTimeout(message=_timeout_message(signals, keys, count))
        statuses = [entry.get(keys.status) for entry in signals.values()]
        if any(status != wch.STATUS_SUCCESS for status in statuses):
            reasons = _reasons(signals, keys, wch.STATUS_FAILURE)
            raise WaitConditionFailure(reasons=";".join(reasons))
        return len(statuses) >= count

    def handle_delete(self) -> None:
        """Forget the handle's signals, as upstream does, so a new wait starts afresh."""
        try:
            handle = self.find_handle()
        except ValueError:
            return
        wait_signals.write_signals(self.stack_id, handle.name, {})

    def resolve_attribute(self, name: str) -> Any:
        if name != self.DATA or not self.properties.get(self.HANDLE):
            return None  # not created yet
        try:
            handle = self.find_handle()
        except ValueError:
            return ""
        keys = wch.KEYS_BY_TYPE[str(handle.type_name)]
        return json.dumps({k: v.get(keys.data) for k, v in handle.signals.items()})


def _signals_of(stack_id: str, handle: wait_signals.HandleRecord, count: int) -> Mapping[str, Any]:
    """The handle's signals; a NO_SIGNAL handle signals itself as it is waited on."""
    signals = dict(handle.signals)
    if handle.properties.get(SIGNAL_TRANSPORT) != NO_SIGNAL or len(signals) >= count:
        return signals
    while len(signals) < count:
        number = len(signals) + 1
        reason = f"Signal {number} received"
        signals[str(number)] = {"data": None, "reason": reason, "status": wch.STATUS_SUCCESS}
    wait_signals.write_signals(stack_id, handle.name, signals)
    return signals


def _reasons(signals: Mapping[str, Any], keys: wch.SignalKeys, status: str) -> list[str]:
    return [str(v.get(keys.reason)) for v in signals.values() if v.get(keys.status) == status]


def _timeout_message(signals: Mapping[str, Any], keys: wch.SignalKeys, count: int) -> str:
    reasons = _reasons(signals, keys, wch.STATUS_SUCCESS)
    message = f"{len(reasons)} of {count} received"
    return f"{message} - {';'.join(reasons)}" if reasons else message


class WaitCondition(BaseWaitCondition):
    """Waits for the signals of an AWS::CloudFormation::WaitConditionHandle."""

    type_name = "AWS::CloudFormation::WaitCondition"
    support_status = s.SupportStatus(version="2014.1")
    HANDLE, TIMEOUT, COUNT, DATA = "Handle", "Timeout", "Count", "Data"
    properties_schema = {
        HANDLE: s.Schema(
            s.STRING,
            "A reference to the wait condition handle used to signal this wait condition.",
            required=True,
        ),
        TIMEOUT: s.Schema(
            s.INTEGER,
            "The number of seconds to wait for the correct number of signals to arrive.",
            required=True,
            constraints=(s.Range(1, MAX_TIMEOUT),),
        ),
        COUNT: s.Schema(
            s.INTEGER,
            "The number of success signals that must be received before the stack creation "
            "process continues.",
            default=1,
            update_allowed=True,
            constraints=(s.Range(min=1),),
        ),
    }
    attributes_schema = {
        DATA: s.Attribute(
            "JSON string containing data associated with wait condition signals sent to "
            "the handle.",
            s.STRING,
        ),
    }

    def find_handle(self) -> wait_signals.HandleRecord:
        """The handle the Handle URL names, which must be one of this stack's AWS handles."""
        path = signal_url.resource_of_url(str(self.properties[self.HANDLE]))
        if path is None:
            raise ValueError(f"WaitCondition invalid Handle {self.properties[self.HANDLE]}")
        stack = wait_signals.stack_facts(self.stack_id)
        if path.tenant != stack.tenant:
            raise ValueError(f"WaitCondition invalid Handle tenant {path.tenant}")
        if path.stack_name != stack.name:
            raise ValueError(f"WaitCondition invalid Handle stack {path.stack_name}")
        if path.stack_id != stack.id:
            raise ValueError(f"WaitCondition invalid Handle stack {path.stack_id}")
        record = wait_signals.find_handle(self.stack_id, path.resource_name)
        if record is None or record.type_name != wch.WaitConditionHandle.type_name:
            raise ValueError(f"WaitCondition invalid Handle {path.resource_name}")
        return record


RESOURCE_TYPES = {WaitCondition.type_name: WaitCondition}
