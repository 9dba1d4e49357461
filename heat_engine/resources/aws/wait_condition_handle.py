"""AWS::CloudFormation::WaitConditionHandle, and what every wait condition handle shares.

A handle makes, in the stack domain, a user of its own with an EC2 keypair (or a
password, for the native API's transports), so that an instance can signal it and do
nothing else; user and keypair go with the handle. Signals are kept in the handle's
metadata, keyed by their unique id, as upstream keeps them. Under the noauth flavor
(heat-all) nobody is authenticated, so no user is made and the handle's URL is unsigned.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from keystoneauth1 import exceptions as ks_exceptions

from common import exception
from heat_engine.resources import schema as s
from heat_engine.resources import signal_url, wait_signals
from heat_engine.resources.base import Resource

NOAUTH_FLAVOR = "noauth"
PASSWORD_BYTES = 24
STATUS_SUCCESS, STATUS_FAILURE = "SUCCESS", "FAILURE"
WAIT_STATUSES = (STATUS_SUCCESS, STATUS_FAILURE)
# resource data keys, upstream's names
USER_ID, PASSWORD = "user_id", "password"
ACCESS_KEY, SECRET_KEY, CREDENTIAL_ID = "access_key", "secret_key", "credential_id"
SIGNED_URL = "ec2_signed_url"


@dataclasses.dataclass(frozen=True)
class SignalKeys:
    """The names a handle's signals use for their fields."""

    data: str
    reason: str
    status: str
    unique_id: str

    @property
    def all(self) -> frozenset[str]:
        return frozenset((self.data, self.reason, self.status, self.unique_id))


AWS_KEYS = SignalKeys("Data", "Reason", "Status", "UniqueId")
HEAT_KEYS = SignalKeys("data", "reason", "status", "id")
KEYS_BY_TYPE = {
    "AWS::CloudFormation::WaitConditionHandle": AWS_KEYS,
    "OS::Heat::WaitConditionHandle": HEAT_KEYS,
}


@dataclasses.dataclass(frozen=True)
class MergedSignal:
    """A handle's signals with a new one merged in, and how the event describes it."""

    metadata: dict[str, Any]
    reason: str


def deferred_conf() -> Any:
    """The engine's heat.conf (plugins see no configuration otherwise)."""
    from heat_engine import deferred_auth  # installed by the engine; imports resources

    return deferred_auth.installed().conf


def uses_stack_users(conf: Any) -> bool:
    """Whether handles make stack domain users: always, except under noauth without a
    stack domain (then nobody could authenticate as them anyway)."""
    from heat_engine import stack_users

    flavor = conf.paste_deploy.flavor
    return stack_users.is_configured(conf) or flavor != NOAUTH_FLAVOR


