"""Declarative base, naming convention and the column types every table shares."""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any

from sqlalchemy import DateTime, Integer, MetaData, String, Text, TypeDecorator
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime.datetime:
    """Naive UTC now: the database stores UTC without a zone, as upstream does."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class LongText(TypeDecorator[str]):
    """Text that holds up to 4 GiB on MySQL (LONGTEXT), plain TEXT elsewhere."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "mysql":
            return dialect.type_descriptor(mysql.LONGTEXT())
        return dialect.type_descriptor(Text())


class JsonText(TypeDecorator[Any]):
    """A JSON document stored as text, so MySQL and SQLite behave alike."""

    impl = LongText
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value, separators=(",", ":"))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(value)


Timestamp = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql")

uuid_pk = Annotated[str, mapped_column(String(36), primary_key=True)]
int_pk = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
created_at = Annotated[datetime.datetime, mapped_column(Timestamp, default=utcnow)]
updated_at = Annotated[
    datetime.datetime | None, mapped_column(Timestamp, nullable=True, onupdate=utcnow)
]
json_doc = Annotated[Any, mapped_column(JsonText, nullable=True)]
name255 = Annotated[str | None, mapped_column(String(255), nullable=True)]
uuid_ref = Annotated[str | None, mapped_column(String(36), nullable=True)]
long_text = Annotated[str | None, mapped_column(LongText, nullable=True)]


class Base(DeclarativeBase):
    """Base of every model; one MetaData so alembic sees every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
