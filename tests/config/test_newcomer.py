"""What a newcomer trips on first: links in e-mails that point where the server runs, one log
line per request, no broker warning in the embedded mode, a readable schema, a favicon, and
people shown by name."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import CandidateFactory

BASE = Path(__file__).resolve().parents[2]


def _setting(name: str, **env: str) -> str:
    child = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "INVIGIL_ADDR")}
    child.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="true", **env)
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE,
        env=child,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"INVIGIL_ADDR": "127.0.0.1:8765"}, "http://127.0.0.1:8765"),
        ({"INVIGIL_ADDR": "0.0.0.0:9000"}, "http://127.0.0.1:9000"),
        (
            {"INVIGIL_ADDR": "127.0.0.1:8765", "SITE_URL": "https://hire.example/"},
            "https://hire.example",
        ),
    ],
)
def test_site_url_follows_the_address_bin_run_serves(env, site_url):
    assert _setting("SITE_URL", **env) == site_url


def test_the_embedded_broker_names_a_host_so_kombu_does_not_warn(caplog, settings):
    from config.celery import app

    caplog.set_level(logging.WARNING, logger="kombu")
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        with app.connection_for_write() as conn:
            conn.as_uri()
    assert not [r for r in caplog.records if "No hostname" in r.getMessage()]


@pytest.mark.django_db
def test_a_404_is_not_logged_by_django_as_well_as_by_the_server(client, caplog):
    caplog.set_level(logging.INFO)
    assert client.get("/no-such-page/").status_code == 404
    assert [r for r in caplog.records if r.name.startswith("django")] == []
    django_logger = logging.getLogger("django")
    assert django_logger.handlers == [] and django_logger.propagate


@pytest.mark.django_db
def test_the_schema_reads_in_a_browser_and_downloads_for_tools(acme, client):
    client.force_login(acme.recruiter)
    page = client.get("/api/schema/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in page
    html = page.content.decode()
    assert "openapi: 3" in html and 'href="?format=json"' in html
    tool = client.get("/api/schema/", HTTP_ACCEPT="*/*")
    assert tool["Content-Type"].startswith("application/vnd.oai.openapi")
    assert tool.content.startswith(b"openapi: 3")
    for fmt, kind in (
        ("json", "application/vnd.oai.openapi+json"),
        ("yaml", "application/vnd.oai.openapi"),
    ):
        download = client.get(f"/api/schema/?format={fmt}")
        assert download["Content-Type"].startswith(kind)
        assert download["Content-Disposition"] == f'attachment; filename="invigil-openapi.{fmt}"'


def test_a_favicon_is_served_where_browsers_ask(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")


@pytest.mark.django_db
def test_invited_candidates_show_by_name_or_address():
    named = CandidateFactory(username="jdoe", first_name="Jane", last_name="Doe", email="j@x.io")
    invited = CandidateFactory(username="ann", first_name="", last_name="", email="ann@x.io")
    bare = CandidateFactory(username="bob", first_name="", last_name="", email="")
    assert (named.display_name, named.secondary_name) == ("Jane Doe", "@jdoe · j@x.io")
    assert (invited.display_name, invited.secondary_name) == ("ann@x.io", "@ann")
    assert (bare.display_name, bare.secondary_name) == ("bob", "@bob")
