"""EngineService: one method per engine RPC call; validates, persists, starts traversals."""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

from oslo_config import cfg
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from common import exception
from common.context import RequestContext
from common.db import events as event_db
from common.db import models, sync_points
from common.db import resources as resource_db
from common.db import services as service_db
from common.db import snapshots as snapshot_db
from common.db import stacks as stack_db
from common.db import user_creds as user_creds_db
from heat_engine import abandon, deferred_auth, formats, introspection, snapshots
from heat_engine.preview import PreviewRequest, StackPreview
from heat_engine.stack import (
    LoadedStack,
    environment_parameters,
    resolve_outputs,
    stored_template,
)
from heat_engine.stack_store import store_new_stack, store_new_version
from heat_engine.template.environment import HOOK_TYPES, Environment
from heat_engine.template.parameters import check_immutable
from heat_engine.traversal import parents, plan
from heat_engine.traversal.messages import (
    CHECK,
    CREATE,
    DELETE,
    RESUME,
    ROLLBACK,
    SUSPEND,
    UPDATE,
    Step,
    StepSender,
)
from heat_engine.update_plan import plan_resource
from heat_engine.validation import merge_environments, validate_stack

LOG = logging.getLogger(__name__)

STACK_NAME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_.-]{0,254}$")
Identity = dict[str, Any]


