"""Hostile input benchmark: what oversized and malformed requests cost the server.

    .venv/bin/python bench/hostile.py     # no service needed (SQLite, local storage)

One uvicorn process serving config.asgi (as bin/run does). For each case a raw socket client
keeps sending until the server answers or hangs up; the figures come from the server process
itself: the bytes it read from the network (`rchar` in /proc/<pid>/io) and its resident memory
(VmRSS) before and after, and the time from the first byte sent to the answer. Prints figures;
asserts nothing. Targets: bytes read ≤ the limit + 64 KB, memory growth < 20 MB.
"""

import select
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import asgi, embedded_env

WORK = Path(tempfile.mkdtemp(prefix="invigil-hostile-"))
MB = 1024 * 1024
CHUNK = 64 * 1024


def env() -> dict[str, str]:
    return embedded_env(WORK, LOG_LEVEL="ERROR", RATE_LIMIT_ENABLED="true")


def proc_stat(pid: int) -> tuple[int, int]:
    """(bytes read so far, resident memory in bytes) of a process."""
    rchar = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/io").read_text().splitlines()
        if line.startswith("rchar:")
    )
    rss = next(
        int(line.split()[1]) * 1024
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmRSS:")
    )
    return rchar, rss


def attack(url: str, head: bytes, chunk: bytes, budget: int) -> tuple[int, bytes, float]:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    start = time.perf_counter()
    sock.sendall(head)
    sent, answer = 0, b""
    try:
        while sent < budget:
            if select.select([sock], [], [], 0)[0]:
                answer = sock.recv(4096)
                break
            sock.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    if not answer:
        try:
            answer = sock.recv(4096)
        except (ConnectionResetError, TimeoutError):
            answer = b""
    elapsed = time.perf_counter() - start
    sock.close()
    return sent, answer, elapsed


def cases() -> list[tuple[str, bytes, bytes, int, int]]:
    piece = b"x" * CHUNK
    chunked = b"%x\r\n" % len(piece) + piece + b"\r\n"
    deep = b"[" * 100_000
    # An unterminated string of escaped quotes behind 40 brackets (issue 26): the old regex
    # scan restarted at every quote, quadratic, and froze the process for minutes.
    slow_scan = b"[" * 40 + b'"' + b'\\"' * 150_000
    return [
        (
            "3 GB declared, POST /api/health/",
            b"POST /api/health/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3000000000\r\n"
            b"Content-Type: application/json\r\n\r\n",
            piece,
            3_000_000_000,
            1 * MB,
        ),
        (
            "1 GB chunked, POST /api/health/",
            b"POST /api/health/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/json\r\n\r\n",
            chunked,
            1024 * MB,
            1 * MB,
        ),
        (
            "1 GB chunked, upload path",
            b"POST /api/applications/1/monitoring-images/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n",
            chunked,
            1024 * MB,
            8 * MB,
        ),
        (
            "12 MB declared, upload path",
            b"POST /api/applications/1/monitoring-images/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: 12582912\r\nContent-Type: application/json\r\n\r\n",
            piece,
            12 * MB,
            8 * MB,
        ),
        (
            "[ × 100,000 as JSON (100 KB)",
            b"POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n\r\n" + deep,
            b"",
            0,
            1 * MB,
        ),
        (
            "slow-scan JSON (300 KB)",
            b"POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n\r\n"
            % len(slow_scan)
            + slow_scan,
            b"",
            0,
            1 * MB,
        ),
    ]


def health_during(url: str, head: bytes) -> tuple[float, float]:
    """(ms to answer `head`, ms to answer a health check sent 50 ms after it)."""
    import threading
    import urllib.request

    took: list[float] = []
    attacker = threading.Thread(target=lambda: took.append(attack(url, head, b"", 0)[2]))
    attacker.start()
    time.sleep(0.05)
    start = time.perf_counter()
    urllib.request.urlopen(url + "/api/health/", timeout=60).read()  # noqa: S310 - loopback
    health = time.perf_counter() - start
    attacker.join()
    return took[0] * 1000, health * 1000


def main() -> None:
    import subprocess

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=Path(__file__).resolve().parents[1],
        env=env(),
        check=True,
    )
    print("One uvicorn process; figures read from the server process itself.")
    print(
        f"{'case':<36} {'answer':<8} {'client sent':>12} {'server read':>12} "
        f"{'limit':>8} {'over limit':>11} {'RSS growth':>11} {'time':>8}"
    )
    with asgi(env(), "hostile") as (url, proc):
        time.sleep(0.5)
        for name, head, chunk, budget, limit in cases():
            read0, rss0 = proc_stat(proc.pid)
            sent, answer, elapsed = attack(url, head, chunk, budget)
            time.sleep(0.2)
            read1, rss1 = proc_stat(proc.pid)
            status = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/") else "closed"
            taken = read1 - read0
            over = max(0, taken - limit)
            print(
                f"{name:<36} {status:<8} {sent / MB:>9.1f} MB {taken / MB:>9.2f} MB "
                f"{limit / MB:>5.0f} MB {over / 1024:>8.0f} KB {(rss1 - rss0) / MB:>8.1f} MB "
                f"{elapsed * 1000:>6.0f} ms"
            )
        slow_scan = cases()[-1]
        refused, health = health_during(url, slow_scan[1])
        print(
            f"\n{slow_scan[0]}: refused in {refused:.1f} ms; a health check sent meanwhile "
            f"answered in {health:.1f} ms"
        )


if __name__ == "__main__":
    main()
