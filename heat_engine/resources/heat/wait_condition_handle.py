"""OS::Heat::WaitConditionHandle: a handle signalled through a chosen transport.

TOKEN_SIGNAL (the default) gives a token of the handle's stack user and the native
API's signal URL in the stack's user project (``curl_cli`` puts them together);
CFN_SIGNAL a pre-signed heat-api-cfn URL; HEAT_SIGNAL the stack user's credentials and
the native signal URL; NO_SIGNAL nothing, the handle then signals itself as it is
waited on. TEMP_URL_SIGNAL and ZAQAR_SIGNAL need Swift and Zaqar, which this service
does not drive: such a handle fails to create, saying so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic

from common import exception
from heat_engine.resources import schema as s
from heat_engine.resources import signal_url
from heat_engine.resources.aws import wait_condition_handle as wch

CFN_SIGNAL, TEMP_URL_SIGNAL, HEAT_SIGNAL = "CFN_SIGNAL", "TEMP_URL_SIGNAL", "HEAT_SIGNAL"
NO_SIGNAL, ZAQAR_SIGNAL, TOKEN_SIGNAL = "NO_SIGNAL", "ZAQAR_SIGNAL", "TOKEN_SIGNAL"
SIGNAL_TRANSPORTS = (
    CFN_SIGNAL,
    TEMP_URL_SIGNAL,
    HEAT_SIGNAL,
    NO_SIGNAL,
    ZAQAR_SIGNAL,
    TOKEN_SIGNAL,
)
UNSERVED = {TEMP_URL_SIGNAL: "Swift", ZAQAR_SIGNAL: "Zaqar"}
PASSWORD_TRANSPORTS = (TOKEN_SIGNAL, HEAT_SIGNAL)
KEYSTONE_TIMEOUT = 30
# resource data keys, upstream's names where it has them
TOKEN, ENDPOINT, HEAT_SIGNAL_URL = "token", "endpoint", "heat_signal_url"
PROJECT_ID, DOMAIN_ID, AUTH_URL = "project_id", "domain_id", "auth_url"
CURL_CLI = (
    "curl {insecure}-i -X POST {token}-H 'Content-Type: application/json' "
    "-H 'Accept: application/json' {endpoint}"
)


class HeatWaitConditionHandle(wch.BaseWaitConditionHandle):
    """Resource for managing instance signals.

    The main points of this resource are:
      - have no dependencies (so the instance can reference it).
      - create credentials to allow for signalling from the instance.
      - handle signals from the instance, validate and store result.
    """

    type_name = "OS::Heat::WaitConditionHandle"
    support_status = s.SupportStatus(version="2014.2")
    keys = wch.HEAT_KEYS
    SIGNAL_TRANSPORT = "signal_transport"
    properties_schema = {
        SIGNAL_TRANSPORT: s.Schema(
            s.STRING,
            "How the client will signal the wait condition. CFN_SIGNAL will allow an HTTP "
            "POST to a CFN keypair signed URL. TEMP_URL_SIGNAL will create a Swift TempURL "
            "to be signalled via HTTP PUT. HEAT_SIGNAL will allow calls to the Heat API "
            "resource-signal using the provided keystone credentials. ZAQAR_SIGNAL will "
            "create a dedicated zaqar queue to be signalled using the provided keystone "
            "credentials. TOKEN_SIGNAL will allow and HTTP POST to a Heat API endpoint "
            "with the provided keystone token. NO_SIGNAL will result in the resource going "
            "to a signalled state without waiting for any signal.",
            default=TOKEN_SIGNAL,
            constraints=(s.AllowedValues(SIGNAL_TRANSPORTS),),
            support_status=s.SupportStatus(version="6.0.0"),
        ),
    }
    attributes_schema = {
        "token": s.Attribute(
            "Token for stack-user which can be used for signalling handle when "
            "signal_transport is set to TOKEN_SIGNAL. None for all other signal transports.",
            s.STRING,
        ),
        "endpoint": s.Attribute(
            "Endpoint/url which can be used for signalling handle when signal_transport is "
            "set to TOKEN_SIGNAL. None for all other signal transports.",
            s.STRING,
        ),
        "curl_cli": s.Attribute(
            "Convenience attribute, provides curl CLI command prefix, which can be used for "
            "signalling handle completion or failure when signal_transport is set to "
            "TOKEN_SIGNAL. You can signal success by adding --data-binary "
            '\'{"status": "SUCCESS"}\' , or signal failure by adding --data-binary '
            '\'{"status": "FAILURE"}\'. This attribute is set to None for all other '
            "signal transports.",
            s.STRING,
        ),
        "signal": s.Attribute(
            "JSON serialized map that includes the endpoint, token and/or other attributes "
            "the client must use for signalling this handle. The contents of this map "
            "depend on the type of signal selected in the signal_transport property.",
            s.STRING,
        ),
    }

    @property
    def transport(self) -> str:
        return str(self.properties.get(self.SIGNAL_TRANSPORT) or TOKEN_SIGNAL)

    def handle_create(self) -> None:
        if self.transport in UNSERVED:
            raise exception.NotSupported(
                feature=f"signal_transport {self.transport} (it needs "
                f"{UNSERVED[self.transport]}, which this Heat does not use)"
            )
        super().handle_create()

    def user_password(self) -> str | None:
        if self.transport not in PASSWORD_TRANSPORTS:
            return None
        if not self.data.get(wch.PASSWORD):
            self.data_set(wch.PASSWORD, wch.new_password(), redact=True)
        return self.data[wch.PASSWORD]

    def prepare_signals(self, conf: Any, users: Any) -> None:
        if self.transport == CFN_SIGNAL:
            self.presigned_url(conf, users, signal_url.WAITCONDITION)
            return
        if self.transport not in PASSWORD_TRANSPORTS:
            return
        project_id = str(users.project_id())
        login = ks_session.Session(
            auth=generic.Password(
                auth_url=users.admin.url,
                user_id=self.data[wch.USER_ID],
                password=self.data[wch.PASSWORD],
                project_id=project_id,
            ),
            timeout=KEYSTONE_TIMEOUT,
        )
        try:
            catalog_url = login.get_endpoint(
                service_type="orchestration",
                interface=conf.clients_heat.endpoint_type.removesuffix("URL"),
                region_name=conf.region_name_for_services,
            )
        except ks_exceptions.EndpointNotFound:
            catalog_url = None
        except ks_exceptions.ClientException as ex:
            raise exception.AuthorizationFailure(
                f"The stack user of {self.name} could not log in to Keystone: {ex}"
            ) from ex
        endpoint = signal_url.native_signal_endpoint(
            conf, self.resource_path(), project_id, catalog_url
        )
        if self.transport == TOKEN_SIGNAL:
            # as upstream: the token must outlive the wait (Keystone's default is an hour)
            self.data_set(TOKEN, str(login.get_token()), redact=True)
            self.data_set(ENDPOINT, endpoint)
            return
        self.data_set(HEAT_SIGNAL_URL, endpoint)
        self.data_set(PROJECT_ID, project_id)
        self.data_set(DOMAIN_ID, str(users.domain_id))
        self.data_set(AUTH_URL, str(users.admin.url))

    def prepare_unsigned(self, conf: Any) -> None:
        if self.transport == CFN_SIGNAL:
            self.unsigned_url(conf, signal_url.WAITCONDITION)
        elif self.transport in PASSWORD_TRANSPORTS:
            path = self.resource_path()
            endpoint = signal_url.native_signal_endpoint(conf, path, path.tenant, None)
            self.data_set(ENDPOINT if self.transport == TOKEN_SIGNAL else HEAT_SIGNAL_URL, endpoint)

    def get_reference_id(self) -> str:
        return self.resource_id or self.name

    # --- signals -------------------------------------------------------------------
    def normalise_signal(self, details: Any, signals: Mapping[str, Any]) -> Any:
        """Missing fields default as upstream's do: success, the signal's number as its
        id and "Signal <n> received" as its reason."""
        if details is not None and not isinstance(details, Mapping):
            return details  # refused by the format check, naming what a signal is
        number = len(signals) + 1
        signal = dict(details or {})
        signal.setdefault(self.keys.reason, f"Signal {number} received")
        signal.setdefault(self.keys.data, None)
        signal.setdefault(self.keys.unique_id, number)
        signal.setdefault(self.keys.status, wch.STATUS_SUCCESS)
        return signal

    # --- attributes ------------------------------------------------------------------
    def resolve_attribute(self, name: str) -> Any:
        if not self.resource_id:
            return None
        if name == "signal":
            return json.dumps(self._signal())
        if self.transport != TOKEN_SIGNAL:
            return None
        if name == "token":
            return self.data.get(TOKEN)
        if name == "endpoint":
            return self.data.get(ENDPOINT)
        if name == "curl_cli":
            return self._curl_cli()
        return None

    def _curl_cli(self) -> str | None:
        endpoint, token = self.data.get(ENDPOINT), self.data.get(TOKEN)
        if endpoint is None or (token is None and self.data.get(wch.USER_ID)):
            return None
        insecure = wch.deferred_conf().clients_heat.insecure
        return CURL_CLI.format(
            insecure="--insecure " if insecure else "",
            token=f"-H 'X-Auth-Token: {token}' " if token else "",
            endpoint=endpoint,
        )

    def _signal(self) -> dict[str, Any] | None:
        """What the client needs to signal, by transport (upstream's ``_get_signal``)."""
        if self.transport == CFN_SIGNAL:
            return {"alarm_url": self.data.get(wch.SIGNED_URL)}
        if self.transport == HEAT_SIGNAL:
            return {
                "auth_url": self.data.get(AUTH_URL),
                "username": self.physical_resource_name(),
                "user_id": self.data.get(wch.USER_ID),
                "password": self.data.get(wch.PASSWORD),
                "project_id": self.data.get(PROJECT_ID),
                "domain_id": self.data.get(DOMAIN_ID),
                "region_name": wch.deferred_conf().region_name_for_services,
                "alarm_url": self.data.get(HEAT_SIGNAL_URL),
            }
        if self.transport == NO_SIGNAL:
            return {}
        return None


RESOURCE_TYPES = {HeatWaitConditionHandle.type_name: HeatWaitConditionHandle}