class BaseWaitConditionHandle(Resource):
    """What wait condition handles share: a stack domain user and stored signals."""

    keys: ClassVar[SignalKeys] = AWS_KEYS

    # --- the stack domain user ---------------------------------------------------------
    def handle_create(self) -> None:
        self.data_set(wait_signals.HANDLE_TYPE_KEY, self.type_name)
        conf = deferred_conf()
        if not uses_stack_users(conf):
            self.resource_id_set(self.physical_resource_name())
            self.prepare_unsigned(conf)
            return
        users = self.runtime.stack_users()
        user_id = self._ensure_user(users, self.user_password())
        self.resource_id_set(user_id)
        wait_signals.record_stack_user_project(self.stack_id, str(users.project_id()))
        self.prepare_signals(conf, users)

    def user_password(self) -> str | None:
        """The stack user's password, for transports that log in with one."""
        return None

    def prepare_signals(self, conf: Any, users: Any) -> None:
        """Make what instances signal with (a pre-signed URL, a token)."""

    def prepare_unsigned(self, conf: Any) -> None:
        """The same without stack users (noauth)."""

    def _ensure_user(self, users: Any, password: str | None) -> str:
        """The handle's user, found by its name when a retried create made it already."""
        user_id = self.data.get(USER_ID)
        name = self.physical_resource_name()
        if not user_id:
            found = users.admin.request(
                "GET", "/users", params={"name": name, "domain_id": users.domain_id}
            )["users"]
            user_id = str(found[0]["id"]) if found else None
            if user_id and password:
                users.admin.request(
                    "PATCH", f"/users/{user_id}", json={"user": {"password": password}}
                )
        if not user_id:
            user_id = users.create_user(name, password)
        self.data_set(USER_ID, user_id)
        return str(user_id)

    def _ensure_keypair(self, users: Any) -> tuple[str, str]:
        if not (self.data.get(ACCESS_KEY) and self.data.get(SECRET_KEY)):
            keypair = users.create_keypair(self.data[USER_ID])
            self.data_set(CREDENTIAL_ID, keypair.id)
            self.data_set(ACCESS_KEY, keypair.access)
            self.data_set(SECRET_KEY, keypair.secret, redact=True)
        return self.data[ACCESS_KEY], self.data[SECRET_KEY]

    def resource_path(self) -> signal_url.ResourcePath:
        tenant = wait_signals.stack_facts(self.stack_id).tenant
        return signal_url.ResourcePath(tenant, self.stack_name, self.stack_id, self.name)

    def presigned_url(self, conf: Any, users: Any, signal_type: str) -> str:
        """A URL of heat-api-cfn pre-signed with the user's keypair (kept once made)."""
        stored = self.data.get(SIGNED_URL)
        if stored:
            return stored
        access, secret = self._ensure_keypair(users)
        base = signal_url.cfn_signal_base(conf, signal_type, _catalog_url(users, "cloudformation"))
        url = signal_url.presign(
            base,
            self.resource_path(),
            signal_url.SIGNAL_VERBS[signal_type],
            access,
            secret,
            signal_url.expiry(),
        )
        self.data_set(SIGNED_URL, url)
        return url

    def unsigned_url(self, conf: Any, signal_type: str) -> str:
        url = signal_url.unsigned(
            signal_url.cfn_signal_base(conf, signal_type, None), self.resource_path()
        )
        self.data_set(SIGNED_URL, url)
        return url

    def handle_delete(self) -> None:
        user_id = self.data.get(USER_ID)
        if not user_id:
            return
        users = self.runtime.stack_users()
        if self.data.get(CREDENTIAL_ID):
            users.delete_keypair(self.data[CREDENTIAL_ID])
        users.delete_user(user_id)

    # --- signals ------------------------------------------------------------------------
    def normalise_signal(self, details: Any, signals: Mapping[str, Any]) -> Any:
        """The signal as stored, before its format is checked."""
        return details

    def merge_signal(self, signals: Mapping[str, Any], details: Any) -> MergedSignal | None:
        """``signals`` with ``details`` added under its unique id; Invalid (naming the
        field at fault) when it is not a signal. None: nothing to record."""
        signal = self.normalise_signal(details, signals)
        if signal is None:
            return None
        self._check_format(signal)
        entry = dict(signal)
        unique_id = str(entry.pop(self.keys.unique_id))
        keys = self.keys
        reason = f"status:{signal[keys.status]} reason:{signal[keys.reason]}"
        return MergedSignal({**signals, unique_id: entry}, reason)

    def _check_format(self, signal: Any) -> None:
        keys = self.keys
        expected = sorted(keys.all)
        if not isinstance(signal, Mapping):
            raise exception.Invalid(
                reason=f"Metadata format invalid: a signal is a JSON object with {expected}"
            )
        missing, unknown = keys.all - set(signal), set(signal) - keys.all
        if missing or unknown:
            raise exception.Invalid(
                reason=f"Metadata format invalid: a signal has exactly the keys {expected}"
                + (f"; missing {sorted(missing)}" if missing else "")
                + (f"; unknown {sorted(unknown)}" if unknown else "")
            )
        if signal[keys.status] not in WAIT_STATUSES:
            raise exception.Invalid(
                reason=f"Metadata format invalid: {keys.status} must be one of "
                f"{list(WAIT_STATUSES)}, not {signal[keys.status]!r}"
            )


def _catalog_url(users: Any, service_type: str) -> str | None:
    """A service's public endpoint from the catalog, if the catalog lists it."""
    conf = users.conf
    try:
        url = users.admin.session.get_endpoint(
            service_type=service_type,
            interface=conf.clients_heat.endpoint_type.removesuffix("URL"),
            region_name=conf.region_name_for_services,
        )
    except ks_exceptions.ClientException:
        return None
    return str(url) if url else None


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


class WaitConditionHandle(BaseWaitConditionHandle):
    """AWS WaitConditionHandle resource.

    The main point of this class is to have no dependencies (so the instance can
    reference it), to generate a unique URL (to be returned in the reference), to which
    cfn-signal then posts, and which the WaitCondition polls to see if it has been
    written to.
    """

    type_name = "AWS::CloudFormation::WaitConditionHandle"
    support_status = s.SupportStatus(version="2014.1")

    def prepare_signals(self, conf: Any, users: Any) -> None:
        self.presigned_url(conf, users, signal_url.WAITCONDITION)

    def prepare_unsigned(self, conf: Any) -> None:
        self.unsigned_url(conf, signal_url.WAITCONDITION)

    def get_reference_id(self) -> str:
        if self.resource_id and self.data.get(SIGNED_URL):
            return self.data[SIGNED_URL]
        return self.name


RESOURCE_TYPES = {WaitConditionHandle.type_name: WaitConditionHandle}
