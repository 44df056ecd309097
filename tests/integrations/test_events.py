"""Which changes become which events, for whom: written in the transaction of the change, one
delivery (one outbox message) per endpoint that asked for the event, of that organization.

These tests stop at the outbox: nothing is sent (the receiver tests send)."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from applications.models import JobApplication
from applications.services import (
    application_finish,
    application_start,
    application_withdraw,
    consent_give,
)
from cameras.services import camera_stream_set_status
from common.http import RequestInfo
from common.models import OutboxMessage
from integrations.models import WebhookDelivery
from monitoring.integrity.services import integrity_event_recorded, integrity_rebuild
from monitoring.models import IntegrityEvent
from monitoring.privacy.services import application_erase, user_erase
from tests.factories import (
    JobApplicationFactory,
    JobFactory,
    MonitoringEventFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db

ALL = [
    "interview.started",
    "interview.finished",
    "incident.opened",
    "erasure.completed",
]


def _payloads(event_type=None):
    qs = WebhookDelivery.objects.order_by("created_at")
    if event_type:
        qs = qs.filter(event_type=event_type)
    return [json.loads(d.payload) for d in qs]


@pytest.fixture
def hooked(acme):
    """Acme's ATS, subscribed to every event built today."""
    return WebhookEndpointFactory(organization=acme.organization, events=ALL)


def _invited(org) -> JobApplication:
    application = org.application
    application.status = JobApplication.Status.INVITED
    application.save(update_fields=["status"])
    return application


def test_starting_the_interview_sends_interview_started(acme, hooked):
    application = application_start(actor=acme.candidate, application=_invited(acme))
    [payload] = _payloads()
    assert payload["type"] == "interview.started"
    assert payload["data"] == {
        "application_id": application.pk,
        "job_id": acme.job.pk,
        "candidate_id": acme.candidate.pk,
        "started_at": payload["timestamp"],
        "started_by": "candidate",
    }
    delivery = WebhookDelivery.objects.get()
    message = OutboxMessage.objects.get()
    assert message.pk == delivery.pk and message.task == "integrations.deliver_webhook"
    assert delivery.application_id == application.pk and delivery.state == "pending"


def test_an_interview_opened_in_progress_starts_at_its_first_recording(acme, globex, hooked):
    WebhookEndpointFactory(organization=globex.organization, events=ALL)  # not theirs to hear
    WebhookEndpointFactory(organization=acme.organization, events=ALL, active=False)
    assert acme.application.started_at is None
    consent_give(actor=acme.candidate, application=acme.application)
    camera_stream_set_status(user=acme.candidate, is_active=True, application=acme.application)
    [payload] = _payloads()  # the camera, recording too, sends nothing more
    assert payload["type"] == "interview.started"
    assert payload["data"]["started_by"] == "first_recording"
    assert WebhookDelivery.objects.get().endpoint == hooked
    acme.application.refresh_from_db()
    assert payload["data"]["started_at"] == payload["timestamp"]
    assert acme.application.started_at is not None


def test_finishing_sends_interview_finished(acme, hooked):
    application_finish(actor=acme.candidate, application=acme.application)
    [payload] = _payloads()
    assert payload["type"] == "interview.finished"
    assert payload["data"]["status"] == "completed"
    assert payload["data"]["application_id"] == acme.application.pk


def test_a_withdrawal_after_the_start_finishes_the_interview(acme, hooked):
    application = application_start(actor=acme.candidate, application=_invited(acme))
    application_withdraw(actor=acme.recruiter, application=application)
    started, finished = _payloads()
    assert (started["type"], finished["type"]) == ("interview.started", "interview.finished")
    assert finished["data"]["status"] == "withdrawn"
    assert finished["data"]["started_at"] == started["data"]["started_at"]


def test_a_withdrawal_before_anything_started_sends_nothing(acme, hooked):
    application_withdraw(actor=acme.recruiter, application=_invited(acme))
    opened_but_silent = JobApplicationFactory(job=acme.job)  # in progress, never recorded
    application_withdraw(actor=acme.recruiter, application=opened_but_silent)
    assert _payloads() == []


def test_only_the_organizations_endpoints_that_asked_hear_it(acme, globex):
    asked = WebhookEndpointFactory(organization=acme.organization, events=["interview.finished"])
    WebhookEndpointFactory(organization=acme.organization, events=["incident.opened"])
    WebhookEndpointFactory(
        organization=acme.organization, events=["interview.finished"], active=False
    )
    WebhookEndpointFactory(organization=globex.organization, events=["interview.finished"])
    application_finish(actor=acme.candidate, application=acme.application)
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [asked.pk]


def test_two_endpoints_get_two_deliveries_each_with_its_own_id(acme):
    one = WebhookEndpointFactory(organization=acme.organization, events=["interview.finished"])
    two = WebhookEndpointFactory(organization=acme.organization, events=["interview.finished"])
    application_finish(actor=acme.candidate, application=acme.application)
    deliveries = list(WebhookDelivery.objects.all())
    assert {d.endpoint_id for d in deliveries} == {one.pk, two.pk}
    assert len({d.webhook_id for d in deliveries}) == 2
    assert deliveries[0].payload == deliveries[1].payload  # one event, one body
    assert OutboxMessage.objects.count() == 2


