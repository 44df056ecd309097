"""Lock order between a candidate's answer to the notice and their camera going off.

Withdrawing consent locks the application, then (its receiver) the camera stream; a camera-off
locks the stream, then inserts a camera event that points at the application. On PostgreSQL
that insert takes FOR KEY SHARE on the application: a plain FOR UPDATE there deadlocked the
two (found by the browser test that withdraws with the camera on). Reproduced here in that
exact order, with the withdrawal waiting on the stream lock before the camera-off goes on.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from applications.models import JobApplication, MonitoringConsent
from applications.notice import CURRENT as NOTICE
from applications.services import consent_refuse
from cameras.models import CameraStream
from cameras.services import camera_stream_set_status

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _backends_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        # pg_locks is live (pg_stat_activity would be a snapshot for the whole transaction).
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


def test_withdrawal_and_camera_off_at_once_both_succeed(acme):
    assert connection.vendor == "postgresql"
    application = acme.application
    JobApplication.objects.filter(pk=application.pk).update(status="in_progress")
    application.refresh_from_db()
    if not MonitoringConsent.objects.active().filter(application=application).exists():
        MonitoringConsent.objects.create(
            application=application, notice_version=NOTICE, accepted_at=timezone.now()
        )
    camera_stream_set_status(user=acme.candidate, is_active=True, application=application)
    outcome = {}

    def withdraw():
        try:
            outcome["withdrawal"] = consent_refuse(actor=acme.candidate, application=application)[1]
        except Exception as exc:  # the test reports what happened
            outcome["withdrawal"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        # The camera-off's first step: the stream row is ours.
        CameraStream.objects.select_for_update().get(user=acme.candidate)
        worker = threading.Thread(target=withdraw)
        worker.start()
        for _ in range(200):  # the withdrawal now holds the application, waits for the stream
            if _backends_waiting_on_a_lock():
                break
            time.sleep(0.05)
        assert _backends_waiting_on_a_lock() == 1, outcome
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '5s'")
        camera_stream_set_status(user=acme.candidate, is_active=False)  # records the event
    worker.join(30)

    assert outcome["withdrawal"] == "withdrawn"
    assert not CameraStream.objects.get(user=acme.candidate).is_active
    assert not MonitoringConsent.objects.active().filter(application=application).exists()


def test_a_card_update_does_not_wait_for_a_withdrawal_holding_the_application(acme):
    """A snapshot or incident reaching the board card locks the stream, and only the stream: it
    used to lock the joined application too (FOR UPDATE over select_related), after the stream,
    while a withdrawal holds the application and waits for the stream — a deadlock, and a 500
    for the candidate's "withdraw" (seen in the browser test of the record, under load)."""
    from cameras.services import camera_stream_incident

    application = acme.application
    JobApplication.objects.filter(pk=application.pk).update(status="in_progress")
    camera_stream_set_status(user=acme.candidate, is_active=True, application=application)
    outcome = {}

    def card_update():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                outcome["updated"] = camera_stream_incident(
                    user_id=acme.candidate.pk,
                    application_id=application.pk,
                    incident={"type": "no_face", "label": "No face"},
                )
        except Exception as exc:  # the test reports what happened
            outcome["updated"] = exc
        finally:
            connection.close()

    with transaction.atomic():
        JobApplication.objects.lock(application.pk)  # what a withdrawal holds first
        worker = threading.Thread(target=card_update)
        worker.start()
        worker.join(10)
    assert outcome["updated"] is True
    assert CameraStream.objects.get(user=acme.candidate).incident["type"] == "no_face"
