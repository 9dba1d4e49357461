"""Parameter constraints: range, length, modulo, allowed values and patterns, custom checks.

A constraint raises ``ValueError`` with the message upstream Heat gives when a value breaks
it, or with the constraint's ``description`` when the template wrote one. Building one from
a template raises ``InvalidSchemaError`` with upstream's words for a malformed definition.

Types are HOT parameter type names (``string``, ``number``, ``comma_delimited_list``,
``json``, ``boolean``); CFN types are mapped to them before they reach this module.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from common import exception

STRING, NUMBER, LIST, JSON, BOOLEAN = "string", "number", "comma_delimited_list", "json", "boolean"

_TRUE_STRINGS = ("1", "t", "true", "on", "y", "yes")
_FALSE_STRINGS = ("0", "f", "false", "off", "n", "no")
ACCEPTED_BOOLEANS = ", ".join(f"'{s}'" for s in sorted(_TRUE_STRINGS + _FALSE_STRINGS))

FQDN_MAX_LEN = 255
DNS_LABEL_MAX_LEN = 63
_DNS_LABEL = re.compile(rf"[a-z0-9-]{{1,{DNS_LABEL_MAX_LEN}}}")


def str_to_num(value: Any) -> int | float:
    """A number from a number or its text; Python's own message when it is neither."""
    if isinstance(value, int | float):
        return value
    try:
        return int(value)
    except ValueError:
        return float(value)


def bool_from_string(value: Any) -> bool:
    """True or False from the spellings upstream accepts; ValueError names them otherwise."""
    if isinstance(value, bool):
        return value
    text = value if isinstance(value, str) else str(value)
    lowered = text.strip().lower()
    if lowered in _TRUE_STRINGS:
        return True
    if lowered in _FALSE_STRINGS:
        return False
    raise ValueError(f"Unrecognized value '{text}', acceptable values are: {ACCEPTED_BOOLEANS}")


def _schema_error(message: str) -> exception.InvalidSchemaError:
    return exception.InvalidSchemaError(message=message)


@dataclass(frozen=True)
class Constraint:
    """One constraint; subclasses say which types it fits and how a value breaks it."""

    description: str | None

    valid_types: ClassVar[tuple[str, ...]] = ()

    def check(self, value: Any, data_type: str) -> None:
        """Raise ValueError (the description, else upstream's message) if ``value`` breaks it."""
        problem = self.problem(value, data_type)
        if problem is not None:
            raise ValueError(self.description or problem)

    def problem(self, value: Any, data_type: str) -> str | None:
        """Upstream's message for how ``value`` breaks the constraint, None when it keeps it."""
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """The keys the validate API shows for this constraint."""
        return {}


@dataclass(frozen=True)
class Range(Constraint):
    """A number between min and max (either may be absent)."""

    min: int | float | None = None
    max: int | float | None = None
    valid_types: ClassVar[tuple[str, ...]] = (NUMBER,)

    def __post_init__(self) -> None:
        for bound in (self.min, self.max):
            if bound is not None and (
                isinstance(bound, bool) or not isinstance(bound, int | float)
            ):
                raise _schema_error("min/max must be numeric")
        if self.min is None and self.max is None:
            raise _schema_error(
                "A range constraint must have a min value and/or a max value specified."
            )

    def _outside(self, number: int | float) -> bool:
        return (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        )

    def problem(self, value: Any, data_type: str) -> str | None:
        if self._outside(str_to_num(value)):
            return f"{value} is out of range (min: {self.min}, max: {self.max})"
        return None

    def describe(self) -> dict[str, Any]:
        return _present(MinValue=self.min, MaxValue=self.max)


