"""A running engine: RPC server, step worker and heartbeat, wired from heat.conf."""

from __future__ import annotations

import logging
import threading
import uuid

from oslo_config import cfg
from sqlalchemy.orm import Session, sessionmaker

from common.db import services as service_db
from common.rpc import transport
from common.rpc.publisher import Publisher
from common.rpc.server import RPCServer
from heat_engine.nested import NestedStacks
from heat_engine.service import EngineService
from heat_engine.traversal import takeover
from heat_engine.traversal.steps import StepRunner
from heat_engine.traversal.worker import StepQueue, StepWorker

LOG = logging.getLogger(__name__)

READY_TIMEOUT = 30
# A stack with no progress for this many periodic intervals is resumed by a sweep.
STALL_INTERVALS = 2


class EngineRuntime:
    """One heat-engine: serves RPC calls and resource steps until stopped."""

    def __init__(self, conf: cfg.ConfigOpts, factory: sessionmaker[Session]) -> None:
        self.conf = conf
        self.engine_id = str(uuid.uuid4())
        self._factory = factory

        def connection_factory():  # type: ignore[no-untyped-def]
            return transport.connect(conf)

        self._publisher = Publisher(connection_factory())
        sender = self._sender = StepQueue(self._publisher)
        self.service = EngineService(conf, factory, sender)
        concurrency = conf.executor_thread_pool_size
        self._rpc = RPCServer(
            connection_factory, self.service.rpc_methods(), concurrency, self.engine_id
        )
        nested = NestedStacks(conf, factory, sender)
        self._steps = StepWorker(
            connection_factory,
            StepRunner(factory, sender, self.engine_id, nested, conf.action_retry_limit),
            concurrency,
        )
        self._stop = threading.Event()
        self._heartbeat = threading.Thread(target=self._beat, name="heartbeat", daemon=True)
        self._service_id: str | None = None

    def start(self) -> None:
        with self._factory.begin() as session:
            self._service_id = service_db.register(session, self.conf, self.engine_id)
        self._rpc.start()
        self._steps.start()
        self._heartbeat.start()
        LOG.info("heat-engine %s started (host %s)", self.engine_id, self.conf.host)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> bool:
        return self._rpc.ready.wait(timeout) and self._steps.ready.wait(timeout)

    def _beat(self) -> None:
        """Report liveness, then sweep: time out overdue stacks, resume stalled ones."""
        interval = self.conf.periodic_interval
        while not self._stop.wait(interval):
            try:
                with self._factory.begin() as session:
                    if not service_db.heartbeat(session, self._service_id or ""):
                        self._service_id = service_db.register(session, self.conf, self.engine_id)
                takeover.sweep(
                    self._factory,
                    self._sender,
                    self.conf.stack_action_timeout,
                    stall_seconds=STALL_INTERVALS * interval,
                )
                self._steps.retake_orphans()
            except Exception as ex:  # the database may be restarting; try again next beat
                LOG.warning("Engine periodic tasks failed: %s", ex)

    def stop(self) -> None:
        self._stop.set()
        self._rpc.stop()
        self._steps.stop()
        self._publisher.close()
        try:
            with self._factory.begin() as session:
                service_db.deregister(session, self._service_id or "")
        except Exception as ex:
            LOG.warning("Could not deregister the engine: %s", ex)
        LOG.info("heat-engine %s stopped", self.engine_id)
