"""Ending an interview from the board or the timeline (live proctoring): the transition
in_progress → terminated with a reason, who may ask, what stops, the drain window for captures
taken before the end, the candidate's page told at once, the audit, and "my candidates"."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from applications.models import JobApplication
from cameras.models import CameraStream
from cameras.services import camera_stream_set_status
from common.time import iso_utc
from config.asgi import application as asgi_app
from monitoring.models import AccessEvent, MonitoringImage
from tests.factories import MonitoringConsentFactory, RecruiterFactory
from tests.monitoring.conftest import b64, image_bytes
from tests.sockets import handshake

pytestmark = pytest.mark.django_db


def _terminate(client, application, reason="Someone else is answering for you."):
    return client.post(
        f"/api/applications/{application.id}/terminate/", {"reason": reason}, format="json"
    )


def _upload(client, application, captured_at):
    return client.post(
        f"/api/applications/{application.id}/monitoring-images/",
        {
            "image_type": "camera",
            "image_data": b64(image_bytes(size=(64, 48))),
            "captured_at": iso_utc(captured_at),
        },
        format="json",
    )


def test_a_reviewer_ends_the_interview_with_a_reason(
    acme, token_client_for, django_capture_on_commit_callbacks
):
    MonitoringConsentFactory(application=acme.application)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    with django_capture_on_commit_callbacks(execute=True):
        response = _terminate(token_client_for(acme.recruiter), acme.application)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "terminated" and body["terminated_at"] is not None
    assert body["termination_reason"] == "Someone else is answering for you."
    assert CameraStream.objects.get(user=acme.candidate).is_active is False
    audit = AccessEvent.objects.get(action="status_changed")
    assert audit.actor == acme.recruiter
    assert audit.detail == "in_progress → terminated: Someone else is answering for you."


@pytest.mark.parametrize("status", ["invited", "completed", "withdrawn", "terminated"])
def test_only_an_interview_under_way_can_be_ended(acme, token_client_for, status):
    JobApplication.objects.filter(pk=acme.application.pk).update(status=status)
    response = _terminate(token_client_for(acme.recruiter), acme.application)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


@pytest.mark.parametrize(
    ("who", "status_code", "code"),
    [
        ("candidate", 403, "permission_denied"),
        ("other recruiter", 404, "application_not_found"),
        ("other candidate", 404, "application_not_found"),
    ],
)
def test_only_a_reviewer_in_scope_may_end_it(
    acme, globex, token_client_for, who, status_code, code
):
    actor = {
        "candidate": acme.candidate,
        "other recruiter": globex.recruiter,
        "other candidate": globex.candidate,
    }[who]
    response = _terminate(token_client_for(actor), acme.application)
    assert (response.status_code, response.json()["code"]) == (status_code, code)
    acme.application.refresh_from_db()
    assert acme.application.status == "in_progress"


@pytest.mark.parametrize(
    ("reason", "code"), [("", "blank"), ("  ", "blank"), ("x" * 501, "max_length")]
)
def test_a_reason_is_required_and_bounded(acme, token_client_for, reason, code):
    response = _terminate(token_client_for(acme.recruiter), acme.application, reason)
    assert response.status_code == 400 and response.json()["code"] == code
    acme.application.refresh_from_db()
    assert acme.application.status == "in_progress"


def test_an_admin_may_end_it(acme, admin_user, token_client_for):
    assert _terminate(token_client_for(admin_user), acme.application).status_code == 200


def test_captures_taken_before_the_end_drain_for_five_minutes(acme, token_client_for):
    MonitoringConsentFactory(application=acme.application)
    candidate = token_client_for(acme.candidate)
    before = timezone.now() - timedelta(seconds=5)
    assert _terminate(token_client_for(acme.recruiter), acme.application).status_code == 200
    assert _upload(candidate, acme.application, before).status_code == 201
    after = _upload(candidate, acme.application, timezone.now() + timedelta(seconds=1))
    assert after.status_code == 409 and after.json()["code"] == "application_not_active"
    JobApplication.objects.filter(pk=acme.application.pk).update(
        terminated_at=timezone.now() - timedelta(seconds=301)
    )
    late = _upload(candidate, acme.application, timezone.now() - timedelta(seconds=400))
    assert late.status_code == 409
    assert MonitoringImage.objects.count() == 1
    # Nothing else records in the window: the camera and page events refuse at once.
    camera = candidate.post(
        "/api/camera/status",
        {"is_active": True, "application_id": acme.application.id},
        format="json",
    )
    assert camera.status_code == 409


@pytest.mark.django_db(transaction=True)
async def test_the_candidates_page_hears_the_end_at_once(acme, globex):
    async def socket(path, user):
        @database_sync_to_async
        def cookie():
            client = Client()
            client.force_login(user)
            return client.cookies["sessionid"].value

        comm = WebsocketCommunicator(asgi_app, path, headers=handshake(cookie=await cookie()))
        assert (await comm.connect())[0]
        return comm

    page = await socket("/ws/camera/presence/", acme.candidate)
    # The socket is accepted before it joins the candidate's group: a heartbeat's ack (handled
    # after the connect handler finished) says it has joined — else, on a busy box, the end
    # could be sent before the page listens (seen once in a CI-like run).
    await page.send_json_to({"type": "heartbeat"})
    assert (await page.receive_json_from(timeout=5))["type"] == "ack"
    other = await socket("/ws/camera/streams/", globex.recruiter)
    assert (await other.receive_json_from(timeout=3))["type"] == "snapshot"

    @database_sync_to_async
    def terminate():
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(acme.recruiter)
        return _terminate(client, acme.application, "You left the room.")

    assert (await terminate()).status_code == 200
    ended = await page.receive_json_from(timeout=3)
    assert ended["type"] == "interview.terminated"
    assert (ended["reason"], ended["application_id"]) == ("You left the room.", acme.application.id)
    assert await other.receive_nothing(timeout=0.3)
    await asyncio.gather(page.disconnect(), other.disconnect())


def test_an_interview_is_assigned_to_a_recruiter_of_its_organization(
    acme, globex, token_client_for
):
    colleague = RecruiterFactory(organization=acme.organization)
    client = token_client_for(acme.recruiter)
    url = f"/api/applications/{acme.application.id}/"
    ok = client.patch(url, {"assigned_reviewer_id": colleague.id}, format="json")
    assert ok.status_code == 200 and ok.json()["assigned_reviewer_id"] == colleague.id
    audit = AccessEvent.objects.get(action="settings_changed")
    assert audit.detail == f"assigned_reviewer None → {colleague.id}"
    for stranger in (globex.recruiter, acme.candidate):
        refused = client.patch(url, {"assigned_reviewer_id": stranger.id}, format="json")
        assert refused.status_code == 400 and refused.json()["code"] == "not_a_reviewer"
    # Not a monitoring setting: it may change after recording began.
    JobApplication.objects.filter(pk=acme.application.pk).update(started_at=timezone.now())
    cleared = client.patch(url, {"assigned_reviewer_id": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["assigned_reviewer_id"] is None


def test_the_admin_assigns_a_reviewer_of_the_organization_only(acme, globex, admin_user, client):
    colleague = RecruiterFactory(organization=acme.organization)
    client.force_login(admin_user)
    url = f"/admin/applications/jobapplication/{acme.application.pk}/change/"
    page = client.get(url).content.decode()
    assert f'value="{colleague.pk}"' in page and f'value="{globex.recruiter.pk}"' not in page
    form = {
        "camera_monitoring": "on",
        "camera_interval": 30,
        "screen_monitoring": "on",
        "screen_interval": 30,
        "assigned_reviewer": colleague.pk,
        "consents-TOTAL_FORMS": 0,
        "consents-INITIAL_FORMS": 0,
        "invitations-TOTAL_FORMS": 0,
        "invitations-INITIAL_FORMS": 0,
        "erasures-TOTAL_FORMS": 0,
        "erasures-INITIAL_FORMS": 0,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    acme.application.refresh_from_db()
    assert acme.application.assigned_reviewer == colleague
