"""One database connection, and as few transactions as possible, for a resource step.

A step reads its rows, commits its result, then reads what is ready next. Checking a
pooled connection out for each part would cost a ping and a reset round trip every
time, and ending the read on its own another. Within a step they share one session
bound to one connection: the read's transaction goes on into the write that commits
the result (under READ COMMITTED, as the engine's MySQL connections run), and the
reads after it start a new one. Loaded rows are detached as soon as a part ends, so
they read the same whatever the session does next.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker


class StepSessions:
    """Drop-in for a sessionmaker: ``begin()`` and ``()`` as context managers.

    Inside ``step()`` they reuse the running thread's session; elsewhere each makes and
    closes its own, as a plain sessionmaker does. ``release()`` gives the connection
    back early (ending any transaction), before a step waits for a slow plugin.
    """

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._local = threading.local()

    @contextlib.contextmanager
    def step(self) -> Iterator[None]:
        self._local.active = True
        try:
            yield
        finally:
            self._local.active = False
            self.release()

    def release(self) -> None:
        session: Session | None = getattr(self._local, "session", None)
        connection: Connection | None = getattr(self._local, "connection", None)
        self._local.session = self._local.connection = None
        try:
            if session is not None:
                session.close()
        finally:
            if connection is not None:
                connection.close()

    def _shared(self) -> Session | None:
        if not getattr(self._local, "active", False):
            return None
        session = getattr(self._local, "session", None)
        if session is None:
            engine = self._factory.kw["bind"]
            connection = self._local.connection = engine.connect()
            # from the factory, so listeners installed on it (user_creds) hear this one
            session = self._local.session = self._factory(bind=connection)
        return session

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        """A transaction that commits at the end (joining a read begun in this step)."""
        session = self._shared()
        if session is None:
            with self._factory.begin() as own:
                yield own
            return
        try:
            yield session
            session.commit()
        except BaseException:
            self.release()  # rolls back; the next part starts on a fresh connection
            raise
        finally:
            if self._local.session is not None:
                session.expunge_all()

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Session]:
        """A read; its transaction stays open for the step's next part."""
        session = self._shared()
        if session is None:
            with self._factory() as own:
                yield own
            return
        try:
            yield session
        except BaseException:
            self.release()
            raise
        finally:
            if self._local.session is not None:
                session.expunge_all()