@dataclass(frozen=True)
class Length(Range):
    """A string, list or map whose length lies between min and max."""

    valid_types: ClassVar[tuple[str, ...]] = (STRING, LIST, JSON)

    def __post_init__(self) -> None:
        if self.min is None and self.max is None:
            raise _schema_error(
                "A length constraint must have a min value and/or a max value specified."
            )
        super().__post_init__()
        for bound in (self.min, self.max):
            if bound is not None and not isinstance(bound, int):
                raise _schema_error("min/max length must be integral")

    def problem(self, value: Any, data_type: str) -> str | None:
        try:
            length = len(value)
        except TypeError:
            return f"{value} has no length"
        if self._outside(length):
            return f"length ({length}) is out of range (min: {self.min}, max: {self.max})"
        return None

    def describe(self) -> dict[str, Any]:
        return _present(MinLength=self.min, MaxLength=self.max)


@dataclass(frozen=True)
class Modulo(Constraint):
    """A number that leaves ``offset`` when divided by ``step``."""

    step: int | float | None = None
    offset: int | float | None = None
    valid_types: ClassVar[tuple[str, ...]] = (NUMBER,)

    def __post_init__(self) -> None:
        if self.step is None or self.offset is None:
            raise _schema_error(
                "A modulo constraint must have a step value and an offset value specified."
            )
        for number in (self.step, self.offset):
            if isinstance(number, bool) or not isinstance(number, int | float):
                raise _schema_error("step/offset must be numeric")
            if int(number) != number:
                raise _schema_error("step/offset must be integer")
        step, offset = int(self.step), int(self.offset)
        if step == 0:
            raise _schema_error("step cannot be 0.")
        if abs(offset) >= abs(step):
            raise _schema_error("offset must be smaller (by absolute value) than step.")
        if step * offset < 0:
            raise _schema_error("step and offset must be both positive or both negative.")

    def problem(self, value: Any, data_type: str) -> str | None:
        if str_to_num(value) % self.step != self.offset:  # type: ignore[operator]
            return f"{value} is not a multiple of {self.step} with an offset of {self.offset}"
        return None

    def describe(self) -> dict[str, Any]:
        return {"Step": self.step, "Offset": self.offset}


@dataclass(frozen=True)
class AllowedValues(Constraint):
    """A value (or every item of a list) from a fixed set."""

    allowed: tuple[Any, ...] = ()
    valid_types: ClassVar[tuple[str, ...]] = (STRING, NUMBER, BOOLEAN, LIST)

    def problem(self, value: Any, data_type: str) -> str | None:
        if isinstance(value, list):
            # As upstream, list items are compared as they are: "1" is not 1.
            fits = all(item in self.allowed for item in value)
        else:
            fits = _as_type(value, data_type) in [_as_type(a, data_type) for a in self.allowed]
        if fits:
            return None
        allowed = ", ".join(json.dumps(a) for a in self.allowed)
        return f"{json.dumps(value)} is not an allowed value [{allowed}]"

    def describe(self) -> dict[str, Any]:
        return {"AllowedValues": list(self.allowed)}


def _as_type(value: Any, data_type: str) -> Any:
    """A value in the parameter's type, for comparing allowed values as upstream does."""
    try:
        if data_type == NUMBER:
            return str_to_num(value)
        if data_type == BOOLEAN:
            return bool_from_string(value)
        if data_type == STRING:
            return value if isinstance(value, str) else str(value)
    except (TypeError, ValueError) as ex:
        raise ValueError(f'Value "{value}" is invalid for data type "{data_type}".') from ex
    return value


@dataclass(frozen=True)
class AllowedPattern(Constraint):
    """A string that a regular expression matches in whole."""

    pattern: str = ""
    valid_types: ClassVar[tuple[str, ...]] = (STRING,)

    def __post_init__(self) -> None:
        if not isinstance(self.pattern, str):
            raise _schema_error("AllowedPattern must be a string")
        try:
            re.compile(self.pattern)
        except re.error as ex:
            raise _schema_error(
                f'AllowedPattern "{self.pattern}" is not a valid regular expression: {ex}'
            ) from ex

    def problem(self, value: Any, data_type: str) -> str | None:
        # A match from the start that happens to reach the end, as upstream: "a|ab" refuses "ab".
        match = re.match(self.pattern, value)
        if match is None or match.end() != len(value):
            return f'"{value}" does not match pattern "{self.pattern}"'
        return None

    def describe(self) -> dict[str, Any]:
        return {"AllowedPattern": self.pattern}


