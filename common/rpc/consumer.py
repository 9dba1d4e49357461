"""A reconnecting queue consumer that runs handlers in a bounded pool and acks after them."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kombu import Connection, Consumer, Queue
from kombu.message import Message

from common.rpc import wire

LOG = logging.getLogger(__name__)

# A message wakes a waiting consumer at once, whatever these say. They bound how long a
# finished handler waits for its ack (acks stay on the consumer's thread) while some are
# unsettled, and otherwise only how often an idle consumer wakes (for stop() and heartbeats).
DRAIN_TIMEOUT = 0.01
IDLE_DRAIN_TIMEOUT = 0.1
RECONNECT_DELAY = 1.0
RETRY_DELAY = 1.0

# A handler returns False (or raises) to have its message delivered again later.
Handler = Callable[[Any, Message], bool | None]


class QueueConsumer:
    """Takes messages from queues; each handler runs in the pool, and the message
    is acknowledged only after its handler returned, so work held by a process
    that dies is delivered again to another. At most ``concurrency`` messages are
    unacknowledged at once (the broker's prefetch), so work is bounded.
    All channel operations (consume, ack) stay on the consumer's own thread.
    """

    def __init__(
        self,
        connection_factory: Callable[[], Connection],
        queues: Sequence[Queue],
        handler: Handler,
        concurrency: int,
        name: str,
        auto_ack: bool = False,
    ) -> None:
        """``auto_ack`` consumers run the handler inline and never redeliver (RPC replies)."""
        self._connection_factory = connection_factory
        self._queues = list(queues)
        self._handler = handler
        self._concurrency = concurrency
        self._name = name
        self._auto_ack = auto_ack
        self._pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix=name)
        self._done: queue.SimpleQueue[tuple[int, Message, bool]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._generation = 0
        self._unsettled = 0  # messages of this generation handed to the pool, not yet settled
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{name}-consumer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, work: Callable[[], None]) -> None:
        """Run ``work`` in the handlers' pool, beside the messages (no broker involved)."""
        self._pool.submit(work)

    def _run(self) -> None:
        while not self._stop.is_set():
            conn = self._connection_factory()
            try:
                conn.ensure_connection(max_retries=1)
                self._generation += 1
                self._consume(conn)
            except Exception as ex:  # a broker outage must never end the consumer
                self.ready.clear()
                LOG.warning("%s: broker connection lost (%s); reconnecting", self._name, ex)
                self._stop.wait(RECONNECT_DELAY)
            finally:
                with contextlib.suppress(Exception):  # the connection is already gone
                    conn.release()

    def _consume(self, conn: Connection) -> None:
        channel = conn.channel()
        consumer = Consumer(
            channel,
            self._queues,
            callbacks=[self._on_message],
            accept=[wire.SERIALIZER],
            prefetch_count=None if self._auto_ack else self._concurrency,
            no_ack=self._auto_ack,
        )
        generation = self._generation
        self._unsettled = 0
        with consumer:
            self.ready.set()
            while not self._stop.is_set():
                try:
                    conn.drain_events(
                        timeout=DRAIN_TIMEOUT if self._unsettled else IDLE_DRAIN_TIMEOUT
                    )
                except TimeoutError:
                    conn.heartbeat_check()
                self._ack_finished(generation)

    def _on_message(self, body: Any, message: Message) -> None:
        if self._auto_ack:
            self._handler(body, message)
            return
        generation = self._generation
        self._unsettled += 1

        def work() -> None:
            try:
                done = self._handler(body, message) is not False
            except Exception:
                LOG.exception("%s: handler failed; the message will be delivered again", self._name)
                done = False
            if not done:  # e.g. the database is restarting, or the work must wait: don't spin
                self._stop.wait(RETRY_DELAY)
            self._done.put((generation, message, done))

        self._pool.submit(work)

    def _ack_finished(self, generation: int) -> None:
        while True:
            try:
                gen, message, ok = self._done.get_nowait()
            except queue.Empty:
                return
            if gen != generation:
                continue  # its channel is gone; the broker will deliver it again
            self._unsettled -= 1
            try:
                if ok:
                    message.ack()
                else:
                    message.requeue()
            except Exception as ex:
                LOG.warning("%s: could not settle a message: %s", self._name, ex)
