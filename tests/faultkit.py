"""Faults caused for real, for the fault suite (tests/faults) and bench/faults.py: a TCP proxy
that can refuse or hang in front of any endpoint, and a Redis of one's own that can be
stopped and started again (never the shared one)."""

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FaultyProxy:
    """A TCP proxy in front of an upstream, whose mode can change at any time:
    "pass" relays bytes, "hang" accepts and then never answers, "refuse" stops listening
    (connections are refused by the kernel)."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self.mode = "pass"
        self.held: list[socket.socket] = []
        self.relayed: list[socket.socket] = []  # open relays: cut when the mode changes
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._listen()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _listen(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(128)
        self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def set(self, mode: str) -> None:
        for sock in self.relayed:  # kept-alive client connections must not slip through
            with contextlib.suppress(OSError):
                sock.close()
        self.relayed.clear()
        if mode == "refuse" and self._listener is not None:
            with contextlib.suppress(OSError):  # wakes the accept() blocked on it
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
            self._drop_held()
        elif mode != "refuse" and self._listener is None:
            self._listen()
        if mode == "pass":
            self._drop_held()
        self.mode = mode

    def _drop_held(self) -> None:
        for conn in self.held:
            conn.close()
        self.held.clear()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self.mode == "hang":
                self.held.append(client)  # read nothing, answer nothing
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            self.relayed += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.close()

    def close(self) -> None:
        self._stop.set()
        self.set("refuse")


class OwnRedis:
    """A redis-server of this test's own, on a free port: stop() and start() are real."""

    def __init__(self, tmp: Path):
        self.port = free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None
