"""How Invigil is served, defined once: uvicorn serving config.asgi, HTTP and WebSockets.

`bin/run`, the test harness (tests/processes.py) and the benchmarks (bench/_harness.py) all
start the server as `python -m config.server --host H --port P [--workers N]
[--no-access-log]`, which reads what the command line needs from the settings of its own
environment and becomes uvicorn:

- WebSocket frames above 4 × WEBSOCKET_MAX_MESSAGE_BYTES are dropped unread (larger messages
  below that are refused by the consumers with an error message);
- X-Forwarded-For is believed only from TRUSTED_PROXIES, passed explicitly: uvicorn's own
  default trusts loopback, and an empty value trusts nobody;
- uvicorn's lifespan runs the embedded runner where there is no broker (config.asgi).
"""

import argparse
import os
import sys


def uvicorn_command(
    *, host: str, port: int, workers: int = 1, access_log: bool = True
) -> list[str]:
    """The uvicorn command line, from the settings (DJANGO_SETTINGS_MODULE) in force."""
    from django.conf import settings

    return [
        sys.executable,
        "-m",
        "uvicorn",
        "config.asgi:application",
        *_where(host=host, port=port, workers=workers, access_log=access_log),
        "--lifespan",
        "on",
        "--ws-max-size",
        str(4 * settings.WEBSOCKET_MAX_MESSAGE_BYTES),
        "--forwarded-allow-ips",
        ",".join(settings.TRUSTED_PROXIES),
    ]


def _where(*, host: str, port: int, workers: int, access_log: bool) -> list[str]:
    """The options uvicorn and this module's command line share."""
    return [
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        *([] if access_log else ["--no-access-log"]),
    ]


def command(*, host: str, port: int, workers: int = 1, access_log: bool = True) -> list[str]:
    """How a harness starts the server in a process of its own (its environment decides the
    settings): `python -m config.server …`."""
    where = _where(host=host, port=port, workers=workers, access_log=access_log)
    return [sys.executable, "-m", "config.server", *where]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m config.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-access-log", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    line = uvicorn_command(
        host=args.host, port=args.port, workers=args.workers, access_log=not args.no_access_log
    )
    sys.stdout.flush()
    os.execv(line[0], line)  # noqa: S606 - this process (and group) becomes uvicorn


if __name__ == "__main__":
    main()
