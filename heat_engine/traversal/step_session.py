"""One database connection for the whole of a resource step.

A step runs a few short transactions (read its rows, commit its result, read what is
ready next). Checking a pooled connection out for each would cost a ping and a reset
round trip every time; within a step they share one session, and each transaction
still ends before the next begins. Loaded rows are detached when a transaction ends,
so they read the same whatever the session does next.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from sqlalchemy.orm import Session, sessionmaker


class StepSessions:
    """Drop-in for a sessionmaker: ``begin()`` and ``()`` as context managers.

    Inside ``step()`` they reuse the running thread's session; elsewhere each makes and
    closes its own, as a plain sessionmaker does. ``release()`` gives the connection
    back early, before a step waits for a slow plugin.
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
        session = getattr(self._local, "session", None)
        if session is not None:
            self._local.session = None
            session.close()

    def _shared(self) -> Session | None:
        if not getattr(self._local, "active", False):
            return None
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self._factory()
        return session

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        session = self._shared()
        if session is None:
            with self._factory.begin() as own:
                yield own
            return
        try:
            with session.begin():
                yield session
        finally:
            session.expunge_all()

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Session]:
        session = self._shared()
        if session is None:
            with self._factory() as own:
                yield own
            return
        try:
            yield session
        finally:
            session.expunge_all()
            session.rollback()