class EngineService:
    """The engine's RPC surface. Methods take the caller's context first."""

    def __init__(
        self, conf: cfg.ConfigOpts, factory: sessionmaker[Session], sender: StepSender
    ) -> None:
        self.conf = conf
        self._factory = factory
        self._sender = sender
        self._deferred = deferred_auth.DeferredAuth(conf, factory)
        self._signal_lock = threading.Lock()  # signals merge into metadata one at a time
        deferred_auth.install(self._deferred)

    def rpc_methods(self) -> dict[str, Callable[..., Any]]:
        """The explicit table of methods served over RPC."""
        names = (
            "identify_stack",
            "list_stacks",
            "count_stacks",
            "create_stack",
            "update_stack",
            "show_stack",
            "delete_stack",
            "list_stack_resources",
            "describe_stack_resource",
            "describe_stack_resources",
            "list_events",
            "list_outputs",
            "show_output",
            "get_template",
            "get_environment",
            "get_files",
            "list_services",
            "get_revision",
            "stack_suspend",
            "stack_resume",
            "stack_check",
            "stack_cancel_update",
            "resource_mark_unhealthy",
            "resource_signal",
            "preview_update_stack",
            "preview_stack",
            "validate_template",
            "list_template_versions",
            "list_template_functions",
            "list_resource_types",
            "resource_schema",
            "generate_template",
            "stack_snapshot",
            "show_snapshot",
            "delete_snapshot",
            "stack_list_snapshots",
            "stack_restore",
            "abandon_stack",
            "export_stack",
        )
        return {name: database_errors_as_unavailable(getattr(self, name)) for name in names}

    # Lookups -------------------------------------------------------------
    def _stack_row(
        self, session: Session, ctx: RequestContext, identity: Identity, show_deleted: bool = False
    ) -> models.Stack:
        name = identity.get("stack_name")
        stack = stack_db.get(session, identity.get("stack_id") or "", show_deleted=show_deleted)
        if (
            stack is None
            or stack.tenant != ctx.tenant_id
            or (name and name != stack.name and name != stack.id)
        ):
            raise exception.EntityNotFound(entity="Stack", name=name or identity.get("stack_id"))
        return stack

    def identify_stack(self, ctx: RequestContext, stack_name: str) -> Identity:
        with self._factory() as session:
            stack = stack_db.get_by_name(session, ctx.tenant_id, stack_name)
            if stack is None:
                by_id = stack_db.get(session, stack_name, show_deleted=True)
                if by_id is not None and by_id.tenant == ctx.tenant_id:
                    stack = by_id
            if stack is None:
                raise exception.EntityNotFound(entity="Stack", name=stack_name)
            return formats.stack_identity(stack)

    # Stacks ----------------------------------------------------------------
    def _tag_filter(
        self, tags: Any, tags_any: Any, not_tags: Any, not_tags_any: Any, show_hidden: bool
    ) -> stack_db.TagFilter:
        hidden = () if show_hidden else tuple(self.conf.hidden_stack_tags or ())
        return stack_db.TagFilter(
            tuple(_tags(tags)),
            tuple(_tags(tags_any)),
            tuple(_tags(not_tags)),
            tuple(_tags(not_tags_any)),
            hidden,
        )

    def list_stacks(
        self,
        ctx: RequestContext,
        limit: int | None = None,
        marker: str | None = None,
        sort_keys: list[str] | None = None,
        sort_dir: str | None = None,
        filters: dict[str, Any] | None = None,
        show_deleted: bool = False,
        show_nested: bool = False,
        show_hidden: bool = False,
        tags: Any = None,
        tags_any: Any = None,
        not_tags: Any = None,
        not_tags_any: Any = None,
        tenant_safe: bool = True,
    ) -> dict[str, Any]:
        """Stacks of the caller's project (of every project for ``tenant_safe=False``, an
        admin's global_tenant listing), filtered, sorted and paged; summaries as a table
        (``formats.format_stack_summaries``)."""
        tag_filter = self._tag_filter(tags, tags_any, not_tags, not_tags_any, show_hidden)
        tenant = ctx.tenant_id if tenant_safe else None
        with self._factory() as session:
            page = stack_db.list_summaries(
                session,
                tenant,
                limit,
                marker,
                sort_keys,
                sort_dir,
                filters,
                show_deleted,
                show_nested,
                tag_filter,
            )
        return formats.format_stack_summaries(page)

    def count_stacks(
        self,
        ctx: RequestContext,
        filters: dict[str, Any] | None = None,
        show_deleted: bool = False,
        show_nested: bool = False,
        show_hidden: bool = False,
        tags: Any = None,
        tags_any: Any = None,
        not_tags: Any = None,
        not_tags_any: Any = None,
        tenant_safe: bool = True,
    ) -> int:
        tag_filter = self._tag_filter(tags, tags_any, not_tags, not_tags_any, show_hidden)
        tenant = ctx.tenant_id if tenant_safe else None
        with self._factory() as session:
            return stack_db.count_stacks(
                session, tenant, filters, show_deleted, show_nested, tag_filter
            )

    def create_stack(
        self,
        ctx: RequestContext,
        stack_name: str,
        template: dict[str, Any],
        params: dict[str, Any],
        files: dict[str, Any] | None,
        args: dict[str, Any],
        environment_files: list[str] | None = None,
    ) -> Identity:
        if not STACK_NAME_RE.match(stack_name or ""):
            raise exception.StackValidationFailed(
                f'Invalid stack name {stack_name} must contain only alphanumeric or "_-." '
                "characters, must start with alpha and must be 255 characters or less."
            )
        adopt_data = None
        if args.get("adopt_stack_data"):
            adopt_data, params = abandon.adopt_request(
                self.conf.enable_stack_adopt, args["adopt_stack_data"], params
            )
        checked = validate_stack(
            self.conf,
            template,
            params,
            stack_name,
            ctx.tenant_id,
            files=files,
            environment_files=environment_files,
        )
        with self._factory() as session:
            self._check_new_stack(session, ctx, stack_name)
        grant = self._deferred_grant(ctx, stack_name, checked)
        try:
            with self._factory.begin() as session:
                self._check_new_stack(session, ctx, stack_name)
                stack = store_new_stack(
                    session,
                    checked,
                    template,
                    files,
                    stack_name,
                    ctx.tenant_id,
                    ctx.username or ctx.user_id,
                    timeout=_int_or_none(args.get("timeout_mins")),
                    disable_rollback=_bool(args.get("disable_rollback", True)),
                    tags=_tags(args.get("tags")),
                    user_creds_id=self._deferred.store(session, ctx, grant) if grant else None,
                    encrypt_key=self._parameters_key(),
                )
                steps = self._begin_create(session, stack, adopt_data)
                identity = formats.stack_identity(stack)
        except Exception:
            if grant is not None:  # the stack was not stored: nor is its trust kept
                self._deferred.abandon(ctx, grant)
            raise
        for step in steps:
            self._sender.send(step)
        return identity

    def _parameters_key(self) -> str | None:
        """The key hidden parameters are stored encrypted with, if they are."""
        if not self.conf.encrypt_parameters_and_properties:
            return None
        return str(self.conf.auth_encryption_key)

    def _deferred_grant(
        self, ctx: RequestContext, stack_name: str, checked: Any
    ) -> deferred_auth.Grant | None:
        """Deferred-auth credentials from the request, for a stack whose resources need
        them (a trust is created in Keystone); None for any other stack."""
        needing = deferred_auth.needing_resources(checked)
        return self._deferred.obtain(ctx, stack_name, needing) if needing else None

    def _begin_create(self, session: Session, stack: models.Stack, adopt_data: Any) -> list[Step]:
        """Start the stack's create (or adopt) traversal; its first steps."""
        action = CREATE
        if adopt_data is not None:  # resources are taken over, not created
            abandon.seed_adopted(session, stack, adopt_data)
            action = abandon.ADOPT
        return plan.begin(session, stack, action, act=CREATE)

    def _check_new_stack(self, session: Session, ctx: RequestContext, stack_name: str) -> None:
        """A new stack must fit the tenant's stack limit and take a free name."""
        limit = self.conf.max_stacks_per_tenant
        if limit >= 0 and stack_db.count_active(session, ctx.tenant_id) >= limit:
            raise exception.RequestLimitExceeded(
                message=f"You have reached the maximum stacks per tenant, {limit}. "
                "Please delete some stacks."
            )
        if stack_db.get_by_name(session, ctx.tenant_id, stack_name) is not None:
            raise exception.StackExists(stack_name=stack_name)

    def preview_stack(
        self,
        ctx: RequestContext,
        stack_name: str,
        template: dict[str, Any],
        params: dict[str, Any],
        files: dict[str, Any] | None,
        args: dict[str, Any],
        environment_files: list[str] | None = None,
    ) -> dict[str, Any]:
        """The stack as ``create_stack`` would make it, checked the same way; nothing is
        stored."""
        _check_stack_name(stack_name)
        with self._factory() as session:
            self._check_new_stack(session, ctx, stack_name)
        request = PreviewRequest(
            tenant=ctx.tenant_id,
            username=ctx.username or ctx.user_id,
            timeout_mins=_int_or_none(args.get("timeout_mins")),
            disable_rollback=_bool(args.get("disable_rollback", True)),
            tags=_tags(args.get("tags")),
        )
        return StackPreview(self.conf, request).preview(
            stack_name, template, params, files, environment_files
        )

    def update_stack(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        template: dict[str, Any] | None,
        params: dict[str, Any],
        files: dict[str, Any] | None,
        args: dict[str, Any],
        environment_files: list[str] | None = None,
    ) -> Identity:
        """Bring the stack to a new template (PUT) or new values on the current one (PATCH)."""
        checked, template, files = self._checked_update(
            ctx, stack_identity, template, params, files, args, environment_files
        )
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            has_credentials = user_creds_db.of_stack(session, stack.id) is not None
        grant = None if has_credentials else self._deferred_grant(ctx, stack.name, checked)
        try:
            with self._factory.begin() as session:
                stack = self._stack_row(session, ctx, stack_identity)
                _check_can_update(stack)
                if grant is not None:  # the new template adds resources that need a trust
                    stack.user_creds_id = self._deferred.store(session, ctx, grant)
                store_new_version(session, stack, checked, template, files, self._parameters_key())
                if "timeout_mins" in args:
                    stack.timeout = _int_or_none(args["timeout_mins"])
                if "disable_rollback" in args:
                    stack.disable_rollback = _bool(args["disable_rollback"])
                if "tags" in args or not args.get("existing"):  # PUT replaces, PATCH keeps
                    stack_db.set_tags(session, stack.id, _tags(args.get("tags")))
                steps = plan.begin(session, stack, UPDATE)
                identity = formats.stack_identity(stack)
        except Exception:
            if grant is not None:
                self._deferred.abandon(ctx, grant)
            raise
        for step in steps:
            self._sender.send(step)
        return identity

    def _checked_update(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        template: dict[str, Any] | None,
        params: dict[str, Any],
        files: dict[str, Any] | None,
        args: dict[str, Any],
        environment_files: list[str] | None = None,
    ) -> tuple[Any, dict[str, Any], dict[str, Any] | None]:
        """The validated new definition of an update; PATCH (``existing``) keeps the stored
        template and lays the request over the stored environment and files. Immutable
        parameters must keep their values."""
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            _check_can_update(stack)
            current = LoadedStack.load(session, stack, with_resources=False)
            old = stack_db.raw_template(session, stack.raw_template_id)
            old_template, old_env, old_files = old.template, old.environment or {}, old.files
        if args.get("existing"):
            template = template or old_template
            files = {**(old_files or {}), **(files or {})}
            params = merge_environments(old_env, params, environment_files, files)
            environment_files = None
        if template is None:
            raise exception.Invalid(reason="No template specified")
        checked = validate_stack(
            self.conf,
            template,
            params,
            stack.name,
            ctx.tenant_id,
            stack_id=stack.id,
            files=files,
            environment_files=environment_files,
        )
        new_parameters = checked.template.parameters(
            environment_parameters(checked.environment, checked.template),
            stack.name,
            stack.id,
            stack.tenant,
        )
        check_immutable(current.parameters, new_parameters)
        return checked, template, files

    def preview_update_stack(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        template: dict[str, Any] | None,
        params: dict[str, Any],
        files: dict[str, Any] | None,
        args: dict[str, Any],
        environment_files: list[str] | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """What an update would do to each resource, decided exactly as the update decides;
        nothing is changed."""
        checked, _, _ = self._checked_update(
            ctx, stack_identity, template, params, files, args, environment_files
        )
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            current = LoadedStack.load(session, stack)
            new = LoadedStack(
                stack,
                checked.template,
                checked.environment,
                checked.template.parameters(
                    checked.environment.get("parameters") or {}, stack.name, stack.id, stack.tenant
                ),
                current.resources,
                current.resource_data,
                {
                    stack.raw_template_id: (current.template, current.environment),
                    **current.templates,
                },
            )
            changes: dict[str, list[dict[str, Any]]] = {
                "unchanged": [],
                "updated": [],
                "replaced": [],
                "added": [],
                "deleted": [],
            }
            for name in checked.order:
                definition = new.definitions[name]
                row = current.resources.get(name)
                if row is None or row.action == "INIT":
                    changes["added"].append(
                        formats.format_planned_resource(
                            stack, name, definition.type, sorted(checked.required_by[name])
                        )
                    )
                    continue
                verdict = plan_resource(new, row).verdict
                changes[verdict].append(self._format_resource(current, row, False))
            for name, row in current.resources.items():
                if name not in checked.requires:
                    changes["deleted"].append(self._format_resource(current, row, False))
            return changes

    def show_stack(
        self, ctx: RequestContext, stack_identity: Identity | None, resolve_outputs: bool = True
    ) -> list[dict[str, Any]]:
        with self._factory() as session:
            if stack_identity is None:
                rows = stack_db.list_stacks(session, ctx.tenant_id)
            else:
                rows = [self._stack_row(session, ctx, stack_identity, show_deleted=True)]
            return [self._format_stack(session, row, resolve_outputs) for row in rows]

    def _format_stack(
        self, session: Session, row: models.Stack, with_outputs: bool
    ) -> dict[str, Any]:
        loaded = LoadedStack.load(session, row, with_resources=with_outputs)
        outputs = None
        if with_outputs and row.deleted_at is None:
            outputs = (
                resolve_outputs(loaded)
                if not _is_deleting(row)
                else [{**o, "output_value": None} for o in resolve_outputs(loaded)]
            )
        return formats.format_stack(
            row,
            description=loaded.template.description,
            parameters=loaded.parameters.display(),
            outputs=outputs,
            tags=stack_db.tags(session, row.id),
        )

    def delete_stack(
        self, ctx: RequestContext, stack_identity: Identity, cast: bool = False
    ) -> None:
        with self._factory.begin() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            snapshot_db.remove_all_of_stack(session, stack.id)  # snapshots go with the stack
            steps = plan.begin(session, stack, DELETE)
        for step in steps:
            self._sender.send(step)

    def _start_action(self, ctx: RequestContext, stack_identity: Identity, action: str) -> None:
        with self._factory.begin() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            if stack.status == "IN_PROGRESS":
                raise exception.ActionInProgress(stack_name=stack.name, action=stack.action)
            if action != CHECK and (stack.action, stack.status) == (action, "COMPLETE"):
                return  # already suspended (or resumed), as upstream treats it
            steps = plan.begin(session, stack, action)
        for step in steps:
            self._sender.send(step)

    def stack_suspend(self, ctx: RequestContext, stack_identity: Identity) -> None:
        self._start_action(ctx, stack_identity, SUSPEND)

    def stack_resume(self, ctx: RequestContext, stack_identity: Identity) -> None:
        self._start_action(ctx, stack_identity, RESUME)

    def stack_check(self, ctx: RequestContext, stack_identity: Identity) -> None:
        self._start_action(ctx, stack_identity, CHECK)

    def stack_cancel_update(
        self, ctx: RequestContext, stack_identity: Identity, cancel_with_rollback: bool = True
    ) -> None:
        """Stop an update (and roll it back), or without rollback also a create."""
        allowed = (UPDATE,) if cancel_with_rollback else (UPDATE, CREATE)
        with self._factory.begin() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            if stack.status != "IN_PROGRESS" or stack.action not in allowed:
                raise exception.NotSupported(
                    feature=f"Cancelling update when stack is {stack.action}_{stack.status}"
                )
            if cancel_with_rollback:
                steps = plan.begin_rollback(session, stack)
            else:
                plan.cancel(session, stack)
                steps = []
        for step in steps:
            self._sender.send(step)

    # Snapshots, abandon and export -----------------------------------------------
    def stack_snapshot(
        self, ctx: RequestContext, stack_identity: Identity, name: str | None
    ) -> dict[str, Any]:
        """Start a snapshot of the stack; returns it IN_PROGRESS, as upstream."""
        with self._factory.begin() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            snapshot, steps = snapshots.take(session, self.conf, ctx, stack, name)
        for step in steps:
            self._sender.send(step)
        return snapshot

    def show_snapshot(
        self, ctx: RequestContext, stack_identity: Identity, snapshot_id: str
    ) -> dict[str, Any]:
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            return snapshots.show(session, ctx, stack, snapshot_id)

    def delete_snapshot(
        self, ctx: RequestContext, stack_identity: Identity, snapshot_id: str
    ) -> None:
        with self._factory.begin() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            snapshots.delete(session, ctx, stack, snapshot_id)

    def stack_list_snapshots(
        self, ctx: RequestContext, stack_identity: Identity
    ) -> list[dict[str, Any]]:
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            return snapshots.list_of_stack(session, ctx, stack)

    def stack_restore(
        self, ctx: RequestContext, stack_identity: Identity, snapshot_id: str
    ) -> None:
        """Bring the stack back to a snapshot: an update to its template (action RESTORE)."""
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            checked, template, files = snapshots.checked_restore(
                session, self.conf, ctx, stack, snapshot_id
            )
        with self._factory.begin() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            _check_can_update(stack)
            store_new_version(session, stack, checked, template, files)
            steps = snapshots.begin_restore(session, stack, snapshot_id)
        for step in steps:
            self._sender.send(step)

    def abandon_stack(self, ctx: RequestContext, stack_identity: Identity) -> dict[str, Any]:
        """The stack's data; the stack is forgotten, its physical resources left as they are."""
        if not self.conf.enable_stack_abandon:
            raise exception.NotSupported(feature="Stack Abandon")
        with self._factory.begin() as session:
            stack = self._stack_row(session, ctx, stack_identity)
            data = abandon.stack_data(session, stack)
            abandon.abandon(session, stack)
        return data

    def export_stack(self, ctx: RequestContext, stack_identity: Identity) -> dict[str, Any]:
        """The data abandon would return, with the stack left in place."""
        if not self.conf.enable_stack_abandon:
            raise exception.NotSupported(feature="Stack Abandon")
        with self._factory() as session:
            return abandon.stack_data(session, self._stack_row(session, ctx, stack_identity))

    # Resources -------------------------------------------------------------
    def _loaded(
        self, session: Session, ctx: RequestContext, identity: Identity, show_deleted: bool = True
    ) -> LoadedStack:
        return LoadedStack.load(session, self._stack_row(session, ctx, identity, show_deleted))

    def _format_resource(
        self, loaded: LoadedStack, row: models.Resource, with_detail: bool
    ) -> dict[str, Any]:
        names = {r.id: r.name for r in loaded.resources.values()}
        definition = loaded.template.resources.get(row.name)
        detail = None
        if with_detail:
            attributes: dict[str, Any] = {}
            try:
                plugin = loaded.plugin(row.name)
                attributes = (
                    plugin.attributes()
                    if row.status == "COMPLETE"
                    else {a: None for a in plugin.attributes_schema}
                )
            except exception.HeatException:
                pass
            detail = {
                "description": definition.description if definition else "",
                "attributes": attributes,
                "metadata": row.rsrc_metadata or {},
            }
        return formats.format_resource(
            loaded.row,
            row,
            definition.type if definition else "OS::Heat::None",
            [names[i] for i in row.needed_by or [] if i in names],
            detail,
        )

    def list_stack_resources(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        nested_depth: int = 0,
        with_detail: bool = False,
        filters: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        with self._factory() as session:
            loaded = self._loaded(session, ctx, stack_identity)
            out = []
            for row in loaded.resources.values():
                data = self._format_resource(loaded, row, with_detail)
                if _matches(data, filters):
                    out.append(data)
            return out

    def describe_stack_resource(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        resource_name: str,
        with_attr: list[str] | None = None,
    ) -> dict[str, Any]:
        with self._factory() as session:
            loaded = self._loaded(session, ctx, stack_identity)
            row = loaded.resources.get(resource_name)
            if row is None:
                raise exception.ResourceNotFound(
                    resource_name=resource_name, stack_name=loaded.row.name
                )
            return self._format_resource(loaded, row, True)

    def _find_resource(self, loaded: LoadedStack, resource_name: str) -> models.Resource:
        """A resource by name, or by physical id, as upstream looks them up."""
        row = loaded.resources.get(resource_name) or next(
            (r for r in loaded.resources.values() if r.nova_instance == resource_name), None
        )
        if row is None:
            raise exception.ResourceNotFound(
                resource_name=resource_name, stack_name=loaded.row.name
            )
        return row

    def resource_mark_unhealthy(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        resource_name: str,
        mark_unhealthy: bool,
        resource_status_reason: str | None = None,
    ) -> None:
        """CHECK_FAILED (the next update replaces it), or back to CHECK_COMPLETE."""
        if not isinstance(mark_unhealthy, bool):
            raise exception.Invalid(reason="mark_unhealthy is not a boolean")
        reason = resource_status_reason or "state changed by resource_mark_unhealthy api"
        with self._factory.begin() as session:
            loaded = self._loaded(session, ctx, stack_identity, show_deleted=False)
            row = self._find_resource(loaded, resource_name)
            if row.status == "IN_PROGRESS":
                raise exception.ActionInProgress(
                    stack_name=loaded.row.name, action=loaded.row.action
                )
            if mark_unhealthy and row.action != DELETE:
                status = "FAILED"
            elif not mark_unhealthy and (row.action, row.status) == (CHECK, "FAILED"):
                status = "COMPLETE"
            else:
                return
            resource_db.set_state(session, row.id, CHECK, status, reason)
            event_db.add(
                session,
                loaded.row.id,
                row.name,
                CHECK,
                status,
                reason,
                row.nova_instance,
                loaded.type_of(row),
            )

    def resource_signal(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        resource_name: str,
        details: Any = None,
        sync_call: bool = False,
    ) -> Any:
        """Deliver a signal to a resource: ``unset_hook`` clears a breakpoint it waits at;
        anything else goes to a plugin that takes signals. A plugin that records signals
        (``merge_signal``: wait condition handles) has them committed to its metadata,
        then the parked steps of the resources that need it are woken; ``sync_call``
        answers with that metadata."""
        if isinstance(details, dict) and "unset_hook" in details:
            self._unset_hook(ctx, stack_identity, resource_name, details["unset_hook"])
            return None
        with self._signal_lock, self._factory.begin() as session:
            loaded = LoadedStack.load(session, self._signalled_stack(session, ctx, stack_identity))
            row = self._find_resource(loaded, resource_name)
            plugin = loaded.plugin(row.name)
            merge = getattr(plugin, "merge_signal", None)
            handle = getattr(plugin, "handle_signal", None)
            if merge is None and handle is None:
                raise exception.ResourceActionNotSupported(action="Signal")
            if row.action == "INIT":
                raise exception.ResourceNotAvailable(resource_name=resource_name)
            if row.action in (SUSPEND, DELETE):
                raise exception.NotSupported(feature=f"Signal resource during {row.action}")
            if merge is not None:
                metadata, woken = self._record_signal(session, loaded, row, merge, details)
        if merge is None:
            return handle(details)
        for step in woken:
            self._sender.send(step)
        return metadata if sync_call else None

    def _signalled_stack(
        self, session: Session, ctx: RequestContext, identity: Identity
    ) -> models.Stack:
        """The stack a signal is for: one of the caller's project, or one whose stack user
        project the caller's token is scoped to (what instances signal with)."""
        stack = stack_db.get(session, identity.get("stack_id") or "")
        name = identity.get("stack_name")
        if (
            stack is not None
            and ctx.tenant_id
            and ctx.tenant_id == stack.stack_user_project_id
            and (not name or name in (stack.name, stack.id))
        ):
            return stack
        return self._stack_row(session, ctx, identity)

    def _record_signal(
        self,
        session: Session,
        loaded: LoadedStack,
        row: models.Resource,
        merge: Callable[[dict[str, Any], Any], Any],
        details: Any,
    ) -> tuple[dict[str, Any], list[Step]]:
        """Merge a signal into the resource's metadata, locked against concurrent signals
        (a row lock across engines, ``_signal_lock`` within one, which SQLite needs); the
        metadata and the parked steps of resources needing this one."""
        current = session.scalar(
            select(models.Resource.rsrc_metadata)
            .where(models.Resource.id == row.id)
            .with_for_update()
        )
        merged = merge(dict(current or {}), details)
        if merged is None:
            return dict(current or {}), []
        session.execute(
            update(models.Resource)
            .where(models.Resource.id == row.id)
            .values(rsrc_metadata=merged.metadata)
        )
        event_db.add(
            session,
            loaded.row.id,
            row.name,
            "SIGNAL",
            row.status,
            f"Signal: {merged.reason}",
            row.nova_instance,
            loaded.type_of(row),
        )
        names = {r.id: r.name for r in loaded.resources.values()}
        woken = [
            step
            for rid in row.needed_by or []
            if rid in names
            for step in parents.wake_resource(session, loaded.row.id, names[rid])
        ]
        return merged.metadata, woken

    def _unset_hook(
        self, ctx: RequestContext, stack_identity: Identity, resource_name: str, hook: Any
    ) -> None:
        with self._factory.begin() as session:
            loaded = self._loaded(session, ctx, stack_identity, show_deleted=False)
            row = self._find_resource(loaded, resource_name)
            described = f'{loaded.type_of(row)} "{row.name}"'
            if hook not in HOOK_TYPES:
                raise exception.InvalidBreakPointHook(
                    message=f'Invalid hook type "{hook}" for {described}'
                )
            if hook not in loaded.hooks(row.name):
                raise exception.InvalidBreakPointHook(
                    message=f'The "{hook}" hook is not defined on {described}'
                )
            traversal = loaded.row.current_traversal or ""
            extra = sync_points.node_extra(session, loaded.row.id, row.id, traversal)
            if extra is None or hook in extra.get("hooks_cleared", []):
                return
            extra["hooks_cleared"] = [*extra.get("hooks_cleared", []), hook]
            sync_points.set_node_extra(session, loaded.row.id, row.id, traversal, extra)
            act = sync_points.traversal_act(session, loaded.row.id, traversal)
            event_db.add(
                session,
                loaded.row.id,
                row.name,
                row.action,
                row.status,
                f"Hook {hook} is cleared",
                row.nova_instance,
                loaded.type_of(row),
            )
        if act is not None:  # the step parked at the hook goes on
            self._sender.send(Step(loaded.row.id, row.id, traversal, act))

    def describe_stack_resources(
        self, ctx: RequestContext, stack_identity: Identity, resource_name: str | None = None
    ) -> list[dict[str, Any]]:
        with self._factory() as session:
            loaded = self._loaded(session, ctx, stack_identity)
            return [
                self._format_resource(loaded, r, True)
                for r in loaded.resources.values()
                if resource_name is None or r.name == resource_name
            ]

    # Events ----------------------------------------------------------------
    def list_events(
        self,
        ctx: RequestContext,
        stack_identity: Identity,
        filters: dict[str, Any] | None = None,
        limit: int | None = None,
        marker: str | None = None,
        sort_keys: list[str] | None = None,
        sort_dir: str | None = None,
        nested_depth: int | None = None,
    ) -> list[dict[str, Any]]:
        """Events of the stack, newest first unless sorted otherwise; with ``nested_depth``
        those of its nested stacks too."""
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity, show_deleted=True)
            detail = bool(filters and "uuid" in filters)
            name = (filters or {}).get("resource_name")
            if (
                not nested_depth
                and isinstance(name, str)
                and name != stack.name
                and not event_db.list_events(session, stack.id, {"resource_name": name}, 1)
                and resource_db.by_name(session, stack.id, name) is None
            ):
                raise exception.ResourceNotFound(resource_name=name, stack_name=stack.name)
            if not nested_depth:
                rows = event_db.list_events(
                    session, stack.id, filters, limit, marker, sort_keys, sort_dir
                )
                return [formats.format_event(stack, r, detail) for r in rows]
            return self._nested_events(
                session, stack, nested_depth, filters, limit, marker, sort_keys, sort_dir
            )

    def _nested_events(
        self,
        session: Session,
        stack: models.Stack,
        nested_depth: int,
        filters: dict[str, Any] | None,
        limit: int | None,
        marker: str | None,
        sort_keys: list[str] | None,
        sort_dir: str | None,
    ) -> list[dict[str, Any]]:
        """Events of the stack and its nested stacks ``nested_depth`` levels down, sorted
        and paged as one list; each names its own stack and, as ``root_stack_id``, the
        stack asked about."""
        ids = event_db.stack_ids_within(session, stack.id, nested_depth)
        stacks = {s.id: s for s in (stack_db.get(session, i, show_deleted=True) for i in ids) if s}
        rows = event_db.list_events(session, ids, filters, limit, marker, sort_keys, sort_dir)
        root = formats.stack_identity(stack)
        detail = bool(filters and "uuid" in filters)
        return [
            {**formats.format_event(stacks[r.stack_id], r, detail), "root_stack_id": root}
            for r in rows
        ]

    # Outputs and the stored template ----------------------------------------
    def list_outputs(self, ctx: RequestContext, stack_identity: Identity) -> list[dict[str, Any]]:
        with self._factory() as session:
            loaded = self._loaded(session, ctx, stack_identity, show_deleted=False)
            return [
                {"output_key": name, "description": o.description or "No description given"}
                for name, o in loaded.template.active_outputs(loaded.parameters).items()
            ]

    def show_output(
        self, ctx: RequestContext, stack_identity: Identity, output_key: str
    ) -> dict[str, Any]:
        with self._factory() as session:
            loaded = self._loaded(session, ctx, stack_identity, show_deleted=False)
            if output_key not in loaded.template.outputs:
                raise exception.NotFound(message=f"Specified output key {output_key} not found.")
            return next(o for o in resolve_outputs(loaded) if o["output_key"] == output_key)

    def get_template(self, ctx: RequestContext, stack_identity: Identity) -> dict[str, Any]:
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity, show_deleted=True)
            template = dict(stack_db.raw_template(session, stack.raw_template_id).template or {})
            if stack.deleted_at is not None:
                key = "resources" if "heat_template_version" in template else "Resources"
                template[key] = {}
            return template

    def get_environment(self, ctx: RequestContext, stack_identity: Identity) -> dict[str, Any]:
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity, show_deleted=True)
            template, environment_data = stored_template(session, stack.raw_template_id)
            stored = Environment.from_stored(environment_data)
            return stored.display(template.parameter_schemas)  # hidden values masked

    def get_files(self, ctx: RequestContext, stack_identity: Identity) -> dict[str, Any]:
        with self._factory() as session:
            stack = self._stack_row(session, ctx, stack_identity, show_deleted=True)
            return stack_db.raw_template(session, stack.raw_template_id).files or {}

    # Service -----------------------------------------------------------------
    def list_services(self, ctx: RequestContext) -> list[dict[str, Any]]:
        if not ctx.is_admin:
            raise exception.Forbidden(action="service:index")
        import datetime

        now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
        with self._factory() as session:
            return [
                formats.format_service(r, "up" if service_db.is_service_up(r, now) else "down")
                for r in service_db.list_services(session)
            ]

    def get_revision(self, ctx: RequestContext) -> str:
        return self.conf.revision.heat_revision

    # Templates and resource types (no stack involved) ----------------------------
    def validate_template(
        self,
        ctx: RequestContext,
        template: dict[str, Any] | None,
        params: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        environment_files: list[str] | None = None,
        files_container: str | None = None,
        show_nested: bool = False,
        ignorable_errors: list[str] | None = None,
    ) -> dict[str, Any]:
        """The template's parameter form, or ``{"Error": ...}`` as upstream answers.

        ``show_nested`` adds nothing: no type here makes a nested stack.
        """
        return introspection.validate_template(
            self.conf,
            ctx.tenant_id,
            template,
            params,
            files,
            environment_files,
            files_container,
            ignorable_errors,
        )

    def list_template_versions(self, ctx: RequestContext) -> list[dict[str, Any]]:
        return introspection.list_template_versions()

    def list_template_functions(
        self, ctx: RequestContext, template_version: str, with_condition: bool = False
    ) -> list[dict[str, str]]:
        return introspection.list_template_functions(template_version, with_condition)

    def list_resource_types(
        self,
        ctx: RequestContext,
        support_status: str | None = None,
        type_name: str | None = None,
        heat_version: str | None = None,
        with_description: bool = False,
    ) -> list[Any]:
        return introspection.list_resource_types(
            support_status, type_name, heat_version, with_description
        )

    def resource_schema(
        self, ctx: RequestContext, type_name: str, with_description: bool = False
    ) -> dict[str, Any]:
        return introspection.resource_schema(type_name, with_description)

    def generate_template(
        self, ctx: RequestContext, type_name: str, template_type: str = "cfn"
    ) -> dict[str, Any]:
        return introspection.generate_template(type_name, template_type)


