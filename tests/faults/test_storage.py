"""S3 that refuses and S3 that hangs, behind a proxy, on the production shape (PostgreSQL
with a small connection pool, two uvicorn workers): uploads answer 503 `storage_unavailable`
and never hold a database connection while they wait; every other endpoint keeps answering;
readiness names storage; afterwards every capture is stored exactly once, with no orphan."""

import base64
import io
import threading
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token

from monitoring.models import MonitoringImage
from tests.factories import MonitoringConsentFactory
from tests.faults.conftest import bucket_keys, keep_calling, new_id, s3_env
from tests.processes import asgi_server, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _jpeg(shade: int) -> str:
    out = io.BytesIO()
    Image.new("RGB", (160, 120), (shade, 90, 160)).save(out, format="JPEG")
    return base64.b64encode(out.getvalue()).decode()


class Page:
    """The candidate's page: captures keep their client_id until acknowledged."""

    def __init__(self, base, user, application):
        self.base = base
        self.url = f"{base}/api/applications/{application.id}/monitoring-images/"
        self.headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
        self.waiting: dict[str, tuple] = {}

    def capture(self, shade: int) -> str:
        client_id = new_id()
        self.waiting[client_id] = (_jpeg(shade), timezone.now().isoformat())
        return client_id

    def send(self, client_id: str) -> requests.Response:
        data, at = self.waiting[client_id]
        response = requests.post(
            self.url,
            json={
                "image_type": "camera",
                "image_data": data,
                "client_id": client_id,
                "captured_at": at,
            },
            headers=self.headers,
            timeout=60,
        )
        if response.status_code in (200, 201):
            del self.waiting[client_id]
        return response


def _env(proxy):
    return child_env(
        **s3_env(proxy), TEST_DATABASE_POOL="true", DATABASE_POOL_MIN="1", DATABASE_POOL_MAX="4"
    )


def orphan_sweep_now(s3) -> int:
    """The hourly orphan sweep, run now against the same bucket (no age margin)."""
    from django.test import override_settings

    from monitoring.images.services import orphan_objects_sweep

    storage = {
        "BACKEND": "monitoring.images.storage.S3ImageStorage",
        "OPTIONS": {
            "bucket_name": s3.bucket,
            "access_key": "testing",
            "secret_key": "testing",
            "region_name": "us-east-1",
            "endpoint_url": s3.meta.endpoint_url,
            "addressing_style": "path",
            "file_overwrite": True,
        },
    }
    from django.conf import settings

    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        return orphan_objects_sweep(min_age=timedelta(0))


def _ready(base) -> dict:
    return requests.get(f"{base}/api/health/ready/", timeout=10).json()


def test_s3_that_refuses(acme, faulty_s3, tmp_path):
    proxy, s3 = faulty_s3
    MonitoringConsentFactory(application=acme.application)
    with asgi_server(_env(proxy), tmp_path / "asgi.log", workers=2) as base:
        page = Page(base, acme.candidate, acme.application)
        assert page.send(page.capture(1)).status_code == 201
        proxy.set("refuse")
        me = {"Authorization": page.headers["Authorization"]}
        with keep_calling(f"{base}/api/auth/me/", me) as others:
            refused = [page.send(page.capture(10 + i)) for i in range(8)]
            ready = requests.get(f"{base}/api/health/ready/", timeout=10)
        assert {r.status_code for r in refused} == {503}
        assert {r.json()["code"] for r in refused} == {"storage_unavailable"}
        assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)
        assert others and set(others) == {200}  # the rest of the site kept answering
        assert ready.status_code == 503 and ready.json()["checks"]["storage"].startswith("down")

        proxy.set("pass")
        for _ in range(40):  # the page retries until acknowledged (the breaker reopens)
            for client_id in list(page.waiting):
                page.send(client_id)
            if not page.waiting:
                break
            threading.Event().wait(0.5)
        assert not page.waiting
        assert _ready(base)["status"] == "ok"

    rows = list(MonitoringImage.objects.values_list("client_id", "file"))
    assert len(rows) == 9 and len({c for c, _ in rows}) == 9  # lost = duplicates = 0
    orphan_sweep_now(s3)
    assert bucket_keys(s3) == {f for _, f in rows}  # orphans = 0


def test_s3_that_hangs_holds_no_database_connection(acme, faulty_s3, tmp_path):
    """12 uploads wait on a store that never answers, with 4 database connections per worker:
    had they held them, the rest of the site would have waited for a free one."""
    proxy, s3 = faulty_s3
    MonitoringConsentFactory(application=acme.application)
    with asgi_server(_env(proxy), tmp_path / "asgi.log", workers=2) as base:
        page = Page(base, acme.candidate, acme.application)
        proxy.set("hang")
        ids = [page.capture(40 + i) for i in range(12)]
        answers: list[requests.Response] = []
        me = {"Authorization": page.headers["Authorization"]}
        with keep_calling(f"{base}/api/auth/me/", me) as others:
            threads = [
                threading.Thread(target=lambda c=c: answers.append(page.send(c))) for c in ids
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            listing = requests.get(page.url, headers=me, timeout=10)
        assert len(answers) == 12
        assert {r.status_code for r in answers} == {503}
        assert listing.status_code == 200
        assert others and set(others) == {200}

        proxy.set("pass")
        for _ in range(40):
            for client_id in list(page.waiting):
                page.send(client_id)
            if not page.waiting:
                break
            threading.Event().wait(0.5)
        assert not page.waiting

    rows = list(MonitoringImage.objects.values_list("client_id", "file"))
    assert len(rows) == 12 and len({c for c, _ in rows}) == 12
    # A write S3 completed but whose answer never came back leaves an object no row names;
    # the orphan sweep (hourly, for objects over an hour old) is what removes those.
    orphan_sweep_now(s3)
    assert bucket_keys(s3) == {f for _, f in rows}
