"""After a person is erased, no table holds their username, e-mail, name or network address:
every text column of every model is searched (the audit keeps ids, not names; django-axes'
sign-in records of them go; the admin's history of their account forgets its name)."""

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.utils import timezone

from accounts.models import User
from applications.models import JobApplication
from cameras.models import LiveWatch
from monitoring.audit.receivers import on_live_watch_ended
from tests.factories import CandidateFactory, JobApplicationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "203.0.113.77"
TEXT = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.GenericIPAddressField,
    models.JSONField,
)


def _where(needle: str) -> list[str]:
    """Every (model, column) whose text holds `needle`, whatever the case."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT):
                continue
            rows = model.objects.annotate(_text=Cast(field.name, models.TextField())).filter(
                _text__icontains=needle
            )
            if rows.exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_an_erased_candidate_leaves_no_personal_data_in_any_table(
    acme, admin_user, password, limits_on
):
    person = CandidateFactory(
        username="jcarter7731",
        first_name="Johnathan",
        last_name="Carterwright",
        email="jc7731@example.org",
    )
    app = JobApplicationFactory(job=acme.job, candidate=person)
    browser = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="Mozilla/5.0 (Test)")
    # A failed and a good sign-in (django-axes and the audit remember both), consent.
    browser.post("/accounts/login/", {"username": "jcarter7731", "password": "wrong"})
    browser.post("/accounts/login/", {"username": "jcarter7731", "password": password})
    assert (
        browser.post(
            f"/api/applications/{app.pk}/consent/",
            {"accepted": True},
            content_type="application/json",
        ).status_code
        == 201
    )
    # A reviewer watched the camera live (the audit's entry for it).
    now = timezone.now()
    watch = LiveWatch.objects.create(
        viewer=acme.recruiter,
        candidate=person,
        application=app,
        viewer_channel="v",
        candidate_channel="c",
        started_at=now,
        ended_at=now,
        end_reason="viewer",
    )
    on_live_watch_ended(sender=LiveWatch, watch=watch)
    # An admin edited the account in the admin (its history names the object).
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
    )
    needles = ["jcarter7731", "jc7731@example.org", "Johnathan", "Carterwright", ADDRESS]
    assert all(_where(needle) for needle in needles)  # the person is in the record now

    app.status = JobApplication.Status.COMPLETED
    app.save()
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(f"/api/users/{person.pk}/erase/")
    assert response.status_code == 200, response.content

    assert {needle: _where(needle) for needle in needles} == {needle: [] for needle in needles}
