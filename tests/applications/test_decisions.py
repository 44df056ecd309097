"""Decisions through the API (issue 33): after the interview ends, with a reason; the
four-eyes rule for a violation where the organization asks for it; a verdict change reopens
the decision; each step audited; a final decision sends `decision.made`."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Decision
from integrations.models import WebhookDelivery
from monitoring.models import AccessEvent
from tests.factories import (
    AdminFactory,
    IntegrityEventFactory,
    RecruiterFactory,
    WebhookEndpointFactory,
)

pytestmark = pytest.mark.django_db


def _url(app) -> str:
    return f"/api/applications/{app.id}/decision/"


def _finish(org):
    app = org.application
    app.status = "completed"
    app.started_at = timezone.now() - timedelta(minutes=30)
    app.completed_at = timezone.now()
    app.save()
    return app


@pytest.fixture
def rita(acme, token_client_for):
    return token_client_for(acme.recruiter)


@pytest.fixture
def second(acme, token_client_for):
    """Another reviewer of Acme."""
    return token_client_for(RecruiterFactory(username="sam", organization=acme.organization))


@pytest.fixture
def four_eyes(acme):
    acme.organization.decision_second_review = True
    acme.organization.save()
    return acme


def test_a_decision_with_its_reason_shows_on_the_application(acme, rita):
    app = _finish(acme)
    answer = rita.post(_url(app), {"outcome": "cleared", "reason": "Nothing seen"}, format="json")
    assert answer.status_code == 201
    decision = rita.get(f"/api/applications/{app.id}/").json()["decision"]
    assert decision["outcome"] == "cleared" and decision["reason"] == "Nothing seen"
    assert decision["by"]["username"] == "rita" and decision["at"] is not None
    assert decision["state"] == "final"
    listed = rita.get("/api/applications/").json()["results"]
    assert next(a for a in listed if a["id"] == app.id)["decision"]["outcome"] == "cleared"
    [entry] = AccessEvent.objects.filter(action="decision_recorded", application=app)
    assert entry.actor == acme.recruiter and "Nothing seen" in entry.detail


def test_a_decision_before_the_end_is_refused(acme, rita):
    app = acme.application  # in progress
    answer = rita.post(_url(app), {"outcome": "cleared", "reason": "Early"}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "interview_in_progress"
    assert not Decision.objects.exists()


def test_a_candidate_may_not_decide_nor_see_the_decision(acme, rita, token_client_for):
    app = _finish(acme)
    john = token_client_for(acme.candidate)
    answer = john.post(_url(app), {"outcome": "cleared", "reason": "Me"}, format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
    rita.post(_url(app), {"outcome": "cleared", "reason": "Notes"}, format="json")
    # Only a final decision against them is the candidate's to see (issue 34).
    assert john.get(f"/api/applications/{app.id}/").json()["decision"] is None
    confirm = john.post(f"{_url(app)}confirm/")
    assert confirm.status_code == 403


def test_another_organization_sees_no_decision_to_make(acme, globex, token_client_for):
    app = _finish(acme)
    gina = token_client_for(globex.recruiter)
    answer = gina.post(_url(app), {"outcome": "cleared", "reason": "x"}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "application_not_found"
    assert gina.post(f"{_url(app)}confirm/").status_code == 404
    assert not Decision.objects.exists()


def test_an_outcome_and_a_reason_are_required(acme, rita):
    app = _finish(acme)
    answer = rita.post(_url(app), {"outcome": "guilty", "reason": "x"}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_choice"
    answer = rita.post(_url(app), {"outcome": "cleared", "reason": ""}, format="json")
    assert answer.status_code == 400
    assert not Decision.objects.exists()


def test_a_violation_waits_for_a_second_reviewer(four_eyes, rita, second):
    app = _finish(four_eyes)
    made = rita.post(_url(app), {"outcome": "violation", "reason": "Phone"}, format="json")
    assert made.json()["state"] == "pending_second_review"

    same = rita.post(f"{_url(app)}confirm/")
    assert same.status_code == 409 and same.json()["code"] == "same_reviewer"
    assert Decision.objects.get().state == "pending_second_review"

    confirmed = second.post(f"{_url(app)}confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["state"] == "final"
    assert confirmed.json()["confirmed_by"]["username"] == "sam"
    again = second.post(f"{_url(app)}confirm/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    actions = AccessEvent.objects.filter(application=app, action__startswith="decision_")
    assert sorted(actions.values_list("action", flat=True)) == [
        "decision_confirmed",
        "decision_recorded",
    ]


def test_without_the_setting_or_for_other_outcomes_a_decision_is_final_at_once(four_eyes, rita):
    app = _finish(four_eyes)
    made = rita.post(_url(app), {"outcome": "concerns", "reason": "Looks away"}, format="json")
    assert made.json()["state"] == "final"
    four_eyes.organization.decision_second_review = False
    four_eyes.organization.save()
    made = rita.post(_url(app), {"outcome": "violation", "reason": "Phone"}, format="json")
    assert made.json()["state"] == "final"
    assert Decision.objects.filter(replaced_at=None).count() == 1  # the older one replaced
    assert Decision.objects.count() == 2


def test_a_verdict_change_reopens_the_decision_it_rests_on(acme, rita):
    app = _finish(acme)
    incident = IntegrityEventFactory(application=app)
    verdict = f"/api/applications/{app.id}/incidents/{incident.pk}/verdict/"
    rita.post(verdict, {"verdict": "confirmed"}, format="json")
    rita.post(_url(app), {"outcome": "violation", "reason": "Away"}, format="json")
    rita.post(verdict, {"verdict": "confirmed", "note": "Same verdict"}, format="json")
    assert Decision.objects.get().state == "final"  # the same verdict changes nothing

    rita.post(verdict, {"verdict": "dismissed"}, format="json")
    decision = rita.get(f"/api/applications/{app.id}/").json()["decision"]
    assert decision["state"] == "reopened" and "dismissed" in decision["reopened_because"]
    assert AccessEvent.objects.filter(action="decision_reopened", application=app).exists()
    assert rita.post(f"{_url(app)}confirm/").json()["code"] == "invalid_transition"


def test_a_final_decision_sends_decision_made(four_eyes, rita, second):
    WebhookEndpointFactory(organization=four_eyes.organization, events=["decision.made"])
    app = _finish(four_eyes)
    rita.post(_url(app), {"outcome": "violation", "reason": "Phone"}, format="json")
    assert not WebhookDelivery.objects.exists()  # not final yet
    second.post(f"{_url(app)}confirm/")
    [delivery] = WebhookDelivery.objects.all()
    payload = json.loads(delivery.payload)
    assert payload["type"] == "decision.made"
    assert payload["data"]["application_id"] == app.pk
    assert payload["data"]["outcome"] == "violation" and payload["data"]["state"] == "final"


def test_an_admin_confirms_a_recruiters_violation(four_eyes, rita, token_client_for):
    app = _finish(four_eyes)
    rita.post(_url(app), {"outcome": "violation", "reason": "Phone"}, format="json")
    admin = token_client_for(AdminFactory())
    assert admin.post(f"{_url(app)}confirm/").json()["state"] == "final"
