"""The record holds still under the reviewer's eyes (issue "Record as seen").

Finishing adds the end and re-judges nothing; time without consent counts for nothing; a
stopped screen share becomes an incident when the rule says even if the page never speaks
again; the page that comes back without sharing is told the record says otherwise; an open
timeline hears of new captures, events and incidents; every count means one thing everywhere.
"""

import csv
import io
from datetime import timedelta

import jsonschema
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from applications.models import JobApplication
from applications.notice import CURRENT as NOTICE
from applications.services import application_finish, consent_give, consent_withdraw
from cameras.models import CameraEvent
from config.asgi import application as asgi_application
from config.asyncapi import asyncapi_document
from monitoring.integrity.selectors import integrity_compute, integrity_report
from monitoring.integrity.services import (
    integrity_camera_changed,
    integrity_event_recorded,
    integrity_frame_changed,
    integrity_rebuild,
    snapshot_gaps_sweep,
)
from monitoring.models import IntegrityEvent
from tests.factories import (
    CameraEventFactory,
    FrameAnalysisFactory,
    MonitoringEventFactory,
    MonitoringImageFactory,
)
from tests.sockets import handshake


@pytest.fixture
def live(consented):
    """John's interview in progress for 10 minutes, camera on, a snapshot every 30 s."""
    app = consented.application
    app.started_at = timezone.now() - timedelta(minutes=10)
    app.camera_interval = 30
    app.save()
    CameraEventFactory(application=app, user=app.candidate, kind="on", occurred_at=app.started_at)
    return consented


def _frame(app, at, flags=()):
    image = MonitoringImageFactory(
        application=app, captured_at=at, received_at=at, uploaded_by=app.candidate
    )
    FrameAnalysisFactory(
        image=image, face_count=0 if "no_face" in flags else 1, **dict.fromkeys(flags, True)
    )
    integrity_frame_changed(image_id=image.id)
    return image


def _event(app, type, at):
    event = MonitoringEventFactory(application=app, type=type, occurred_at=at, counted_at=at)
    integrity_event_recorded(event_id=event.id)
    return event


def _camera(app, kind, at):
    event = CameraEventFactory(application=app, user=app.candidate, kind=kind, occurred_at=at)
    integrity_camera_changed(camera_event_id=event.id)
    return event


def _seen(app, now):
    """What a reviewer sees: the score and each incident by id, type and extent."""
    report = integrity_report(application=app, now=now)
    return report["score"], [
        (i.id, i.type, i.started_at, i.ended_at, i.ongoing) for i in report["incidents"]
    ]


# --- 1. Finishing adds the end and re-judges nothing -------------------------------------------


@pytest.mark.django_db
def test_finishing_changes_neither_the_score_nor_the_incidents(live, time_machine):
    app = live.application
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    start = app.started_at
    for i in range(20):  # a snapshot every 30 s; three without a face at minutes 3–4
        at = start + timedelta(seconds=30 * i)
        _frame(app, at, ("no_face",) if 6 <= i <= 8 else ())
    _camera(app, "off", start + timedelta(minutes=5))  # camera off for 80 s
    _camera(app, "on", start + timedelta(minutes=5, seconds=80))
    _event(app, "window_blur", now - timedelta(seconds=50))  # still going on
    before_score, before = _seen(app, now)
    assert {t for _, t, *_ in before} >= {"no_face", "camera_off", "window_blur"}
    ongoing = [row for row in before if row[4]]
    assert [row[1] for row in ongoing] == ["window_blur"]

    application_finish(actor=live.candidate, application=app)
    integrity_rebuild(application_id=app.pk)  # what the status change's follow-up runs
    app.refresh_from_db()
    assert app.started_at == start  # never moved by finishing
    assert app.completed_at == now
    after_score, after = _seen(app, now)
    assert after_score == before_score
    # The same incidents, the same ids; the one going on is closed at the end, nothing else.
    closed = [(i, t, s, app.completed_at, False) for i, t, s, _, _ in ongoing]
    assert after == sorted(
        [row for row in before if not row[4]] + closed, key=lambda r: (r[2], r[1])
    )


@pytest.mark.django_db
def test_finishing_an_interview_that_never_recorded_does_not_start_it(acme, client_for):
    app = acme.application
    assert app.status == JobApplication.Status.IN_PROGRESS and app.started_at is None
    response = client_for(acme.candidate).post(f"/api/applications/{app.pk}/finish/")
    assert response.status_code == 200, response.json()
    app.refresh_from_db()
    assert app.status == "completed" and app.started_at is None
    report = integrity_report(application=app)
    assert report["started"] is False and report["incidents"] == []


