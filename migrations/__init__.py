"""Alembic migrations of Heat's database schema (see ``common.db.migration``)."""
