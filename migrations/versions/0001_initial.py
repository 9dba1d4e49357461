"""Create every table of Heat's schema.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25

The column types are spelled out here rather than imported from the models, so
this revision keeps creating the same schema whatever the models become.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# JSON documents and long text: LONGTEXT on MySQL (TEXT stops at 64 KiB), TEXT elsewhere.
LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")
# Microsecond timestamps on MySQL too, so events and heartbeats order correctly.
TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")
# Independent of the server's and the database's defaults.
MYSQL_OPTIONS = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

# Children before parents: dropped in this order, created in the reverse one.
TABLES = (
    "resource_snapshot",
    "snapshot",
    "software_deployment",
    "software_config",
    "service",
    "sync_point",
    "event",
    "resource_data",
    "resource",
    "resource_properties_data",
    "stack_lock",
    "stack_tag",
    "stack",
    "user_creds",
    "raw_template",
    "raw_template_files",
)


def _int_id() -> sa.Column:
    return sa.Column("id", sa.Integer(), autoincrement=True, nullable=False)


def _uuid_id() -> sa.Column:
    return sa.Column("id", sa.String(36), nullable=False)


def _text(name: str, length: int = 255, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _long_text(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, LONG_TEXT, nullable=nullable)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=True),
    ]


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.Constraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def _create(table: str, *items: sa.Column | sa.Constraint) -> None:
    op.create_table(table, *items, **MYSQL_OPTIONS)


def _create_templates_and_creds() -> None:
    _create(
        "raw_template_files",
        _int_id(),
        _long_text("files"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_raw_template_files"),
    )
    _create(
        "raw_template",
        _int_id(),
        _long_text("template"),
        _long_text("files"),
        sa.Column("files_id", sa.Integer(), nullable=True),
        _long_text("environment"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_raw_template"),
        _fk("raw_template", "files_id", "raw_template_files"),
    )
    _create(
        "user_creds",
        _int_id(),
        _text("username"),
        _text("password"),
        _text("region_name"),
        _text("decrypt_method"),
        _text("tenant"),
        _long_text("auth_url"),
        _text("tenant_id"),
        _text("trust_id"),
        _text("trustor_user_id"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_user_creds"),
    )


def _create_stacks() -> None:
    _create(
        "stack",
        _uuid_id(),
        _text("name", nullable=False),
        sa.Column("raw_template_id", sa.Integer(), nullable=False),
        sa.Column("prev_raw_template_id", sa.Integer(), nullable=True),
        _text("username"),
        _text("tenant", 256, nullable=False),
        sa.Column("user_creds_id", sa.Integer(), nullable=True),
        _text("owner_id", 36),
        _text("parent_resource_name"),
        sa.Column("timeout", sa.Integer(), nullable=True),
        sa.Column("disable_rollback", sa.Boolean(), nullable=False),
        _text("stack_user_project_id", 64),
        sa.Column("backup", sa.Boolean(), nullable=False),
        sa.Column("nested_depth", sa.Integer(), nullable=False),
        sa.Column("convergence", sa.Boolean(), nullable=False),
        _text("current_traversal", 36),
        _long_text("current_deps"),
        *_timestamps(),
        sa.Column("deleted_at", TIMESTAMP, nullable=True),
        _text("action", nullable=False),
        _text("status", nullable=False),
        _long_text("status_reason"),
        sa.PrimaryKeyConstraint("id", name="pk_stack"),
        _fk("stack", "raw_template_id", "raw_template"),
        _fk("stack", "prev_raw_template_id", "raw_template"),
        _fk("stack", "user_creds_id", "user_creds"),
    )
    op.create_index("ix_stack_name", "stack", ["name"])
    op.create_index("ix_stack_tenant", "stack", ["tenant", "deleted_at"])
    op.create_index("ix_stack_owner_id", "stack", ["owner_id"])

    _create(
        "stack_tag",
        _int_id(),
        _text("tag", 80, nullable=False),
        _text("stack_id", 36, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_stack_tag"),
        _fk("stack_tag", "stack_id", "stack", ondelete="CASCADE"),
    )
    op.create_index("ix_stack_tag_stack_id", "stack_tag", ["stack_id"])

    _create(
        "stack_lock",
        _text("stack_id", 36, nullable=False),
        _text("engine_id", 36, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("stack_id", name="pk_stack_lock"),
        _fk("stack_lock", "stack_id", "stack", ondelete="CASCADE"),
    )


def _create_resources() -> None:
    _create(
        "resource_properties_data",
        _int_id(),
        _long_text("data"),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_resource_properties_data"),
    )
    _create(
        "resource",
        _int_id(),
        _text("uuid", 36, nullable=False),
        _text("name", nullable=False),
        _text("nova_instance"),
        _long_text("rsrc_metadata"),
        _text("stack_id", 36, nullable=False),
        _text("root_stack_id", 36),
        sa.Column("rsrc_prop_data_id", sa.Integer(), nullable=True),
        sa.Column("attr_data_id", sa.Integer(), nullable=True),
        _long_text("properties_data"),
        sa.Column("properties_data_encrypted", sa.Boolean(), nullable=False),
        _text("engine_id", 36),
        sa.Column("atomic_key", sa.Integer(), nullable=False),
        _long_text("needed_by", nullable=False),
        _long_text("requires", nullable=False),
        sa.Column("replaces", sa.Integer(), nullable=True),
        sa.Column("replaced_by", sa.Integer(), nullable=True),
        sa.Column("current_template_id", sa.Integer(), nullable=True),
        *_timestamps(),
        _text("action", nullable=False),
        _text("status", nullable=False),
        _long_text("status_reason"),
        sa.PrimaryKeyConstraint("id", name="pk_resource"),
        sa.UniqueConstraint("uuid", name="uq_resource_uuid"),
        _fk("resource", "stack_id", "stack", ondelete="CASCADE"),
        _fk("resource", "rsrc_prop_data_id", "resource_properties_data"),
        _fk("resource", "attr_data_id", "resource_properties_data"),
        _fk("resource", "current_template_id", "raw_template"),
    )
    op.create_index("ix_resource_stack_name", "resource", ["stack_id", "name"])
    op.create_index("ix_resource_root_stack_id", "resource", ["root_stack_id"])

    _create(
        "resource_data",
        _int_id(),
        _text("key", nullable=False),
        _long_text("value"),
        sa.Column("redact", sa.Boolean(), nullable=False),
        _text("decrypt_method"),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_resource_data"),
        _fk("resource_data", "resource_id", "resource", ondelete="CASCADE"),
    )
    op.create_index("ix_resource_data_resource_key", "resource_data", ["resource_id", "key"])


def _create_traversal_state() -> None:
    _create(
        "event",
        _int_id(),
        _text("stack_id", 36, nullable=False),
        _text("uuid", 36, nullable=False),
        _text("resource_action"),
        _text("resource_status"),
        _text("resource_name"),
        _text("physical_resource_id"),
        _long_text("resource_status_reason"),
        _text("resource_type"),
        sa.Column("rsrc_prop_data_id", sa.Integer(), nullable=True),
        _long_text("resource_properties"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_event"),
        sa.UniqueConstraint("uuid", name="uq_event_uuid"),
        _fk("event", "stack_id", "stack", ondelete="CASCADE"),
        _fk("event", "rsrc_prop_data_id", "resource_properties_data"),
    )
    op.create_index("ix_event_stack_id", "event", ["stack_id", "id"])

    _create(
        "sync_point",
        _text("entity_id", 36, nullable=False),
        _text("traversal_id", 36, nullable=False),
        sa.Column("is_update", sa.Boolean(), nullable=False),
        sa.Column("atomic_key", sa.Integer(), nullable=False),
        _text("stack_id", 36, nullable=False),
        _long_text("input_data"),
        _long_text("extra_data"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("entity_id", "traversal_id", "is_update", name="pk_sync_point"),
        _fk("sync_point", "stack_id", "stack", ondelete="CASCADE"),
    )
    op.create_index("ix_sync_point_stack_id", "sync_point", ["stack_id"])

    _create(
        "service",
        _uuid_id(),
        _text("engine_id", 36, nullable=False),
        _text("host", nullable=False),
        _text("hostname", nullable=False),
        _text("binary", nullable=False),
        _text("topic", nullable=False),
        sa.Column("report_interval", sa.Integer(), nullable=False),
        *_timestamps(),
        sa.Column("deleted_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_service"),
    )


def _create_software_and_snapshots() -> None:
    _create(
        "software_config",
        _uuid_id(),
        _text("name"),
        _text("group"),
        _long_text("config"),
        _text("tenant", 64, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_software_config"),
    )
    op.create_index("ix_software_config_tenant", "software_config", ["tenant"])

    _create(
        "software_deployment",
        _uuid_id(),
        _text("config_id", 36, nullable=False),
        _text("server_id", 36, nullable=False),
        _long_text("input_values"),
        _long_text("output_values"),
        _text("tenant", 64, nullable=False),
        _text("stack_user_project_id", 64),
        *_timestamps(),
        _text("action"),
        _text("status"),
        _long_text("status_reason"),
        sa.PrimaryKeyConstraint("id", name="pk_software_deployment"),
        _fk("software_deployment", "config_id", "software_config"),
    )
    op.create_index("ix_software_deployment_server_id", "software_deployment", ["server_id"])
    op.create_index("ix_software_deployment_tenant", "software_deployment", ["tenant"])

    _create(
        "snapshot",
        _uuid_id(),
        _text("stack_id", 36, nullable=False),
        _text("name"),
        _long_text("data"),
        _text("tenant", 64, nullable=False),
        _text("action"),
        _text("status"),
        _long_text("status_reason"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_snapshot"),
        _fk("snapshot", "stack_id", "stack", ondelete="CASCADE"),
    )
    op.create_index("ix_snapshot_stack_id", "snapshot", ["stack_id"])

    _create(
        "resource_snapshot",
        _uuid_id(),
        _text("resource_name"),
        _text("snapshot_id", 36, nullable=False),
        _long_text("data"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_resource_snapshot"),
        _fk("resource_snapshot", "snapshot_id", "snapshot", ondelete="CASCADE"),
    )
    op.create_index("ix_resource_snapshot_snapshot_id", "resource_snapshot", ["snapshot_id"])


def upgrade() -> None:
    _create_templates_and_creds()
    _create_stacks()
    _create_resources()
    _create_traversal_state()
    _create_software_and_snapshots()


def downgrade() -> None:
    # Dropping a table drops its indexes and constraints with it.
    for table in TABLES:
        op.drop_table(table)
