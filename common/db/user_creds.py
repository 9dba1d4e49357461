"""Deferred-auth credentials of a stack's owner: a trust id or a password, encrypted.

Rows are written as upstream writes them (``heat/db/api.py`` user_creds_create): the
secret (trust id or password) goes through ``common.crypto`` with ``decrypt_method`` set,
the rest stays in clear. ``load`` returns a decrypted copy; the row itself is never
decrypted in place, so nothing clear can be flushed back.

When a root stack's rows are marked deleted (``stacks.mark_deleted``) its credentials
are *released*: their ids are collected on the session and handed, after the commit, to
the handler the engine installed with ``on_release`` (which deletes the trust in Keystone
and then the row). A rollback forgets them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from common import crypto, exception
from common.db.models import Stack, UserCreds

LOG = logging.getLogger(__name__)

RELEASED = "heat_released_user_creds"
MAX_STORED = 255  # the column's size; upstream refuses longer encrypted passwords too


@dataclasses.dataclass(frozen=True)
class Credentials:
    """A stack owner's deferred-auth credentials, decrypted."""

    id: int
    tenant_id: str | None
    tenant: str | None
    auth_url: str | None
    region_name: str | None
    trust_id: str | None = None
    trustor_user_id: str | None = None
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)


def store_trust(
    session: Session,
    key: str,
    trust_id: str,
    trustor_user_id: str,
    tenant_id: str,
    tenant: str | None,
    auth_url: str | None,
    region_name: str | None,
) -> int:
    """Store a trust's id (encrypted) for a stack; the new row's id."""
    method, secret = crypto.encrypt(trust_id, key)
    row = UserCreds(
        trust_id=secret,
        decrypt_method=method,
        trustor_user_id=trustor_user_id,
        tenant_id=tenant_id,
        tenant=tenant,
        auth_url=auth_url,
        region_name=region_name,
    )
    session.add(row)
    session.flush()
    return row.id


def store_password(
    session: Session,
    key: str,
    username: str,
    password: str,
    tenant_id: str,
    tenant: str | None,
    auth_url: str | None,
    region_name: str | None,
) -> int:
    """Store a user's name and password (encrypted) for a stack; the new row's id."""
    method, secret = crypto.encrypt(password, key)
    if secret is not None and len(secret) > MAX_STORED:
        raise exception.Invalid(
            reason=f"Length of OS_PASSWORD after encryption exceeds Heat limit ({MAX_STORED} chars)"
        )
    row = UserCreds(
        username=username,
        password=secret,
        decrypt_method=method,
        tenant_id=tenant_id,
        tenant=tenant,
        auth_url=auth_url,
        region_name=region_name,
    )
    session.add(row)
    session.flush()
    return row.id


def load(session: Session, creds_id: int, key: str) -> Credentials | None:
    """The decrypted credentials of row ``creds_id``; None when there is no such row."""
    row = session.get(UserCreds, creds_id)
    if row is None:
        return None
    return Credentials(
        id=row.id,
        tenant_id=row.tenant_id,
        tenant=row.tenant,
        auth_url=row.auth_url,
        region_name=row.region_name,
        trust_id=crypto.decrypt(row.decrypt_method, row.trust_id, key),
        trustor_user_id=row.trustor_user_id,
        username=row.username,
        password=crypto.decrypt(row.decrypt_method, row.password, key),
    )


def of_stack(session: Session, stack_id: str) -> int | None:
    """The credentials a stack works with: its own, else its root stack's."""
    stack = session.get(Stack, stack_id)
    while stack is not None:
        if stack.user_creds_id is not None or stack.owner_id is None:
            return stack.user_creds_id
        stack = session.get(Stack, stack.owner_id)
    return None


def delete(session: Session, creds_id: int) -> None:
    """Remove row ``creds_id`` and unlink the stacks that point at it."""
    session.query(Stack).filter(Stack.user_creds_id == creds_id).update(
        {"user_creds_id": None}, synchronize_session=False
    )
    session.query(UserCreds).filter(UserCreds.id == creds_id).delete(synchronize_session=False)


def release_after_commit(session: Session, stack_id: str) -> None:
    """Hand the credentials of root stack ``stack_id`` to the release handler once the
    transaction that deletes the stack commits."""
    creds_id = session.scalar(
        select(Stack.user_creds_id).where(Stack.id == stack_id, Stack.owner_id.is_(None))
    )
    if creds_id is not None:
        session.info.setdefault(RELEASED, set()).add(creds_id)


def on_release(factory: sessionmaker[Session], handler: Callable[[set[int]], None]) -> None:
    """Call ``handler`` with the ids released by each committed transaction of ``factory``'s
    sessions; errors it raises are logged, never passed to the committing code."""

    def after_commit(session: Session) -> None:
        released = session.info.pop(RELEASED, None)
        if not released:
            return
        try:
            handler(released)
        except Exception:
            LOG.exception("Releasing deferred-auth credentials %s failed", sorted(released))

    def after_rollback(session: Session) -> None:
        session.info.pop(RELEASED, None)

    event.listen(factory, "after_commit", after_commit)
    event.listen(factory, "after_soft_rollback", lambda s, _t: after_rollback(s))