@dataclass(frozen=True)
class CustomConstraint(Constraint):
    """A named check from ``CUSTOM_CONSTRAINTS`` (ip_addr, nova.flavor ...)."""

    name: str = ""
    valid_types: ClassVar[tuple[str, ...]] = (STRING, NUMBER, BOOLEAN, LIST)

    def problem(self, value: Any, data_type: str) -> str | None:
        check = CUSTOM_CONSTRAINTS.get(self.name) if isinstance(self.name, str) else None
        if check is None:
            return f'"{value}" does not validate {self.name} (constraint not found)'
        # Upstream hands a list to the check whole, so no list ever passes; each item is
        # checked here instead, which is what a template asking for a list of IPs means.
        for item in value if isinstance(value, list) else [value]:
            detail = check(item)
            if detail is not None:
                if detail:
                    return f"Error validating value '{item}': {detail}"
                return f"Error validating value '{item}'"
        return None

    def describe(self) -> dict[str, Any]:
        return {"CustomConstraint": self.name}


def _present(**keys: Any) -> dict[str, Any]:
    return {k: v for k, v in keys.items() if v is not None}


def schema_number(value: Any) -> int | float | None:
    """A bound from a template (numbers may be written as text), or None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return str_to_num(value)
        except ValueError as ex:
            raise _schema_error(f'"{value}" is not a number') from ex
    return value


def _bounds(raw: Any, what: str, keys: tuple[str, str]) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise _schema_error(f"Invalid {what}, expected a mapping")
    for key in raw:
        if key not in keys:
            raise _schema_error(f"Invalid key '{key}' for {what}")
    return {k: schema_number(raw.get(k)) for k in keys}


HOT_CONSTRAINT_KEYS = (
    "description",
    "length",
    "range",
    "modulo",
    "allowed_values",
    "allowed_pattern",
    "custom_constraint",
)


def from_hot(raw: Any, with_modulo: bool) -> Constraint:
    """A constraint from one entry of a HOT parameter's ``constraints`` list.

    As upstream, the first key found in the order modulo (from 2017-02-24), range, length,
    allowed_values, allowed_pattern, custom_constraint wins; other keys are ignored.
    """
    if not isinstance(raw, Mapping):
        raise _schema_error("Invalid parameter constraints, expected a mapping")
    for key in raw:
        if key not in HOT_CONSTRAINT_KEYS:
            raise _schema_error(f"Invalid key '{key}' for parameter constraints")
    desc = raw.get("description")
    if with_modulo and "modulo" in raw:
        bounds = _bounds(raw["modulo"], "modulo constraint", ("step", "offset"))
        return Modulo(desc, step=bounds["step"], offset=bounds["offset"])
    if "range" in raw:
        bounds = _bounds(raw["range"], "range constraint", ("min", "max"))
        return Range(desc, min=bounds["min"], max=bounds["max"])
    if "length" in raw:
        bounds = _bounds(raw["length"], "length constraint", ("min", "max"))
        return Length(desc, min=bounds["min"], max=bounds["max"])
    if "allowed_values" in raw:
        return allowed_values(raw["allowed_values"], desc)
    if "allowed_pattern" in raw:
        return AllowedPattern(desc, pattern=raw["allowed_pattern"])
    if "custom_constraint" in raw:
        return CustomConstraint(desc, name=raw["custom_constraint"])
    raise _schema_error("No constraint expressed")


def allowed_values(raw: Any, description: str | None) -> AllowedValues:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise _schema_error("AllowedValues must be a list")
    return AllowedValues(description, allowed=tuple(raw))


def from_cfn(raw: Mapping[str, Any]) -> tuple[Constraint, ...]:
    """Constraints from a CFN parameter's keys, in upstream's order; one description for all."""
    desc = raw.get("ConstraintDescription")
    out: list[Constraint] = []
    if "MinValue" in raw or "MaxValue" in raw:
        out.append(
            Range(
                desc, min=schema_number(raw.get("MinValue")), max=schema_number(raw.get("MaxValue"))
            )
        )
    if "MinLength" in raw or "MaxLength" in raw:
        out.append(
            Length(
                desc,
                min=schema_number(raw.get("MinLength")),
                max=schema_number(raw.get("MaxLength")),
            )
        )
    if "AllowedValues" in raw:
        out.append(allowed_values(raw["AllowedValues"], desc))
    if "AllowedPattern" in raw:
        out.append(AllowedPattern(desc, pattern=raw["AllowedPattern"]))
    return tuple(out)


# Custom constraints. A check returns None when the value is valid, otherwise the detail
# upstream adds after "Error validating value '...'" ("" when it adds none).


def _ip_address_problem(value: str) -> str | None:
    """Neutron's IP address check: dotted quads or IPv6, no whitespace, no leading zeros."""
    if not isinstance(value, str) or re.search(r"\s", value) or "%" in value:
        return f"'{value}' is not a valid IP address"
    try:
        ipaddress.ip_address(value)
    except ValueError:
        octets = value.split(".")
        if len(octets) == 4 and all(o.isdigit() for o in octets):
            try:
                plain = ipaddress.ip_address(".".join(str(int(o)) for o in octets))
            except ValueError:
                return f"'{value}' is not a valid IP address"
            return f"'{value}' is not an accepted IP address, '{plain}' is recommended"
        return f"'{value}' is not a valid IP address"
    return None


