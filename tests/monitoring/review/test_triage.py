"""The triage queue (issue 34, point 2): the console puts what needs a person first — ended
without a decision (or answered by the candidate since, or reopened), then the incidents nobody
has judged, then a face that disagrees with the selfie, then the lowest score — and filters by
queue, outcome and job. The keys (j / k, Enter) are walked in tests/e2e/test_decisions.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Decision
from tests.factories import (
    CandidateResponseFactory,
    DecisionFactory,
    IncidentVerdictFactory,
    IntegrityEventFactory,
    IntegritySummaryFactory,
    JobApplicationFactory,
    JobFactory,
)

pytestmark = pytest.mark.django_db


def _app(acme, name, *, status="in_progress", job=None, score=None):
    app = JobApplicationFactory(
        job=job or acme.job,
        status=status,
        candidate__username=name,
        started_at=timezone.now() - timedelta(hours=1),
        completed_at=timezone.now() if status == "completed" else None,
    )
    if score is not None:
        IntegritySummaryFactory(application=app, score=score, penalty=100 - score)
    return app


def _incident(app, kind="no_face", verdict=None):
    incident = IntegrityEventFactory(application=app, type=kind)
    if verdict:
        IncidentVerdictFactory(incident=incident, verdict=verdict)
    return incident


@pytest.fixture
def queue(acme):
    """Seven interviews of Acme, made in an order the triage must undo (newest last)."""
    other_job = JobFactory(organization=acme.organization, title="Data engineer")
    acme.application.delete()
    apps = {
        "decided": _app(acme, "decided", status="completed", score=40),
        "calm": _app(acme, "calm", score=95),
        "low": _app(acme, "low", score=30, job=other_job),
        "stranger": _app(acme, "stranger", score=90),
        "busy": _app(acme, "busy", score=80),
        "answered": _app(acme, "answered", status="completed", score=50),
        "ended": _app(acme, "ended", status="completed", score=70),
    }
    DecisionFactory(application=apps["decided"], outcome="cleared")
    for _ in range(3):
        _incident(apps["busy"])
    _incident(apps["busy"], verdict="dismissed")  # judged: does not count
    _incident(apps["stranger"], kind="identity_mismatch", verdict="confirmed")
    _incident(apps["decided"])
    CandidateResponseFactory(
        decision=DecisionFactory(application=apps["answered"], outcome="violation")
    )
    acme.apps = apps
    return acme


def _order(client, query="") -> list[str]:
    page = client.get(f"/console/{query}")
    assert page.status_code == 200
    return [app.candidate.username for app, _ in page.context["rows"]]


def test_the_console_puts_what_needs_a_person_first(queue, client_for):
    order = _order(client_for(queue.recruiter))
    # Answered since the decision, ended without one (the lower score first); then 3
    # unjudged incidents; then one; then a face mismatch; then the lowest score first.
    assert order == ["answered", "ended", "busy", "decided", "stranger", "low", "calm"]


def test_a_decision_after_the_answer_takes_it_off_the_top(queue, client_for):
    answered = queue.apps["answered"]
    Decision.objects.filter(application=answered).update(replaced_at=timezone.now())
    DecisionFactory(application=answered, outcome="concerns", after_response=True)
    order = _order(client_for(queue.recruiter))
    assert order.index("answered") > order.index("busy")


def test_a_reopened_decision_needs_a_person_again(queue, client_for):
    Decision.objects.filter(application=queue.apps["decided"]).update(state="reopened")
    assert _order(client_for(queue.recruiter))[:3] == ["decided", "answered", "ended"]


def test_the_queue_filters(queue, client_for):
    client = client_for(queue.recruiter)
    assert _order(client, "?queue=needs_review") == ["answered", "ended", "decided"]
    assert _order(client, "?queue=answered") == ["answered"]
    assert _order(client, "?queue=decided") == ["answered", "decided"]
    assert _order(client, "?outcome=violation") == ["answered"]
    low_job = queue.apps["low"].job_id
    assert _order(client, f"?job={low_job}") == ["low"]
    assert _order(client, "?sort=newest")[0] == "ended"
    assert _order(client, "?sort=score") == [
        "low",
        "decided",
        "answered",
        "ended",
        "busy",
        "stranger",
        "calm",
    ]


def test_nonsense_filters_are_ignored_not_errors(queue, client_for):
    client = client_for(queue.recruiter)
    for query in ("?job=abc", "?job=-1", f"?job={2**70}", "?queue=x", "?outcome=x", "?sort=x"):
        assert len(_order(client, query)) == 7


def test_another_organizations_job_shows_nothing(queue, globex, client_for):
    assert _order(client_for(queue.recruiter), f"?job={globex.job.pk}") == []
