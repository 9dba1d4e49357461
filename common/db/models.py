"""Heat's tables, with upstream's table and column names."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from common.db.base import (
    Base,
    JsonText,
    Timestamp,
    created_at,
    int_pk,
    json_doc,
    long_text,
    name255,
    updated_at,
    utcnow,
    uuid_ref,
)


def new_uuid() -> str:
    return str(uuid.uuid4())


class RawTemplateFiles(Base):
    """The files map a template was sent with (get_file targets, provider templates)."""

    __tablename__ = "raw_template_files"
    id: Mapped[int_pk]
    files: Mapped[json_doc]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class RawTemplate(Base):
    """A template with its environment, as the user sent them."""

    __tablename__ = "raw_template"
    id: Mapped[int_pk]
    template: Mapped[json_doc]
    files: Mapped[json_doc]
    files_id: Mapped[int | None] = mapped_column(ForeignKey("raw_template_files.id"), nullable=True)
    environment: Mapped[json_doc]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class UserCreds(Base):
    """Deferred-auth credentials of a stack's owner (trust id or encrypted password)."""

    __tablename__ = "user_creds"
    id: Mapped[int_pk]
    username: Mapped[name255]
    password: Mapped[name255]
    region_name: Mapped[name255]
    decrypt_method: Mapped[name255]
    tenant: Mapped[name255]
    auth_url: Mapped[long_text]
    tenant_id: Mapped[name255]
    trust_id: Mapped[name255]
    trustor_user_id: Mapped[name255]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class Stack(Base):
    """A stack; ``current_traversal`` names the operation that owns it now."""

    __tablename__ = "stack"
    __table_args__ = (
        Index("ix_stack_name", "name"),
        Index("ix_stack_tenant", "tenant", "deleted_at"),
        Index("ix_stack_owner_id", "owner_id"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(255))
    raw_template_id: Mapped[int] = mapped_column(ForeignKey("raw_template.id"))
    prev_raw_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("raw_template.id"), nullable=True
    )
    username: Mapped[name255]
    tenant: Mapped[str] = mapped_column(String(256))
    user_creds_id: Mapped[int | None] = mapped_column(ForeignKey("user_creds.id"), nullable=True)
    owner_id: Mapped[uuid_ref]
    parent_resource_name: Mapped[name255]
    timeout: Mapped[int | None] = mapped_column(Integer, nullable=True)
    disable_rollback: Mapped[bool] = mapped_column(Boolean, default=True)
    stack_user_project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    backup: Mapped[bool] = mapped_column(Boolean, default=False)
    nested_depth: Mapped[int] = mapped_column(Integer, default=0)
    convergence: Mapped[bool] = mapped_column(Boolean, default=True)
    current_traversal: Mapped[uuid_ref]
    current_deps: Mapped[json_doc]
    created_at: Mapped[created_at]
    # set by stack updates only, not by every status change: null until the first update
    updated_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)
    action: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(255))
    status_reason: Mapped[long_text]


class StackTag(Base):
    """One tag of a stack."""

    __tablename__ = "stack_tag"
    id: Mapped[int_pk]
    tag: Mapped[str] = mapped_column(String(80))
    stack_id: Mapped[str] = mapped_column(ForeignKey("stack.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class StackLock(Base):
    """Which engine holds a legacy (whole-stack) lock."""

    __tablename__ = "stack_lock"
    stack_id: Mapped[str] = mapped_column(
        ForeignKey("stack.id", ondelete="CASCADE"), primary_key=True
    )
    engine_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class ResourcePropertiesData(Base):
    """A resource's resolved properties, shared by the resource and its events."""

    __tablename__ = "resource_properties_data"
    id: Mapped[int_pk]
    data: Mapped[json_doc]
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class Resource(Base):
    """One resource of a stack; ``atomic_key`` guards concurrent transitions."""

    __tablename__ = "resource"
    __table_args__ = (
        Index("ix_resource_stack_name", "stack_id", "name"),
        Index("ix_resource_stack_progress", "stack_id", "traversal_id", "status"),
    )
    id: Mapped[int_pk]
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    name: Mapped[str] = mapped_column(String(255))
    nova_instance: Mapped[name255]
    rsrc_metadata: Mapped[json_doc]
    stack_id: Mapped[str] = mapped_column(ForeignKey("stack.id", ondelete="CASCADE"))
    root_stack_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    rsrc_prop_data_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_properties_data.id"), nullable=True
    )
    attr_data_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_properties_data.id"), nullable=True
    )
    properties_data: Mapped[json_doc]
    properties_data_encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    engine_id: Mapped[uuid_ref]
    atomic_key: Mapped[int] = mapped_column(Integer, default=0)
    needed_by: Mapped[Any] = mapped_column(JsonText, default=list)
    requires: Mapped[Any] = mapped_column(JsonText, default=list)
    replaces: Mapped[int | None] = mapped_column(Integer, nullable=True)
    replaced_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    current_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("raw_template.id"), nullable=True
    )
    # the traversal whose step last moved the resource: COMPLETE with the stack's
    # current traversal means done in that traversal
    traversal_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    action: Mapped[str] = mapped_column(String(255), default="INIT")
    status: Mapped[str] = mapped_column(String(255), default="COMPLETE")
    status_reason: Mapped[long_text]