def _subnet_problem(value: str) -> str | None:
    """Neutron's subnet check: address/prefix, an IPv4 one written in its canonical form."""
    invalid = f"'{value}' is not a valid IP subnet"
    if not isinstance(value, str) or re.search(r"\s", value) or "/" not in value:
        return invalid
    try:
        interface = ipaddress.ip_interface(value)
    except ValueError:
        return invalid
    if interface.version == 4 and str(interface) != value:
        return invalid
    return None


def check_ip_addr(value: Any) -> str | None:
    return "Invalid IP address" if _ip_address_problem(value) else None


def check_ip_or_cidr(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{value} is not a valid IP or CIDR"
    return _subnet_problem(value) if "/" in value else _ip_address_problem(value)


def check_net_cidr(value: Any) -> str | None:
    text = str(value)
    # netaddr reads abbreviations such as "10/8" or "10" before neutron refuses them.
    abbreviated = re.fullmatch(r"\d{1,3}(\.\d{1,3}){0,2}(/\d{1,2})?", text)
    try:
        ipaddress.ip_interface(text)
    except ValueError:
        if not abbreviated and not _looks_like_address(text):
            return f"Invalid net cidr invalid IPNetwork {text} "
    return _subnet_problem(value)


def _looks_like_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_MAC_FORMATS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        ":".join(["[0-9A-F]{1,2}"] * 6),
        "-".join(["[0-9A-F]{1,2}"] * 6),
        ":".join(["[0-9A-F]{1,4}"] * 3),
        "-".join(["[0-9A-F]{1,4}"] * 3),
        r"\.".join(["[0-9A-F]{1,4}"] * 3),
        "-".join(["[0-9A-F]{5,6}"] * 2),
        ":".join(["[0-9A-F]{5,6}"] * 2),
        "[0-9A-F]{11,12}",
    )
]


def check_mac_addr(value: Any) -> str | None:
    """The EUI-48 spellings netaddr accepts (UNIX, Windows, Cisco, PostgreSQL, bare)."""
    valid = isinstance(value, str) and any(p.fullmatch(value) for p in _MAC_FORMATS)
    return None if valid else "Invalid MAC address."


