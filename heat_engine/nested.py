"""Child stacks of template resources, through the same validation, storage and
traversals as any stack; the parent's step only starts them and watches their state."""

from __future__ import annotations

import uuid
from typing import Any

from oslo_config import cfg
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from common import exception, template_format
from common.db import models
from common.db import stacks as stack_db
from heat_engine.stack import LoadedStack, resolve_outputs
from heat_engine.stack_store import store_new_stack, store_new_version
from heat_engine.traversal import plan
from heat_engine.traversal.messages import CREATE, DELETE, UPDATE, StepSender
from heat_engine.validation import validate_stack


class NestedStacks:
    """What a template resource may do with its child stack."""

    def __init__(
        self, conf: cfg.ConfigOpts, factory: sessionmaker[Session], sender: StepSender
    ) -> None:
        self._conf = conf
        self._factory = factory
        self._sender = sender

    def _parse(self, text: Any) -> dict[str, Any]:
        return template_format.parse_template(text, self._conf.max_template_size)

    def create(
        self,
        parent_id: str,
        resource_name: str,
        template: Any,
        parameters: dict[str, Any],
        files: dict[str, Any],
    ) -> str:
        """Start the child stack (or find the one an earlier attempt started); its id."""
        with self._factory() as session:
            parent = stack_db.get(session, parent_id)
            if parent is None:
                raise exception.EntityNotFound(entity="Stack", name=parent_id)
            existing = session.scalar(
                select(models.Stack.id).where(
                    models.Stack.owner_id == parent_id,
                    models.Stack.parent_resource_name == resource_name,
                    models.Stack.deleted_at.is_(None),
                )
            )
            if existing is not None:
                return existing
            depth = parent.nested_depth + 1
            if depth > self._conf.max_nested_stack_depth:
                raise exception.StackValidationFailed(
                    f"Recursion depth exceeds {self._conf.max_nested_stack_depth}."
                )
            tenant, username, timeout = parent.tenant, parent.username, parent.timeout
            name = f"{parent.name}-{resource_name}-{uuid.uuid4().hex[:12]}"
        data = self._parse(template)
        checked = validate_stack(
            self._conf, data, {"parameters": parameters}, name, tenant, files=files, nested=True
        )
        with self._factory.begin() as session:
            parent = stack_db.get(session, parent_id)
            assert parent is not None
            stack = store_new_stack(
                session,
                checked,
                data,
                files,
                name,
                tenant,
                username,
                timeout=timeout,
                owner=parent,
                parent_resource_name=resource_name,
            )
            steps = plan.begin(session, stack, CREATE)
            stack_id = stack.id
        for step in steps:
            self._sender.send(step)
        return stack_id

    def state(self, stack_id: str) -> tuple[str, str, str] | None:
        """(action, status, reason) of the child, or None once it is deleted."""
        with self._factory() as session:
            stack = stack_db.get(session, stack_id)
            if stack is None:
                return None
            return stack.action, stack.status, stack.status_reason or ""

    def outputs(self, stack_id: str) -> dict[str, Any]:
        with self._factory() as session:
            stack = stack_db.get(session, stack_id)
            if stack is None:
                return {}
            loaded = LoadedStack.load(session, stack)
            return {o["output_key"]: o.get("output_value") for o in resolve_outputs(loaded)}

    def update(
        self, stack_id: str, template: Any, parameters: dict[str, Any], files: dict[str, Any]
    ) -> None:
        """Bring the child to new properties (its parameters) or a new template."""
        with self._factory() as session:
            stack = stack_db.get(session, stack_id)
            if stack is None:
                raise exception.EntityNotFound(entity="Stack", name=stack_id)
            name, tenant = stack.name, stack.tenant
        data = self._parse(template)
        checked = validate_stack(
            self._conf,
            data,
            {"parameters": parameters},
            name,
            tenant,
            stack_id=stack_id,
            files=files,
            nested=True,
        )
        with self._factory.begin() as session:
            stack = stack_db.get(session, stack_id)
            assert stack is not None
            store_new_version(session, stack, checked, data, files)
            steps = plan.begin(session, stack, UPDATE)
        for step in steps:
            self._sender.send(step)

    def delete(self, stack_id: str) -> None:
        """Start deleting the child, unless it is gone or already being deleted."""
        with self._factory.begin() as session:
            stack = stack_db.get(session, stack_id)
            if stack is None or (stack.action, stack.status) == (DELETE, "IN_PROGRESS"):
                return
            steps = plan.begin(session, stack, DELETE)
        for step in steps:
            self._sender.send(step)