# --- 2. Time without consent counts for nothing --------------------------------------------------


@pytest.mark.django_db
def test_a_withdrawal_is_neither_a_camera_off_nor_a_gap(live, time_machine):
    app, john = live.application, live.candidate
    now = timezone.now()
    start = app.started_at
    time_machine.move_to(start + timedelta(minutes=3), tick=False)
    for i in range(6):
        _frame(app, start + timedelta(seconds=30 * i))
    # Withdrawing stops the camera (the page turns it off) and everything else.
    consent_withdraw(actor=john, application=app)
    _camera(app, "off", timezone.now())
    time_machine.move_to(start + timedelta(minutes=6, seconds=9), tick=False)
    consent_give(actor=john, application=app, notice_version=NOTICE)
    integrity_rebuild(application_id=app.pk)
    _camera(app, "on", timezone.now())
    for i in range(6):
        time_machine.move_to(start + timedelta(minutes=6, seconds=10 + 30 * i), tick=False)
        _frame(app, timezone.now())
    now = timezone.now()
    incidents = IntegrityEvent.objects.filter(application=app)
    assert (
        not incidents.filter(type__in=("camera_off", "snapshot_gap"))
        .filter(
            started_at__lt=start + timedelta(minutes=6, seconds=9),
            ended_at__gt=start + timedelta(minutes=3),
        )
        .exists()
    )
    assert sorted(i.type for i in integrity_compute(application=app, now=now)["incidents"]) == (
        sorted(incidents.values_list("type", flat=True))
    )
    assert "consent" not in " ".join(incidents.values_list("reason", flat=True))


# --- 4. A stopped screen share surfaces without another word from the page -----------------------


@pytest.mark.django_db
def test_the_sweep_surfaces_a_stopped_share_once_it_lasts(live, time_machine):
    app = live.application
    app.screen_monitoring = True
    app.save()
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    _event(app, "screen_share_started", now - timedelta(minutes=5))
    _event(app, "screen_share_stopped", now)  # the page's own button: and then silence
    assert not IntegrityEvent.objects.filter(application=app, type="screen_share_stopped")
    time_machine.move_to(now + timedelta(seconds=10), tick=False)
    snapshot_gaps_sweep()
    assert not IntegrityEvent.objects.filter(application=app, type="screen_share_stopped")
    time_machine.move_to(now + timedelta(seconds=28), tick=False)  # the rule: 20 s
    snapshot_gaps_sweep()
    (incident,) = IntegrityEvent.objects.filter(application=app, type="screen_share_stopped")
    assert incident.ongoing and incident.started_at == now
    snapshot_gaps_sweep()  # surfaced once: the next sweep leaves it to the reads
    assert IntegrityEvent.objects.filter(application=app, type="screen_share_stopped").count() == 1


@pytest.mark.django_db
def test_the_sweep_leaves_finished_interviews_and_withdrawn_time_alone(live, time_machine):
    app = live.application
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    _event(app, "tab_hidden", now - timedelta(minutes=2))
    consent_withdraw(actor=live.candidate, application=app)  # …and the tab stays hidden
    integrity_rebuild(application_id=app.pk)
    time_machine.move_to(now + timedelta(minutes=5), tick=False)
    snapshot_gaps_sweep()
    hidden = IntegrityEvent.objects.filter(application=app, type="tab_hidden")
    assert [i.ended_at for i in hidden] == [now]  # up to the withdrawal, not a second after

    app.status = JobApplication.Status.COMPLETED
    app.completed_at = now
    app.save()
    _event(app, "window_blur", now - timedelta(seconds=1))
    snapshot_gaps_sweep()
    assert not IntegrityEvent.objects.filter(application=app, type="window_blur").exists()


@pytest.mark.django_db
def test_the_page_knows_when_the_record_says_the_screen_is_shared(live, client_for):
    app = live.application
    app.screen_monitoring = True
    app.save()

    def config():
        page = client_for(live.candidate).get(f"/interview/{app.pk}/")
        assert page.status_code == 200
        return page.context["panel_config"]["screenSharing"]

    assert config() == "never"
    MonitoringEventFactory(application=app, type="screen_share_started")
    assert config() == "open"  # a reload without sharing records that it ended
    MonitoringEventFactory(application=app, type="screen_share_stopped")
    assert config() == "stopped"  # asked to share again