def _dns_format_problem(value: str) -> str | None:
    if not value:
        return None
    trimmed = value[:-1] if value.endswith(".") else value
    if len(trimmed) > FQDN_MAX_LEN:
        return f"'{trimmed}' exceeds the {FQDN_MAX_LEN} character FQDN limit"
    names = trimmed.split(".")
    for name in names:
        if not name:
            return "Encountered an empty component."
        if name.startswith("-") or name.endswith("-"):
            return f"Name '{name}' must not start or end with a hyphen."
        if not _DNS_LABEL.fullmatch(name):
            return (
                f"Name '{name}' must be 1-{DNS_LABEL_MAX_LEN} characters long, each of "
                "which can only be alphanumeric or a hyphen."
            )
    if value.endswith(".") and len(names) > 1 and names[-1].isdigit():
        return f"TLD '{names[-1]}' must not be all numeric."
    return None


def check_dns_name(value: Any) -> str | None:
    problem = _dns_format_problem(str(value))
    return None if problem is None else f"'{value}' not in valid format. Reason: {problem}"


def check_dns_domain(value: Any) -> str | None:
    if not value:
        return None
    problem = check_dns_name(value)
    if problem is None and not str(value).endswith("."):
        return f"'{value}' must end with '.'."
    return problem


def check_rel_dns_name(value: Any) -> str | None:
    if not value:
        return None
    text = str(value)
    if text.endswith("."):
        return f"'{text}' is a FQDN. It should be a relative domain name."
    if len(text) > FQDN_MAX_LEN - 3:
        return (
            f"'{text}' contains '{len(text)}' characters. Adding a domain name will cause it "
            f"to exceed the maximum length of a FQDN of '{FQDN_MAX_LEN}'."
        )
    return check_dns_name(text)


def parse_iso8601(value: str) -> datetime.datetime:
    """A timestamp in ISO 8601 (date, or date and time); naive ones are taken as UTC."""
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError) as ex:
        raise ValueError(f"Unable to parse date string '{value}'") from ex
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def check_iso_8601(value: Any) -> str | None:
    try:
        parse_iso8601(value)
    except ValueError:
        return ""
    return None


def check_expiration(value: Any) -> str | None:
    if not value:
        return None
    try:
        expiry = parse_iso8601(str(value).strip())
        if expiry <= datetime.datetime.now(datetime.UTC):
            raise ValueError("Expiration time is out of date.")
    except ValueError as ex:
        return f"Expiration {value} is invalid: {ex}"
    return None


def check_timezone(value: Any) -> str | None:
    if not value:
        return None
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as ex:
        return f"Invalid timezone: {ex}"
    return None


def check_json_string(value: Any) -> str | None:
    if not value:
        return None
    try:
        json.loads(value)
    except (TypeError, ValueError) as ex:
        return f"JSON string {value} is invalid: {ex}"
    return None


_CRON_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7), (0, 59), (1970, 2099))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_NAMES = {
    3: {m: i + 1 for i, m in enumerate(_MONTHS)},
    4: {d: i for i, d in enumerate(_WEEKDAYS)},
}
_CRON_ALIASES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_DOM, _DOW = 2, 4


class _OutOfRange(ValueError):
    pass


def _cron_value(text: str, field: int) -> None:
    if text.isdigit():
        number = int(text)
    elif text in _CRON_NAMES.get(field, {}):
        number = _CRON_NAMES[field][text]
    elif text == "l" and field in (_DOM, _DOW):
        return
    else:
        raise ValueError(text)
    low, high = _CRON_FIELDS[field]
    if not low <= number <= high:
        raise _OutOfRange(text)


class _BadWeekday(ValueError):
    pass


def _cron_item(item: str, field: int) -> None:
    """One comma-separated item: ``*``, ``?``, a value or range and a ``/step``; ``L`` in
    the day of the month or week, and ``1#2`` (the second Monday) in the day of the week."""
    base, _, step = item.partition("/")
    if step and not step.isdigit():
        raise ValueError(item)
    if field == _DOW:
        base, hash_mark, nth = base.partition("#")
        if hash_mark and nth not in ("1", "2", "3", "4", "5"):
            raise _BadWeekday(nth)
    if base in ("*", "?"):
        return
    parts = base.split("-")
    if len(parts) > 2:
        raise ValueError(item)
    for part in parts:
        _cron_value(part, field)


