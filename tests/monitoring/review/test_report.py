"""The printable report: who may open it, what it holds, and that opening it is audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.integrity.services import integrity_rebuild
from monitoring.models import AccessEvent
from tests.factories import MonitoringEventFactory, MonitoringImageFactory

pytestmark = pytest.mark.django_db


def _url(application) -> str:
    return f"/console/applications/{application.pk}/report/"


def _tab_hidden(application, minutes: int) -> None:
    start = timezone.now() - timedelta(minutes=30)
    application.started_at = start
    application.status = "completed"
    application.completed_at = start + timedelta(minutes=20)
    application.save()
    MonitoringEventFactory(application=application, type="tab_hidden", occurred_at=start)
    MonitoringEventFactory(
        application=application, type="tab_visible", occurred_at=start + timedelta(minutes=minutes)
    )
    integrity_rebuild(application_id=application.pk)


def test_the_report_holds_score_weights_incidents_and_who_changed_the_record(acme, client):
    _tab_hidden(acme.application, 3)
    MonitoringImageFactory(application=acme.application, uploaded_by=acme.recruiter)
    client.force_login(acme.recruiter)
    response = client.get(_url(acme.application))
    assert response.status_code == 200
    html = response.content.decode()
    # 100 − 3 min × 4, over no analysed camera frame: a state, not a green number
    assert 'data-report-score data-level="unknown">88<' in html
    assert "Face visible in 0 of 0 analysed camera frames" in html
    assert "Interview tab hidden" in html and "4/min" in html
    assert "Rita Reyes added 1 capture." in html
    assert "John Carter (" in html  # by name, with what tells them apart
    entry = AccessEvent.objects.get(action="report_printed")
    assert entry.actor == acme.recruiter and entry.application_id == acme.application.pk
    assert entry.detail == "score 88, 1 incident(s)"


def test_only_reviewers_of_the_organization_open_it(acme, globex, client):
    client.force_login(acme.candidate)
    assert client.get(_url(acme.application)).status_code == 403
    client.force_login(globex.recruiter)
    assert client.get(_url(acme.application)).status_code == 404
    assert not AccessEvent.objects.filter(action="report_printed").exists()


def test_the_timeline_links_to_it(acme, client):
    client.force_login(acme.recruiter)
    html = client.get(f"/console/applications/{acme.application.pk}/").content.decode()
    assert f'href="{_url(acme.application)}">Print report<' in html
