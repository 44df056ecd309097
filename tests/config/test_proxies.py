"""Limits and lockout see the real client behind a trusted proxy, and only behind one: uvicorn
is started with `--forwarded-allow-ips` = TRUSTED_PROXIES everywhere (bin/run, the test and
bench harnesses), and an empty list trusts nobody, loopback included (issue 26, point 6).

Through a real uvicorn: the Django test client never applies X-Forwarded-For."""

import re
from pathlib import Path

import pytest
import requests
from axes.models import AccessAttempt

from monitoring.models import AccessEvent
from tests.processes import asgi_server, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CLIENT = "203.0.113.7"


def _failed_sign_in(url: str, username: str, forwarded: str) -> None:
    response = requests.post(
        url + "/api/auth/token/",
        json={"username": username, "password": "wrong"},
        headers={"X-Forwarded-For": forwarded},
        timeout=10,
    )
    assert response.status_code == 400, response.text


def _seen(username: str) -> tuple[str, str]:
    """The address the lockout (django-axes) and the audit log recorded."""
    attempt = AccessAttempt.objects.get(username=username)
    event = AccessEvent.objects.filter(detail=f"username {username!r}").get()
    return attempt.ip_address, event.ip


def test_every_harness_starts_the_server_one_way_and_passes_the_setting(settings):
    from config.server import uvicorn_command

    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.1"]
    command = uvicorn_command(host="127.0.0.1", port=8000)
    assert command[command.index("--forwarded-allow-ips") + 1] == "10.0.0.0/8,192.168.1.1"
    settings.TRUSTED_PROXIES = []
    empty = uvicorn_command(host="127.0.0.1", port=8000)
    assert empty[empty.index("--forwarded-allow-ips") + 1] == ""
    root = Path(__file__).resolve().parents[2]
    # Nothing but config/server.py spells out the uvicorn command line.
    starters = [
        path.relative_to(root).as_posix()
        for path in [
            *root.glob("bin/*"),
            *root.glob("bench/*.py"),
            *root.glob("tests/**/*.py"),
            *root.glob("config/*.py"),
        ]
        if re.search(
            r'(?m)^\s*uvicorn config\.asgi|"uvicorn",\s*\n\s*"config\.asgi', path.read_text()
        )
    ]
    assert starters == ["config/server.py"]
    assert "python -m config.server" in (root / "bin/run").read_text()


def test_by_default_a_forwarded_header_from_loopback_is_not_believed(acme, tmp_path):
    env = child_env(RATE_LIMIT_ENABLED="true", TRUSTED_PROXIES="")
    with asgi_server(env, tmp_path / "asgi.log") as url:
        _failed_sign_in(url, "nobody-a", CLIENT)
    assert _seen("nobody-a") == ("127.0.0.1", "127.0.0.1")


def test_behind_a_trusted_proxy_the_client_is_the_address_it_forwards(acme, tmp_path):
    env = child_env(RATE_LIMIT_ENABLED="true", TRUSTED_PROXIES="127.0.0.1/32")
    with asgi_server(env, tmp_path / "asgi.log") as url:
        _failed_sign_in(url, "nobody-b", f"198.51.100.9, {CLIENT}")
    assert _seen("nobody-b") == (CLIENT, CLIENT)