class ResourceData(Base):
    """Private key/value data a resource plugin keeps (e.g. a generated secret)."""

    __tablename__ = "resource_data"
    __table_args__ = (Index("ix_resource_data_resource_key", "resource_id", "key"),)
    id: Mapped[int_pk]
    key: Mapped[str] = mapped_column(String(255))
    value: Mapped[long_text]
    redact: Mapped[bool] = mapped_column(Boolean, default=False)
    decrypt_method: Mapped[name255]
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id", ondelete="CASCADE"))
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class Event(Base):
    """One state transition of a stack or a resource, as users list them."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_stack_id", "stack_id", "id"),)
    id: Mapped[int_pk]
    stack_id: Mapped[str] = mapped_column(ForeignKey("stack.id", ondelete="CASCADE"))
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    resource_action: Mapped[name255]
    resource_status: Mapped[name255]
    resource_name: Mapped[name255]
    physical_resource_id: Mapped[name255]
    resource_status_reason: Mapped[long_text]
    resource_type: Mapped[name255]
    rsrc_prop_data_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_properties_data.id"), nullable=True
    )
    resource_properties: Mapped[json_doc]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class SyncPoint(Base):
    """Progress of one graph node in one traversal: which of its inputs arrived."""

    __tablename__ = "sync_point"
    entity_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    traversal_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    is_update: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    atomic_key: Mapped[int] = mapped_column(Integer, default=0)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stack.id", ondelete="CASCADE"), index=True)
    input_data: Mapped[json_doc]
    extra_data: Mapped[json_doc]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class Service(Base):
    """A running heat-engine and its last heartbeat."""

    __tablename__ = "service"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    engine_id: Mapped[str] = mapped_column(String(36))
    host: Mapped[str] = mapped_column(String(255))
    hostname: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(255))
    report_interval: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[created_at]
    updated_at: Mapped[datetime.datetime | None] = mapped_column(
        Timestamp, nullable=True, default=utcnow
    )
    deleted_at: Mapped[datetime.datetime | None] = mapped_column(Timestamp, nullable=True)


class SoftwareConfig(Base):
    """A software configuration that deployments apply to servers."""

    __tablename__ = "software_config"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    name: Mapped[name255]
    group: Mapped[name255]
    config: Mapped[json_doc]
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class SoftwareDeployment(Base):
    """A software config applied to a server, with its inputs, outputs and status."""

    __tablename__ = "software_deployment"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    config_id: Mapped[str] = mapped_column(ForeignKey("software_config.id"))
    server_id: Mapped[str] = mapped_column(String(36), index=True)
    input_values: Mapped[json_doc]
    output_values: Mapped[json_doc]
    tenant: Mapped[str] = mapped_column(String(64), index=True)
    stack_user_project_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
    action: Mapped[name255]
    status: Mapped[name255]
    status_reason: Mapped[long_text]


class Snapshot(Base):
    """A stack snapshot: data enough to restore its resources."""

    __tablename__ = "snapshot"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    stack_id: Mapped[str] = mapped_column(ForeignKey("stack.id", ondelete="CASCADE"), index=True)
    name: Mapped[name255]
    data: Mapped[json_doc]
    tenant: Mapped[str] = mapped_column(String(64))
    action: Mapped[name255]
    status: Mapped[name255]
    status_reason: Mapped[long_text]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]


class ResourceSnapshot(Base):
    """One resource's part of a snapshot."""

    __tablename__ = "resource_snapshot"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    resource_name: Mapped[name255]
    snapshot_id: Mapped[str] = mapped_column(
        ForeignKey("snapshot.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[json_doc]
    created_at: Mapped[created_at]
    updated_at: Mapped[updated_at]
