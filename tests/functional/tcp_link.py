"""A cuttable TCP link to a local service, to stage an outage of a shared server.

The heat processes are configured to reach MariaDB or RabbitMQ through the link's
port. ``cut()`` drops every connection through it and turns new ones away at once
(reset, as a host whose server is down does), without touching the real server
that other people's tests are using; ``refuse()`` only turns new ones away, while
the server itself drops the open ones; ``restore()`` lets connections through again.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator

BUFFER_SIZE = 65536
# SO_LINGER on with a zero timeout: close() sends a reset instead of a FIN.
RESET_ON_CLOSE = struct.pack("ii", 1, 0)


def _close(sock: socket.socket, reset: bool = False) -> None:
    """Shut ``sock`` down (waking a thread blocked on it), then close it."""
    with contextlib.suppress(OSError):
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


class TcpLink:
    """Forwards connections on ``127.0.0.1:<port>`` to ``host:target_port``."""

    def __init__(self, target_port: int, host: str = "127.0.0.1") -> None:
        self.host = host
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._links: set[socket.socket] = set()
        self._up = True
        self._closed = False
        self.accepted = 0
        self.refused = 0
        threading.Thread(target=self._accept, name=f"link-{self.port}", daemon=True).start()

    @property
    def is_up(self) -> bool:
        return self._up

    @property
    def open_connections(self) -> int:
        """Client connections currently forwarded (two sockets each)."""
        with self._lock:
            return len(self._links) // 2

    def refuse(self) -> None:
        """Reset new connections until ``restore``; those already open go on."""
        self._up = False

    def cut(self) -> None:
        """Drop every connection through the link and reset new ones until ``restore``."""
        with self._lock:
            self._up = False
            links, self._links = self._links, set()
        for sock in links:
            _close(sock, reset=True)

    def restore(self) -> None:
        """Let new connections through again."""
        self._up = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        _close(self._listener)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up:
                self.refused += 1
                _close(client, reset=True)
                continue
            try:
                upstream = socket.create_connection((self.host, self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client, reset=True)
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if not self._up:  # cut while connecting
                    _close(client, reset=True)
                    _close(upstream, reset=True)
                    continue
                self._links.update((client, upstream))
            self.accepted += 1
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        """Copy one direction; when either side ends, end both."""
        with contextlib.suppress(OSError):
            while data := src.recv(BUFFER_SIZE):
                dst.sendall(data)
        with self._lock:
            self._links.discard(src)
            self._links.discard(dst)
        _close(dst)
        _close(src)


@contextlib.contextmanager
def tcp_link(target_port: int, host: str = "127.0.0.1") -> Iterator[TcpLink]:
    """A link that is closed, with every connection through it, afterwards."""
    link = TcpLink(target_port, host)
    try:
        yield link
    finally:
        link.close()