# --- 5. An open timeline hears what changed -----------------------------------------------------


@database_sync_to_async
def _sign_in(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def _timeline(app_id, cookie=None):
    comm = WebsocketCommunicator(
        asgi_application,
        f"/ws/monitoring/timeline/{app_id}/",
        headers=handshake(cookie=cookie) if cookie else handshake(),
    )
    connected, _ = await comm.connect()
    assert connected
    return comm


def _documented(frame: dict) -> dict:
    """The frame is one the AsyncAPI document describes for the timeline socket."""
    document = asyncapi_document(host="testserver", secure=False)
    schema = document["components"]["messages"][f"timeline.out.{frame['type']}"]["payload"]
    jsonschema.Draft7Validator(schema).validate(frame)
    return frame


async def _heard(comm, quiet: float = 1.0) -> set[str]:
    """What the socket was told until it stayed quiet for `quiet` seconds."""
    heard = set()
    while not await comm.receive_nothing(timeout=quiet):
        message = _documented(await comm.receive_json_from())
        assert message["type"] == "changed"
        heard.add(message["what"])
    return heard


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_timeline_socket_is_scoped_like_the_timeline(acme, globex, admin_user):
    app_id = acme.application.pk
    anonymous = await _timeline(app_id)
    assert await anonymous.receive_output(timeout=3) == {"type": "websocket.close", "code": 4401}
    for user in (acme.candidate, globex.recruiter):
        other = await _timeline(app_id, await _sign_in(user))
        assert await other.receive_output(timeout=3) == {
            "type": "websocket.close",
            "code": 4403,
        }
    for user in (acme.recruiter, admin_user):
        mine = await _timeline(app_id, await _sign_in(user))
        assert _documented(await mine.receive_json_from(timeout=3)) == {
            "type": "ready",
            "application_id": app_id,
        }
        await mine.send_json_to({"type": "hello"})
        assert _documented(await mine.receive_json_from(timeout=3))["code"] == "invalid"
        await mine.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_an_open_timeline_hears_captures_events_and_incidents(consented, token_client_for):
    app = consented.application
    rita = await _timeline(app.pk, await _sign_in(consented.recruiter))
    assert (await rita.receive_json_from(timeout=3))["type"] == "ready"
    john = await database_sync_to_async(token_client_for)(consented.candidate)

    @database_sync_to_async
    def event(type):
        return john.post(
            f"/api/applications/{app.pk}/events/",
            {"type": type, "occurred_at": timezone.now().isoformat()},
            format="json",
        ).status_code

    assert await event("tab_hidden") == 201
    heard = await rita.receive_json_from(timeout=3)
    assert heard["type"] == "changed" and heard["what"] == "events" and heard["at"]

    @database_sync_to_async
    def capture():
        from tests.monitoring.conftest import b64, image_bytes

        return john.post(
            f"/api/applications/{app.pk}/monitoring-images/",
            {
                "image_type": "camera",
                "image_data": b64(image_bytes()),
                "captured_at": timezone.now().isoformat(),
            },
            format="json",
        ).status_code

    assert await capture() == 201
    # The capture, its analysis, then whatever its integrity update says.
    assert "captures" in await _heard(rita)

    # An incident that opens tells the timeline too (here: a camera off that lasts).
    @database_sync_to_async
    def camera_off_for_a_minute():
        now = timezone.now()
        CameraEventFactory(application=app, user=app.candidate, kind="off", occurred_at=now)
        back = now + timedelta(seconds=90)
        on = CameraEventFactory(application=app, user=app.candidate, kind="on", occurred_at=back)
        integrity_camera_changed(camera_event_id=on.pk, now=back)
        assert IntegrityEvent.objects.filter(application=app, type="camera_off").exists()

    await camera_off_for_a_minute()
    assert "integrity" in await _heard(rita)
    await rita.disconnect()


# --- 6. One number, one meaning -----------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_and_the_csv_count_the_same_things(live, client_for):
    app = live.application
    now = timezone.now()
    for i in range(4):
        _frame(app, now - timedelta(seconds=100 - 20 * i), ("no_face",) if i < 3 else ())
    MonitoringImageFactory(application=app, image_type="screen", uploaded_by=app.candidate)
    for type in ("tab_hidden", "tab_visible", "window_blur"):
        _event(app, type, now - timedelta(seconds=30))
    _camera(app, "off", now - timedelta(seconds=20))
    consent_withdraw(actor=live.candidate, application=app)  # a consent answer: not an event
    camera_events = CameraEvent.objects.filter(application=app).count()
    events = 3 + camera_events
    rita = client_for(live.recruiter)

    header = rita.get(f"/console/applications/{app.pk}/").context["record"]
    console = dict(rita.get("/console/").context["rows"])[app]
    report = rita.get(f"/console/applications/{app.pk}/report/")
    rows = list(
        csv.DictReader(
            io.StringIO(rita.get(f"/api/applications/{app.pk}/export.csv").content.decode())
        )
    )
    integrity = rita.get(f"/api/applications/{app.pk}/integrity/").json()

    for record in (header, console, report.context["record"]):
        assert (record.camera_count, record.screen_count, record.event_count) == (4, 1, events)
        assert record.incident_count == len(integrity["incidents"])
        assert record.score == integrity["score"]
    kinds = [(r["record"], r["type"]) for r in rows]
    assert sum(1 for k, t in kinds if k == "capture" and t == "camera") == 4
    assert sum(1 for k, t in kinds if k == "capture" and t == "screen") == 1
    assert sum(1 for k, _ in kinds if k == "event") == events
    assert sum(1 for k, _ in kinds if k == "consent") == 2  # given, withdrawn
    assert sum(1 for k, _ in kinds if k == "incident") == len(integrity["incidents"])
    html = report.content.decode()
    assert f"{events} events" in html and f"Incidents ({len(integrity['incidents'])})" in html


# --- 7. A score that says what it rests on ------------------------------------------------------


@pytest.mark.django_db
def test_the_score_says_what_it_rests_on(live, client_for, token_client_for):
    app = live.application
    now = timezone.now()
    url = f"/api/applications/{app.pk}/integrity/"
    john = token_client_for(live.recruiter)
    for i in range(6):  # no face in any of them: the walk's John
        _frame(app, now - timedelta(seconds=200 - 30 * i), ("no_face",))
    MonitoringImageFactory(application=app, uploaded_by=app.candidate, captured_at=now)  # pending
    body = john.get(url).json()
    assert (body["frames_analysed"], body["frames_pending"], body["frames_with_one_face"]) == (
        6,
        1,
        0,
    )
    assert body["state"] == "insufficient_evidence" and body["started"] is True
    assert body["recorded_seconds"] > 0
    console = client_for(live.recruiter).get("/console/").content.decode()
    assert 'data-level="unknown"' in console and "face in 0 of 6 frames" in console

    for i in range(8):  # now most frames show one face
        _frame(app, now - timedelta(seconds=29 - 3 * i))
    body = john.get(url).json()
    assert body["state"] == "ok" and body["frames_with_one_face"] == 8


# --- 8. The console says where consent stands ---------------------------------------------------


@pytest.mark.django_db
def test_consent_state_on_the_api_and_the_console(acme, globex, admin_user, client_for):
    from applications.services import consent_refuse

    admin = client_for(admin_user)

    def state(org):
        return admin.get(f"/api/applications/{org.application.pk}/").json()["consent_state"]

    assert state(acme) == state(globex) == "not_yet"
    consent_give(actor=acme.candidate, application=acme.application, notice_version=NOTICE)
    consent_refuse(actor=globex.candidate, application=globex.application, notice_version=NOTICE)
    assert (state(acme), state(globex)) == ("given", "declined")
    consent_withdraw(actor=acme.candidate, application=acme.application)
    assert state(acme) == "withdrawn"

    def listed(consent):
        rows = admin.get(f"/console/?consent={consent}").context["rows"]
        return {app.pk: record.consent_state for app, record in rows}

    assert listed("withdrawn") == {acme.application.pk: "withdrawn"}
    assert listed("declined") == {globex.application.pk: "declined"}
    page = admin.get("/console/").content.decode()
    assert "Withdrawn" in page and "Declined" in page


@pytest.mark.django_db
def test_until_something_is_recorded_every_page_says_not_started(acme, client_for):
    app = acme.application
    assert app.status == "in_progress" and app.started_at is None
    rita = client_for(acme.recruiter)
    for path in (
        "/console/",
        f"/console/applications/{app.pk}/",
        f"/console/applications/{app.pk}/report/",
    ):
        html = rita.get(path).content.decode()
        assert "Not started yet" in html, path
    console = rita.get("/console/")
    record = dict(console.context["rows"])[app]
    assert record.score is None and record.started is False
    john = client_for(acme.candidate).get("/interview/").content.decode()
    assert "Not started yet" in john