def test_a_change_rolled_back_sends_nothing(acme, hooked):
    with pytest.raises(RuntimeError), transaction.atomic():
        application_finish(actor=acme.candidate, application=acme.application)
        raise RuntimeError("the request failed after the change")
    assert WebhookDelivery.objects.count() == 0 and OutboxMessage.objects.count() == 0


def _episode(application, start, seconds, hidden="tab_hidden", visible="tab_visible"):
    for type, at in ((hidden, start), (visible, start + timedelta(seconds=seconds))):
        event = MonitoringEventFactory(
            application=application, type=type, occurred_at=at, received_at=at, counted_at=at
        )
        integrity_event_recorded(event_id=event.pk, now=start + timedelta(minutes=10))


def test_each_new_incident_is_announced_once(acme, hooked):
    t0 = timezone.now() - timedelta(minutes=30)
    _episode(acme.application, t0, 15)
    [incident] = IntegrityEvent.objects.filter(application=acme.application)
    [payload] = _payloads("incident.opened")
    # Announced when it was first stored: the tab hidden and not yet back (ongoing).
    assert payload["data"] == {
        "application_id": acme.application.pk,
        "incident_id": incident.pk,
        "type": "tab_hidden",
        "started_at": payload["data"]["started_at"],
        "ongoing": True,
        "frame_count": 0,
        "reason": payload["data"]["reason"],
    }
    assert payload["data"]["reason"].startswith("Interview tab hidden since")
    assert not incident.ongoing  # the tab came back: the same incident, closed in place

    # The same incident growing, re-evaluated, and rebuilt from scratch keeps its id: not
    # announced again.
    _episode(acme.application, t0 + timedelta(seconds=1), 20)
    integrity_rebuild(application_id=acme.application.pk)
    assert IntegrityEvent.objects.filter(application=acme.application).count() == 1
    assert len(_payloads("incident.opened")) == 1

    # Another episode is another incident, announced with its own id.
    _episode(acme.application, t0 + timedelta(minutes=5), 30)
    ids = [p["data"]["incident_id"] for p in _payloads("incident.opened")]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_an_erasure_sends_its_receipt_and_the_log_forgets_the_interview(acme, globex, hooked):
    application_finish(actor=acme.candidate, application=acme.application)
    assert len(_payloads()) == 1
    acme.application.refresh_from_db()
    job = application_erase(
        actor=acme.recruiter, application=acme.application, info=RequestInfo(ip=None)
    )
    assert job.state == "done"
    [payload] = _payloads()  # interview.finished for it is gone with the interview
    assert payload["type"] == "erasure.completed"
    assert payload["data"] == {
        "application_id": acme.application.pk,
        "receipt_id": str(job.receipt_id),
        "kind": "application",
        "erased_at": payload["timestamp"],
        "objects_deleted": job.objects_deleted,
        "rows_deleted": job.rows_deleted,
    }


def test_erasing_a_candidate_tells_each_organization_of_its_own_interviews(
    acme, globex, admin_user
):
    theirs = WebhookEndpointFactory(organization=globex.organization, events=ALL)
    ours = WebhookEndpointFactory(organization=acme.organization, events=ALL)
    other_job = JobFactory(organization=globex.organization)
    second = JobApplicationFactory(
        job=other_job, candidate=acme.candidate, status=JobApplication.Status.COMPLETED
    )
    application_finish(actor=acme.candidate, application=acme.application)
    WebhookDelivery.objects.all().delete()
    user_erase(actor=admin_user, user=acme.candidate, info=RequestInfo(ip=None))
    sent = {
        (d.endpoint_id, d.application_id)
        for d in WebhookDelivery.objects.filter(event_type="erasure.completed")
    }
    assert sent == {(ours.pk, acme.application.pk), (theirs.pk, second.pk)}


def test_the_hook_for_events_whose_features_land_later(acme):
    """identity.mismatch, decision.made, candidate.responded: subscribed to today, sent the
    day their feature's receiver calls `application_event_emit`."""
    from integrations import events
    from integrations.services import application_event_emit

    endpoint = WebhookEndpointFactory(organization=acme.organization, events=["decision.made"])
    at = timezone.now()
    [delivery] = application_event_emit(
        event_type=events.DECISION_MADE,
        application_id=acme.application.pk,
        at=at,
        data={"outcome": "cleared", "state": "final"},
    )
    assert delivery.endpoint == endpoint
    assert json.loads(delivery.payload)["data"] == {
        "application_id": acme.application.pk,
        "job_id": acme.job.pk,
        "candidate_id": acme.candidate.pk,
        "outcome": "cleared",
        "state": "final",
    }
    assert (
        application_event_emit(
            event_type=events.IDENTITY_MISMATCH, application_id=acme.application.pk, at=at
        )
        == []
    )  # nobody asked for it
