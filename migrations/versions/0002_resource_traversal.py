"""Record on each resource the traversal whose step last moved it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

A node of a traversal is done when its resource is COMPLETE with that traversal's id,
so readiness is read from resource rows instead of a locked list of arrivals.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resource") as batch:
        batch.add_column(sa.Column("traversal_id", sa.String(36), nullable=True))
        batch.create_index(
            "ix_resource_stack_progress", ["stack_id", "traversal_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("resource") as batch:
        batch.drop_index("ix_resource_stack_progress")
        batch.drop_column("traversal_id")
