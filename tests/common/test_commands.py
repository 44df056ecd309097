"""Every periodic sweep can be run by hand: a thin command over the same service."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = pytest.mark.django_db

COMMANDS = {
    "cameras.sweep_stale_streams": "sweep_stale_streams",
    "monitoring.sweep_snapshot_gaps": "sweep_snapshot_gaps",
    "monitoring.reconcile_analyses": "reconcile_analyses",
    "monitoring.sweep_orphan_objects": "sweep_orphan_objects",
    "monitoring.retention_sweep": "sweep_retention",
    "monitoring.erasure_resume": "resume_erasures",
    "common.outbox_sweep": "sweep_outbox",
}


def test_every_scheduled_sweep_has_a_command():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS.values()))
def test_a_sweep_command_runs_its_service_and_says_how_much_it_did(command):
    out = io.StringIO()
    call_command(command, stdout=out)
    assert out.getvalue().startswith("0 ")


def test_the_stale_sweep_command_ends_a_silent_stream(acme):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import CameraStreamFactory

    CameraStreamFactory(
        user=acme.candidate,
        application=acme.application,
        is_active=True,
        last_updated=timezone.now() - timedelta(minutes=5),
    )
    out = io.StringIO()
    call_command("sweep_stale_streams", stdout=out)
    assert out.getvalue() == "1 stale stream(s) ended\n"
