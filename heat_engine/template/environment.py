"""The stack environment: parameters, parameter defaults, the resource registry and event sinks.

An environment comes from a request (its ``environment`` plus any ``environment_files``
merged in the order the client sent them), is stored as ``to_dict()`` shows it, and is laid
over the stored one on PATCH. It is immutable: merging builds a new one.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml

from common import exception, template_format
from heat_engine.template import parameters as params

SECTIONS = (
    PARAMETERS,
    RESOURCE_REGISTRY,
    PARAMETER_DEFAULTS,
    ENCRYPTED_PARAM_NAMES,
    EVENT_SINKS,
    PARAMETER_MERGE_STRATEGIES,
) = (
    "parameters",
    "resource_registry",
    "parameter_defaults",
    "encrypted_param_names",
    "event_sinks",
    "parameter_merge_strategies",
)
HOOK_TYPES = ("pre-create", "pre-update", "pre-delete", "post-create", "post-update", "post-delete")
RESTRICTED_ACTIONS = ("update", "replace")
MERGE_STRATEGIES = (OVERWRITE, MERGE, DEEP_MERGE) = ("overwrite", "merge", "deep_merge")
EVENT_SINK_TYPES = ("zaqar-queue",)
TEMPLATE_SUFFIXES = (".yaml", ".template")
RESOURCES = "resources"
# A chain of aliases longer than this is taken for a loop ("A::*": "A::B::*" never ends).
MAX_MAPPING_HOPS = 32


def is_provider_template(type_name: str) -> bool:
    """Whether a (resolved) type names a provider template, by file name or URL, as upstream.

    The template's text is ``files[type_name]`` when the client sent it, else at that URL.
    """
    return type_name.endswith(TEMPLATE_SUFFIXES)


def _invalid(message: str, source: str | None) -> exception.Invalid:
    where = "Environment" if source is None else f'Environment file "{source}"'
    return exception.Invalid(reason=f"{where} not in valid format: {message}")


def _check_sections(env: Mapping[str, Any], source: str | None) -> None:
    for section, value in env.items():
        if section not in SECTIONS:
            raise _invalid(f'environment has wrong section "{section}"', source)
        if value is None:
            raise _invalid(f'environment has empty section "{section}"', source)
        wanted = list if section in (EVENT_SINKS, ENCRYPTED_PARAM_NAMES) else Mapping
        if not isinstance(value, wanted):
            kind = "list" if wanted is list else "mapping"
            raise _invalid(
                f'section "{section}" must be a {kind}, not {type(value).__name__}', source
            )


def _check_registry(registry: Mapping[str, Any], path: tuple[str, ...] = ()) -> None:
    """Hooks and restricted actions name known ones; every other leaf is a type or None."""
    if not path and not isinstance(registry.get(RESOURCES) or {}, Mapping):
        raise exception.StackValidationFailed(
            f"{RESOURCE_REGISTRY}.{RESOURCES}: a mapping of resource names is expected"
        )
    for key, value in registry.items():
        if key == "hooks":
            _check_names(value, HOOK_TYPES, _hook_error)
        elif key == "restricted_actions":
            _check_names(value, RESTRICTED_ACTIONS, _action_error)
        elif isinstance(value, Mapping):
            _check_registry(value, (*path, key))
        elif value is not None and not isinstance(value, str):
            where = ".".join((RESOURCE_REGISTRY, *path, key))
            raise exception.StackValidationFailed(
                f"{where}: a resource type, template file or URL is expected, "
                f"not {type(value).__name__}"
            )


def _check_names(
    value: Any, allowed: tuple[str, ...], error: Callable[[Any], exception.HeatException]
) -> None:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(n in allowed for n in names):
        raise error(value)


def _hook_error(value: Any) -> exception.HeatException:
    # Upstream raises InvalidBreakPointHook (400) with this message.
    return exception.StackValidationFailed(
        f'Invalid hook type "{value}" for resource breakpoint, acceptable hook types are: '
        f"{HOOK_TYPES}"
    )


def _action_error(value: Any) -> exception.HeatException:
    # Upstream raises InvalidRestrictedAction, which its API reports as a 500.
    return exception.StackValidationFailed(
        f'Invalid restricted_action type "{value}" for resource, acceptable '
        f"restricted_action types are: {RESTRICTED_ACTIONS}"
    )


def _check_event_sinks(sinks: list[Any], source: str | None) -> None:
    for sink in sinks:
        if not isinstance(sink, Mapping) or sink.get("type") not in EVENT_SINK_TYPES:
            raise _invalid(
                f"each event sink must be a mapping whose type is one of {list(EVENT_SINK_TYPES)}",
                source,
            )


def _without_none(registry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: _without_none(v) if isinstance(v, Mapping) else v
        for k, v in registry.items()
        if v is not None
    }


def merge_registry(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``new`` laid over ``old`` key by key; None removes a mapping (``OS::Nova*`` all of them).

    The None stays in the result, so that laying the result over a third registry removes
    the mapping there too; ``to_dict`` leaves it out.
    """
    out = copy.deepcopy(dict(old))
    for key, value in new.items():
        if value is None and key.endswith("*"):
            for name in [n for n, v in out.items() if isinstance(v, str)]:
                if name.startswith(key[:-1]):
                    del out[name]
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge_registry(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass(frozen=True)
class ResourceRegistry:
    """The user's resource_registry: type aliases, wildcards, templates and per-resource entries.

    ``data`` is the section as sent, ``resources`` always present; treat it as read-only. A
    None in it marks a mapping the request removes (it matters when merged over another).
    """

    data: Mapping[str, Any] = field(default_factory=lambda: {RESOURCES: {}})

    def _specific(self, type_name: str, resource_name: str | None) -> str | None:
        """The per-resource mapping of a type (``resources: {web: {A::B: C::D}}``)."""
        if resource_name is None:
            return None
        entry = self.data.get(RESOURCES, {}).get(resource_name)
        target = entry.get(type_name) if isinstance(entry, Mapping) else None
        return target if isinstance(target, str) else None

    def _general(self, type_name: str) -> list[str]:
        """Targets of the exact alias and the matching wildcards, in upstream's order (by key)."""
        matches: list[tuple[str, str]] = []
        for key, target in self.data.items():
            if not isinstance(target, str):
                continue
            if key == type_name:
                matches.append((key, target))
            elif key.endswith("*") and not is_provider_template(target):
                prefix = key[:-1]
                if type_name != target and type_name.startswith(prefix):
                    if target.endswith("*"):
                        target = target[:-1] + type_name[len(prefix) :]
                    matches.append((key, target))
        return [target for _key, target in sorted(matches)]

    def resolve_type(
        self,
        type_name: str,
        resource_name: str | None = None,
        is_known: Callable[[str], bool] | None = None,
    ) -> str:
        """The type a resource gets: an alias, wildcard or per-resource mapping, followed.

        A per-resource mapping wins over an alias or wildcard, as upstream. A provider
        template resolves to its file name or URL, which ``is_provider_template`` tells.
        ``is_known`` says whether the engine has a plugin for a type: as upstream, a mapping
        that leads to no plugin is passed over for the next one. Without it every type counts
        as known. When nothing resolves, ``type_name`` comes back unchanged, so that the
        caller's "could not be found" names the type the template wrote.
        """
        known = is_known or (lambda _name: True)
        found = self._resolve(type_name, resource_name, known, frozenset())
        return type_name if found is None else found

    def _resolve(
        self,
        type_name: str,
        resource_name: str | None,
        is_known: Callable[[str], bool],
        seen: frozenset[str],
    ) -> str | None:
        if type_name in seen or len(seen) >= MAX_MAPPING_HOPS:
            return None
        specific = self._specific(type_name, resource_name)
        targets = [specific] if specific is not None else []
        if not is_provider_template(type_name):
            targets += self._general(type_name)
        for target in targets:
            if is_provider_template(target):
                return target
            found = self._resolve(target, resource_name, is_known, seen | {type_name})
            if found is not None:
                return found
        if is_provider_template(type_name) or is_known(type_name):
            return type_name
        return None

    def _matching_entries(self, resource_name: str, key: str) -> Iterable[Any]:
        for pattern, entry in self.data.get(RESOURCES, {}).items():
            matches = isinstance(entry, Mapping) and key in entry
            if matches and fnmatch.fnmatchcase(resource_name, pattern):
                value = entry[key]
                yield from [value] if isinstance(value, str) else value

    def hooks_for(self, resource_name: str) -> set[str]:
        """The hooks set on a resource, by name or by a ``*`` pattern such as ``web_*``."""
        return set(self._matching_entries(resource_name, "hooks"))

    def restricted_actions_for(self, resource_name: str) -> set[str]:
        """The actions (update, replace) the environment forbids for a resource."""
        return set(self._matching_entries(resource_name, "restricted_actions"))


def _parse_file(name: str, files: Mapping[str, Any]) -> dict[str, Any]:
    if name not in files:
        raise exception.Invalid(
            reason=f'Environment file "{name}" is not among the files sent with the request.'
        )
    text = files[name]
    if isinstance(text, Mapping):
        data: Any = dict(text)
    elif not isinstance(text, str):
        raise _invalid("The environment is not a valid YAML mapping data type.", name)
    else:
        try:
            data = template_format.load_yaml_or_json(text) if text else {}
        except yaml.YAMLError as ex:
            raise _invalid(str(ex), name) from ex
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _invalid("The environment is not a valid YAML mapping data type.", name)
    return data


@dataclass(frozen=True)
class Environment:
    """A stack's environment. Build it with ``from_request`` or ``from_stored``."""

    parameters: Mapping[str, Any] = field(default_factory=dict)
    parameter_defaults: Mapping[str, Any] = field(default_factory=dict)
    registry: ResourceRegistry = field(default_factory=ResourceRegistry)
    event_sinks: tuple[Mapping[str, Any], ...] = ()

    @classmethod
    def from_request(
        cls,
        env: Mapping[str, Any] | None,
        environment_files: list[str] | None = None,
        files: Mapping[str, Any] | None = None,
        schemas: Mapping[str, params.ParameterSchema] | None = None,
    ) -> Environment:
        """The environment a create, update or validate request describes.

        ``environment_files`` name entries of ``files``; each is merged in order over
        ``env`` (as upstream, the caller passes only the request's ``parameters`` as ``env``
        when there are files). Parameter values merge by the files'
        ``parameter_merge_strategies``, which need the parameters' ``schemas`` to know types;
        without them a value's own type stands in. Raises Invalid for a malformed
        environment, StackValidationFailed for a bad registry or conflicting strategies.
        """
        base = dict(env or {})
        _validate(base, None)
        layers = [(name, _parse_file(name, files or {})) for name in environment_files or []]
        for name, layer in layers:
            _validate(layer, name)
        merger = _ParameterMerger(schemas)
        merged = {
            PARAMETERS: dict(base.get(PARAMETERS, {})),
            PARAMETER_DEFAULTS: dict(base.get(PARAMETER_DEFAULTS, {})),
        }
        registry = dict(base.get(RESOURCE_REGISTRY, {}))
        sinks = list(base.get(EVENT_SINKS, []))
        for name, layer in layers:
            strategies = layer.get(PARAMETER_MERGE_STRATEGIES, {})
            for section in (PARAMETERS, PARAMETER_DEFAULTS):
                if layer.get(section):
                    merged[section] = merger.merge(
                        merged[section], layer[section], strategies, name
                    )
            registry = merge_registry(registry, layer.get(RESOURCE_REGISTRY, {}))
            sinks.extend(layer.get(EVENT_SINKS, []))
        return cls._build(merged[PARAMETERS], merged[PARAMETER_DEFAULTS], registry, sinks)

    @classmethod
    def from_stored(cls, env: Mapping[str, Any] | None) -> Environment:
        """An environment as ``to_dict`` stored it (older rows may lack sections)."""
        env = dict(env or {})
        return cls._build(
            env.get(PARAMETERS) or {},
            env.get(PARAMETER_DEFAULTS) or {},
            _without_none(env.get(RESOURCE_REGISTRY) or {}),
            env.get(EVENT_SINKS) or [],
        )

    @classmethod
    def _build(
        cls,
        parameters: Mapping[str, Any],
        defaults: Mapping[str, Any],
        registry: Mapping[str, Any],
        sinks: Iterable[Mapping[str, Any]],
    ) -> Environment:
        data = copy.deepcopy(dict(registry))
        data = {RESOURCES: data.pop(RESOURCES, None) or {}, **data}
        return cls(
            parameters=MappingProxyType(copy.deepcopy(dict(parameters))),
            parameter_defaults=MappingProxyType(copy.deepcopy(dict(defaults))),
            registry=ResourceRegistry(MappingProxyType(data)),
            event_sinks=tuple(copy.deepcopy(list(sinks))),
        )

    def to_dict(self) -> dict[str, Any]:
        """The environment as stored and as ``GET .../environment`` shows it (upstream's shape).

        ``parameter_merge_strategies`` never appears: upstream applies it while merging the
        environment files and keeps nothing of it. ``encrypted_param_names`` is always empty:
        parameters are not stored encrypted.
        """
        return {
            RESOURCE_REGISTRY: _without_none(self.registry.data),
            PARAMETERS: copy.deepcopy(dict(self.parameters)),
            PARAMETER_DEFAULTS: copy.deepcopy(dict(self.parameter_defaults)),
            EVENT_SINKS: copy.deepcopy(list(self.event_sinks)),
            ENCRYPTED_PARAM_NAMES: [],
        }

    def display(self, schemas: Mapping[str, params.ParameterSchema]) -> dict[str, Any]:
        """``to_dict`` with the values of hidden parameters masked, for GET .../environment."""
        shown = self.to_dict()
        for section in (PARAMETERS, PARAMETER_DEFAULTS):
            for name in shown[section]:
                if name in schemas and schemas[name].hidden:
                    shown[section][name] = params.HIDDEN_VALUE
        return shown

    def user_parameters(self, schemas: Mapping[str, params.ParameterSchema]) -> dict[str, Any]:
        """The values a user gave: ``parameters`` over ``parameter_defaults``, as upstream.

        Defaults for parameters the template lacks are ignored (they may be meant for a
        nested stack); unknown ``parameters`` are kept, so that they are refused. A None
        value counts as not given.
        """
        values = {
            k: v for k, v in self.parameter_defaults.items() if k in schemas and v is not None
        }
        values.update({k: v for k, v in self.parameters.items() if v is not None})
        return copy.deepcopy(values)

    def hooks_for(self, resource_name: str) -> set[str]:
        return self.registry.hooks_for(resource_name)

    def with_parameters_of(self, schemas: Mapping[str, Any]) -> Environment:
        """This environment less the ``parameters`` the template does not declare (PATCH)."""
        kept = {k: v for k, v in self.parameters.items() if k in schemas}
        return Environment._build(
            kept, self.parameter_defaults, self.registry.data, self.event_sinks
        )


def _validate(env: Mapping[str, Any], source: str | None) -> None:
    _check_sections(env, source)
    _check_registry(env.get(RESOURCE_REGISTRY, {}))
    _check_event_sinks(env.get(EVENT_SINKS, []), source)
    if env.get(ENCRYPTED_PARAM_NAMES):
        raise _invalid(
            "encrypted_param_names is kept by the engine and cannot be given; "
            "parameters are not stored encrypted",
            source,
        )


def merge(old: Environment, new: Environment, clear_parameters: Iterable[str] = ()) -> Environment:
    """PATCH: ``new`` laid over the stored ``old``, as upstream's update with existing=True.

    Parameters and parameter defaults are updated name by name (``clear_parameters`` first
    drops stored parameters, so they fall back to their defaults); registry entries are
    laid over key by key, a None removing one; new event sinks are added to the old ones.
    Follow with ``with_parameters_of`` the new template's schemas, as upstream does.
    """
    cleared = set(clear_parameters)
    parameters = {k: v for k, v in old.parameters.items() if k not in cleared}
    parameters.update(new.parameters)
    sinks = list(old.event_sinks)
    sinks.extend(s for s in new.event_sinks if s not in sinks)
    return Environment._build(
        parameters,
        {**old.parameter_defaults, **new.parameter_defaults},
        merge_registry(old.registry.data, new.registry.data),
        sinks,
    )


class _ParameterMerger:
    """Merges parameter sections of environment files by their merge strategies.

    A parameter's strategy is fixed by the first file that names it (its own entry, else
    that file's ``default``, else overwrite); a later file asking for another one is a
    conflict. Upstream reports that as a 500; here it is a StackValidationFailed (400).
    """

    def __init__(self, schemas: Mapping[str, params.ParameterSchema] | None) -> None:
        self._schemas = schemas
        self._strategies: dict[str, str] = {}

    def merge(
        self,
        old: dict[str, Any],
        new: Mapping[str, Any],
        strategies: Mapping[str, Any],
        source: str,
    ) -> dict[str, Any]:
        relevant = {k: v for k, v in new.items() if v is not None and self._declares(k)}
        for key in relevant:
            chosen = self._strategy(key, strategies)
            if self._strategies.setdefault(key, chosen) != chosen:
                raise exception.StackValidationFailed(
                    f"Conflicting merge strategy '{chosen}' for parameter '{key}' in file "
                    f"'{source}'."
                )
        if not old:
            return dict(new)
        # As upstream, once a section has values, names the template lacks are ignored.
        merged = dict(old)
        for key, value in relevant.items():
            strategy = self._strategies[key]
            if strategy == OVERWRITE or key not in merged:
                merged[key] = value
            else:
                merged[key] = self._combine(key, merged[key], value, strategy == DEEP_MERGE)
        return merged

    def _declares(self, key: str) -> bool:
        return self._schemas is None or key in self._schemas

    def _strategy(self, key: str, strategies: Mapping[str, Any]) -> str:
        default = strategies.get("default", OVERWRITE)
        chosen = strategies.get(key, self._strategies.get(key, default))
        if chosen in MERGE_STRATEGIES:
            return chosen
        return default if default in MERGE_STRATEGIES else OVERWRITE

    def _type_of(self, key: str, value: Any) -> str:
        if self._schemas is not None:
            return self._schemas[key].type
        if isinstance(value, bool):
            return params.BOOLEAN
        if isinstance(value, int | float):
            return params.NUMBER
        if isinstance(value, dict):
            return params.JSON
        return params.LIST if isinstance(value, list) else params.STRING

    def _combine(self, key: str, old: Any, new: Any, deep: bool) -> Any:
        kind = self._type_of(key, new)
        try:
            if kind == params.JSON:
                return _merge_json(_as_json(old), _as_json(new), deep)
            if kind == params.LIST:
                return _merge_lists(old, new)
            if kind == params.NUMBER:
                return params.to_number(old) + params.to_number(new)
            if kind == params.STRING:
                return f"{old}{new}"
        except ValueError as ex:
            raise exception.StackValidationFailed(f"Parameter '{key}' is invalid: {ex}") from ex
        raise exception.StackValidationFailed(
            f"Invalid merge strategy '{MERGE}' for parameter '{key}'."
        )


def _as_json(value: Any) -> Any:
    return params.ParameterSchema("", params.JSON).convert(value)


def _merge_lists(old: Any, new: Any) -> Any:
    if isinstance(old, str) and isinstance(new, str):
        return ",".join(v for v in (old, new) if v)
    return _as_list(old) + _as_list(new)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return list(value)
    return str(value).split(",") if value else []


def _merge_json(old: Any, new: Any, deep: bool) -> Any:
    """Maps merge key by key (``deep``: nested maps, lists and strings too); others replace."""
    if isinstance(old, list) and isinstance(new, list):
        return old + new
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    merged = dict(old)
    for key, value in new.items():
        if value is None:
            continue
        previous = merged.get(key)
        if not deep or previous is None:
            merged[key] = value
        elif isinstance(value, dict) and isinstance(previous, dict):
            merged[key] = _merge_json(previous, value, deep)
        elif isinstance(value, list):
            merged[key] = _as_list(previous) + value
        elif isinstance(value, str) and isinstance(previous, str):
            merged[key] = previous + value
        else:
            merged[key] = value
    return merged
