"""The candidate's answer to a decision (issue 34, point 1): once, within
RESPONSE_WINDOW_DAYS of a final `concerns` / `violation`; it reaches the reviewers (e-mail
through the outbox, the console badge, the webhook, the audit), and the decision a reviewer
records after it says whether it was kept or changed."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from applications.models import CandidateResponse, Decision
from integrations.models import WebhookDelivery
from monitoring.models import AccessEvent
from tests.factories import IntegrityEventFactory, MonitoringImageFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


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
def john(acme, token_client_for):
    return token_client_for(acme.candidate)


def _decide(client, app, outcome="violation", reason="Phone in view"):
    answer = client.post(
        f"/api/applications/{app.id}/decision/",
        {"outcome": outcome, "reason": reason},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()


def _answer(client, app, text="I was reading the task aloud"):
    return client.post(f"/api/applications/{app.id}/response/", {"text": text}, format="json")


def test_the_candidate_answers_a_final_violation_once(
    acme, rita, john, django_capture_on_commit_callbacks
):
    app = _finish(acme)
    _decide(rita, app)
    seen = john.get(f"/api/applications/{app.id}/").json()
    assert seen["decision"]["outcome"] == "violation" and seen["response_until"] is not None
    with django_capture_on_commit_callbacks(execute=True):
        answer = _answer(john, app)
    assert answer.status_code == 201 and answer.json()["text"] == "I was reading the task aloud"
    again = _answer(john, app, "And another thing")
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    assert CandidateResponse.objects.get().text == "I was reading the task aloud"
    # It reaches the reviewers: an e-mail, the application, the audit.
    assert [m.to for m in mail.outbox] == [[acme.recruiter.email]]
    assert f"/console/applications/{app.id}/" in mail.outbox[0].body
    assert "reading the task" not in mail.outbox[0].body  # the text stays in Invigil
    assert rita.get(f"/api/applications/{app.id}/").json()["response"]["text"].startswith("I was")
    assert AccessEvent.objects.filter(
        action="candidate_responded", application=app, actor=acme.candidate
    ).exists()


def test_nothing_to_answer_before_a_final_decision_against_the_candidate(acme, rita, john):
    app = _finish(acme)
    answer = _answer(john, app)
    assert answer.status_code == 409 and answer.json()["code"] == "nothing_to_answer"
    _decide(rita, app, outcome="cleared")
    assert _answer(john, app).json()["code"] == "nothing_to_answer"
    assert john.get(f"/api/applications/{app.id}/").json()["decision"] is None
    acme.organization.decision_second_review = True
    acme.organization.save()
    _decide(rita, app, outcome="violation")  # waits for a second reviewer: not final
    assert _answer(john, app).json()["code"] == "nothing_to_answer"
    assert not CandidateResponse.objects.exists()


def test_the_window_to_answer_closes(acme, rita, john, settings):
    settings.RESPONSE_WINDOW_DAYS = 7
    app = _finish(acme)
    _decide(rita, app, outcome="concerns")
    Decision.objects.update(decided_at=timezone.now() - timedelta(days=8))
    answer = _answer(john, app)
    assert answer.status_code == 409 and answer.json()["code"] == "response_window_closed"
    assert john.get(f"/api/applications/{app.id}/").json()["response_until"] is None


def test_only_the_candidate_answers(acme, globex, rita, token_client_for):
    app = _finish(acme)
    _decide(rita, app)
    answer = _answer(rita, app)
    assert answer.status_code == 403 and answer.json()["code"] == "not_candidate"
    mary = token_client_for(globex.candidate)
    answer = _answer(mary, app)
    assert answer.status_code == 404 and answer.json()["code"] == "application_not_found"
    assert not CandidateResponse.objects.exists()


def test_the_decision_after_the_answer_says_kept_or_changed(acme, rita, john, client):
    app = _finish(acme)
    _decide(rita, app)
    _answer(john, app)
    client.force_login(acme.recruiter)
    assert "data-response-badge" in client.get("/console/").content.decode()
    kept = _decide(rita, app, outcome="violation", reason="The answer does not explain it")
    assert kept["after_response"] is True and kept["previous_outcome"] == "violation"
    assert "data-response-badge" not in client.get("/console/").content.decode()
    changed = _decide(rita, app, outcome="concerns", reason="Reading aloud is plausible")
    assert changed["after_response"] is True and changed["previous_outcome"] == "violation"
    html = client.get(f"/console/applications/{app.id}/report/").content.decode()
    assert "data-report-response" in html and "I was reading the task aloud" in html
    assert "changed from violation" in html


def test_the_answer_sends_candidate_responded(acme, rita, john):
    WebhookEndpointFactory(organization=acme.organization, events=["candidate.responded"])
    app = _finish(acme)
    _decide(rita, app)
    _answer(john, app)
    [delivery] = WebhookDelivery.objects.all()
    payload = json.loads(delivery.payload)
    assert payload["type"] == "candidate.responded"
    assert payload["data"]["application_id"] == app.pk
    assert payload["data"]["decision_outcome"] == "violation"
    assert "text" not in payload["data"]


def test_the_candidate_sees_what_counts_against_them_and_answers_on_their_page(acme, rita, client):
    app = _finish(acme)
    frame = MonitoringImageFactory(application=app, uploaded_by=acme.candidate)
    reviewers = MonitoringImageFactory(application=app, uploaded_by=acme.recruiter)
    counted = IntegrityEventFactory(application=app, type="no_face", image_ids=[frame.pk])
    dismissed = IntegrityEventFactory(application=app, type="tab_hidden")
    rita.post(
        f"/api/applications/{app.id}/incidents/{dismissed.pk}/verdict/",
        {"verdict": "dismissed"},
        format="json",
    )
    IntegrityEventFactory(application=app, type="multiple_faces", image_ids=[reviewers.pk])
    _decide(rita, app)
    client.force_login(acme.candidate)
    html = client.get("/interview/").content.decode()
    assert 'data-outcome="violation"' in html and "Phone in view" in html
    assert f'data-incident-type="{counted.type}"' in html
    assert 'data-incident-type="tab_hidden"' not in html  # dismissed: it does not count
    assert html.count("Your camera snapshot of") == 1  # their own frame, not the reviewer's
    response = client.post(f"/interview/{app.id}/response/", {"text": "I looked down"})
    assert response.status_code == 302
    assert CandidateResponse.objects.get().text == "I looked down"
    html = client.get("/interview/").content.decode()
    assert "data-candidate-response" in html and "data-response-form" not in html
