"""The after-commit pipeline: follow-ups by registered name in every process, the only place
that defers work after a commit or imports Celery, and an outbox that sends each message at
least once — and, unless a delivery is lost half-way, exactly once."""

import ast
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from common import pipeline
from common.models import OutboxMessage
from tests.processes import BASE_DIR, child_env

CHECK = """
import django
django.setup()
from celery import current_app
from common.pipeline import DECLARED
apps = sorted({name.split(".")[0] for name in DECLARED})
missing = [name for name in DECLARED if name not in current_app.tasks]
print("apps:", apps)
print("missing:", missing)
"""

PROJECT = [
    "accounts",
    "applications",
    "cameras",
    "common",
    "config",
    "monitoring",
    "integrations",
]


def _modules():
    for package in PROJECT:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(BASE_DIR).as_posix(), ast.parse(path.read_text())


def test_a_fresh_process_knows_every_follow_up_the_apps_declare():
    """A web process imports no task module itself: the app registry must have them anyway."""
    out = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=BASE_DIR,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    expected = "apps: ['accounts', 'applications', 'common', 'integrations', 'monitoring']"
    assert expected in out.stdout, out.stdout
    assert "missing: []" in out.stdout, out.stdout + out.stderr


def test_only_the_pipeline_defers_work_after_a_commit():
    calls = [
        path
        for path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "on_commit"
    ]
    assert set(calls) == {"common/pipeline.py"}


def test_only_the_pipeline_and_the_apps_tasks_import_celery():
    importers = set()
    for path, tree in _modules():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(name == "celery" or name.startswith("celery.") for name in names):
                importers.add(path)
    allowed = {"common/pipeline.py", "config/celery.py", "config/__init__.py"}  # the app
    assert {p for p in importers if not p.endswith("/tasks.py")} == allowed


# --- The outbox -------------------------------------------------------------------------------


def _invite(client, acme, email="nina@example.com"):
    return client.post(
        "/api/applications/",
        {"job_id": acme.job.id, "candidate_email": email},
        format="json",
    )


@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_written_to_the_outbox_and_sent_once(acme, token_client_for):
    response = _invite(token_client_for(acme.recruiter), acme)
    assert response.status_code == 201
    message = OutboxMessage.objects.get()
    assert message.task == "applications.send_invitation_email"
    assert message.state == "sent" and message.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<{message.pk}@")

    # A second delivery of the same message (the sweep, a redelivered task) sends nothing.
    assert pipeline.outbox_deliver(message_id=str(message.pk)) == "skipped"
    assert pipeline.outbox_sweep(now=timezone.now() + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_nothing(acme, token_client_for):
    """The message is written in the transaction of the change: no change, no e-mail."""
    response = _invite(token_client_for(acme.recruiter), acme, email="not-an-address")
    assert response.status_code == 400
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_message_never_handed_to_a_worker_is_sent_by_the_sweep(acme, settings, monkeypatch):
    """The broker was down when the invitation was made: the row waits, the sweep sends it."""
    from applications.services import invitation_create

    monkeypatch.setattr(pipeline, "_send", lambda task, args: None)  # nothing reaches a worker
    invitation = invitation_create(actor=acme.recruiter, application=acme.application)
    message = OutboxMessage.objects.get()
    assert message.payload == {"invitation_id": invitation.pk, "language": "en"}
    assert mail.outbox == []
    monkeypatch.undo()

    settings.OUTBOX_RESEND_AFTER = 20
    assert pipeline.outbox_sweep(now=message.created_at + timedelta(seconds=5)) == 0  # too new
    assert pipeline.outbox_sweep(now=message.created_at + timedelta(seconds=21)) == 1
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.state == "sent"


@pytest.mark.django_db(transaction=True)
def test_a_failing_delivery_is_retried_on_its_schedule_then_given_up(acme, settings, monkeypatch):
    from applications import services
    from applications.services import invitations

    settings.EMAIL_RETRY_SCHEDULE = [30, 60]
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        raise OSError("SMTP refused")

    monkeypatch.setattr(invitations, "send_email", failing)
    services.invitation_create(actor=acme.recruiter, application=acme.application)
    message = OutboxMessage.objects.get()
    assert message.attempts == 1 and message.state == "pending"
    assert message.last_error == "SMTP refused"
    assert 25 < (message.due_at - timezone.now()).total_seconds() <= 30

    later = message.due_at + timedelta(seconds=1)
    assert pipeline.outbox_deliver(message_id=str(message.pk), now=later) == "retry"
    message.refresh_from_db()
    assert message.attempts == 2
    later = message.due_at + timedelta(seconds=1)
    assert pipeline.outbox_deliver(message_id=str(message.pk), now=later) == "failed"
    message.refresh_from_db()
    assert message.state == "failed" and message.attempts == 3
    assert len(calls) == 3
    assert all(call["message_id"] == str(message.pk) for call in calls)


@pytest.mark.django_db(transaction=True)
def test_a_delivery_in_progress_keeps_a_second_one_out(acme, monkeypatch):
    monkeypatch.setattr(pipeline, "_send", lambda task, args: None)
    from applications.services import invitation_create

    invitation_create(actor=acme.recruiter, application=acme.application)
    message = OutboxMessage.objects.get()
    now = timezone.now()
    assert pipeline._lease(str(message.pk), now) is not None  # a worker took it
    assert pipeline.outbox_deliver(message_id=str(message.pk), now=now) == "skipped"
    assert pipeline.outbox_sweep(now=now + timedelta(seconds=60)) == 0  # still leased
    assert mail.outbox == []


def test_an_unknown_or_malformed_message_id_is_skipped(db):
    assert pipeline.outbox_deliver(message_id="not-a-uuid") == "skipped"
    assert pipeline.outbox_deliver(message_id="6f1c8f0e-0000-4000-8000-000000000000") == "skipped"


def test_every_task_function_is_named_as_it_is_registered():
    """`monitoring.erasure_run` is `erasure_run` in monitoring/tasks.py: one name to look for."""
    import django.apps
    from celery import current_app

    ours = {config.name for config in django.apps.apps.get_app_configs()}
    mismatched = [
        (name, task.run.__name__)
        for name, task in current_app.tasks.items()
        if name.split(".")[0] in ours and task.run.__name__ != name.split(".", 1)[1]
    ]
    assert mismatched == []