def check_cron_expression(value: Any) -> str | None:
    """The five to seven column cron syntax croniter reads (with names, ranges, steps, L, #).

    As croniter, messages quote the expression in lower case.
    """
    if not value:
        return None
    text = str(value).lower()
    if text.strip() in _CRON_ALIASES:
        return None
    columns = text.split()
    if len(columns) not in (5, 6, 7):
        return (
            "Invalid CRON expression: Exactly 5, 6 or 7 columns has to be specified for "
            "iterator expression."
        )
    try:
        for field, column in enumerate(columns):
            for item in column.split(","):
                _cron_item(item, field)
    except _OutOfRange:
        return f"Invalid CRON expression: [{text}] is not acceptable, out of range"
    except _BadWeekday as ex:
        return (
            f"Invalid CRON expression: [{text}] is not acceptable. "
            f"Invalid day_of_week value: '{ex}'"
        )
    except ValueError:
        return f"Invalid CRON expression: [{text}] is not acceptable"
    return None


def check_test_constr(value: Any) -> str | None:
    # Upstream's test_constr sleeps for the value's seconds (to slow validation down in its
    # own tests); only a number gets through it. Nothing here sleeps.
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return None if is_number else ""


def unchecked(value: Any) -> str | None:
    """A constraint that asks another cloud service; accepted as there is none to ask."""
    return None


# Constraints that look a value up in another OpenStack service (nova.flavor: does this
# flavor exist?). Upstream registers them so templates naming them validate, and checks
# them against the service; this engine has no such services, so they accept any value.
_SERVICE_CONSTRAINT_NAMES = {
    "barbican": ("container", "secret"),
    "blazar": ("reservation",),
    "cinder": ("backup", "qos_specs", "snapshot", "volume", "vtype"),
    "designate": ("zone",),
    "glance": ("image",),
    "ironic": ("node", "portgroup"),
    "keystone": ("domain", "group", "project", "region", "role", "service", "user"),
    "magnum": ("cluster_template",),
    "manila": ("share_network", "share_snapshot", "share_type"),
    "mistral": ("workflow",),
    "neutron": (
        "address_scope",
        "flow_classifier",
        "lbaas.listener",
        "lbaas.loadbalancer",
        "lbaas.pool",
        "lbaas.provider",
        "network",
        "port",
        "port_pair",
        "port_pair_group",
        "qos_policy",
        "router",
        "security_group",
        "segment",
        "subnet",
        "subnetpool",
        "taas.tap_flow",
        "taas.tap_service",
    ),
    "nova": ("flavor", "host", "keypair", "network", "server"),
    "octavia": (
        "availabilityzone",
        "availabilityzoneprofile",
        "flavor",
        "flavorprofile",
        "l7policy",
        "listener",
        "loadbalancer",
        "pool",
    ),
    "trove": ("flavor",),
    "zaqar": ("queue",),
}
SERVICE_CONSTRAINTS = tuple(
    f"{service}.{name}" for service, names in _SERVICE_CONSTRAINT_NAMES.items() for name in names
)

CUSTOM_CONSTRAINTS: dict[str, Callable[[Any], str | None]] = {
    "cron_expression": check_cron_expression,
    "dns_domain": check_dns_domain,
    "dns_name": check_dns_name,
    "expiration": check_expiration,
    "ip_addr": check_ip_addr,
    "ip_or_cidr": check_ip_or_cidr,
    "iso_8601": check_iso_8601,
    "json_string": check_json_string,
    "mac_addr": check_mac_addr,
    "net_cidr": check_net_cidr,
    "rel_dns_name": check_rel_dns_name,
    "test_constr": check_test_constr,
    "timezone": check_timezone,
    **dict.fromkeys(SERVICE_CONSTRAINTS, unchecked),
}