def database_errors_as_unavailable(method: Callable[..., Any]) -> Callable[..., Any]:
    """A database that cannot be reached is a 503 for the caller, not an internal error."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as ex:
            LOG.warning("Database unavailable during %s: %s", method.__name__, ex.orig)
            raise exception.ServiceUnavailable(
                reason="The database is unavailable; try again shortly."
            ) from ex

    return wrapper


def _check_can_update(stack: models.Stack) -> None:
    """An update may supersede a create, update or rollback in progress (its traversal
    stops at its next step), but not a delete or another action."""
    if stack.status == "IN_PROGRESS" and stack.action not in (CREATE, UPDATE, ROLLBACK):
        raise exception.ActionInProgress(stack_name=stack.name, action=stack.action)


def _check_stack_name(stack_name: str) -> None:
    if not STACK_NAME_RE.match(stack_name or ""):
        raise exception.StackValidationFailed(
            f'Invalid stack name {stack_name} must contain only alphanumeric or "_-." '
            "characters, must start with alpha and must be 255 characters or less."
        )


def _is_deleting(row: models.Stack) -> bool:
    return row.action == DELETE


def _matches(data: dict[str, Any], filters: dict[str, Any] | None) -> bool:
    for key, wanted in (filters or {}).items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if key in data and data[key] not in values:
            return False
    return True


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exception.Invalid(reason=f"timeout_mins must be an integer, not {value!r}") from None


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "t", "true", "on", "y", "yes")


def _tags(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [t.strip() for t in str(value).split(",") if t.strip()]
