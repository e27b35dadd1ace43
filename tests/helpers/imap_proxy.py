"""A plaintext IMAP proxy on loopback in front of a real Dovecot that behaves as some large
providers do: ``SEARCH HEADER References`` finds nothing there (Gmail's and Outlook's IMAP, and
Yahoo's header search, per the services' known issues). Every other command goes through as it
is; the proxy rewrites the criterion to a header no message has, so the search still answers.

    with ImapProxy(dovecot.port) as proxy:  # connect to 127.0.0.1:proxy.port, Security.PLAIN
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading

from tests.helpers.dovecot import free_port

_REFERENCES = re.compile(rb"HEADER\s+References\b", re.IGNORECASE)
_NOWHERE = b"HEADER X-Not-Searchable-Here"


class ImapProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = upstream_port
        self.port = free_port()
        #: SEARCH commands whose References criterion found nothing (tests check it was tried).
        self.references_refused = 0
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._closed = False

    def __enter__(self) -> ImapProxy:
        self._spawn(self._accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        for thread in self._threads:
            thread.join(5)

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream), 10)
            self._sockets += [client, server]
            self._spawn(self._commands, client, server)
            self._spawn(self._answers, server, client)

    def _commands(self, source: socket.socket, sink: socket.socket) -> None:
        """Client to server, line by line (criteria never sit inside a literal here)."""
        pending = b""
        try:
            while chunk := source.recv(65536):
                pending += chunk
                *lines, pending = pending.split(b"\r\n")
                out = []
                for line in lines:
                    if b"SEARCH" in line.upper() and _REFERENCES.search(line):
                        line = _REFERENCES.sub(_NOWHERE, line)
                        self.references_refused += 1
                    out.append(line + b"\r\n")
                sink.sendall(b"".join(out))
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    def _answers(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
