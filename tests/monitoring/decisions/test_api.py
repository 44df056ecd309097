"""Verdicts on incidents and notes pinned to the record, through the API (issue 33): each
success beside its refusal; other organizations see nothing (404), candidates may not (403)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from common.http import RequestInfo
from monitoring.images.services import monitoring_image_delete
from monitoring.integrity.services import integrity_frame_changed, integrity_rebuild
from monitoring.models import AccessEvent, IncidentVerdict, IntegrityEvent, ReviewNote
from tests.factories import (
    AdminFactory,
    FrameAnalysisFactory,
    IntegrityEventFactory,
    MonitoringImageFactory,
    RecruiterFactory,
)

pytestmark = pytest.mark.django_db


def _verdict_url(app, incident_id) -> str:
    return f"/api/applications/{app.id}/incidents/{incident_id}/verdict/"


def _integrity(client, app) -> dict:
    return client.get(f"/api/applications/{app.id}/integrity/").json()


@pytest.fixture
def finished(acme):
    """A finished interview with two incidents of two minutes each (2 × 2 × weight)."""
    app = acme.application
    app.status = "completed"
    app.started_at = timezone.now() - timedelta(minutes=30)
    app.completed_at = timezone.now()
    app.save()
    start = timezone.now() - timedelta(minutes=20)
    acme.no_face = IntegrityEventFactory(
        application=app,
        type="no_face",
        started_at=start,
        ended_at=start + timedelta(seconds=100),
        frame_count=4,
    )
    acme.tab = IntegrityEventFactory(
        application=app,
        type="tab_hidden",
        started_at=start + timedelta(minutes=5),
        ended_at=start + timedelta(minutes=5, seconds=90),
    )
    return acme


@pytest.fixture
def rita(finished, token_client_for):
    return token_client_for(finished.recruiter)


def test_a_dismissed_incident_leaves_the_reviewed_score_not_the_automatic_one(finished, rita):
    app = finished.application
    before = _integrity(rita, app)
    assert before["reviewed_score"] == before["score"] < 100
    no_face = next(i for i in before["incidents"] if i["id"] == finished.no_face.pk)
    assert no_face["verdict"] is None and no_face["verdict_by"] is None

    answer = rita.post(
        _verdict_url(app, finished.no_face.pk),
        {"verdict": "dismissed", "note": "Leaning to the notebook, face in view"},
        format="json",
    )
    assert answer.status_code == 201
    assert answer.json()["verdict"] == "dismissed"
    assert answer.json()["incident_id"] == finished.no_face.pk
    confirmed = rita.post(
        _verdict_url(app, finished.tab.pk), {"verdict": "confirmed"}, format="json"
    )
    assert confirmed.status_code == 201

    after = _integrity(rita, app)
    assert after["score"] == before["score"]  # automatic: every incident
    assert after["reviewed_score"] == before["score"] + no_face["points"]
    judged = {i["id"]: i for i in after["incidents"]}
    assert judged[finished.no_face.pk]["verdict"] == "dismissed"
    assert judged[finished.no_face.pk]["verdict_note"] == "Leaning to the notebook, face in view"
    assert judged[finished.no_face.pk]["verdict_by"]["username"] == "rita"
    assert judged[finished.no_face.pk]["verdict_at"] is not None
    assert judged[finished.tab.pk]["verdict"] == "confirmed"
    audit = AccessEvent.objects.filter(action="verdict_recorded", application=app)
    assert audit.count() == 2 and all(e.actor == finished.recruiter for e in audit)


def test_a_new_verdict_replaces_the_older_which_stays_in_the_history(finished, rita):
    app, url = finished.application, _verdict_url(finished.application, finished.no_face.pk)
    rita.post(url, {"verdict": "dismissed"}, format="json")
    rita.post(url, {"verdict": "confirmed", "note": "On a second look: away"}, format="json")
    rows = IncidentVerdict.objects.filter(incident_ref=finished.no_face.pk).order_by("id")
    assert [(r.verdict, r.replaced_at is None) for r in rows] == [
        ("dismissed", False),
        ("confirmed", True),
    ]
    incident = next(i for i in _integrity(rita, app)["incidents"] if i["verdict"])
    assert incident["verdict"] == "confirmed"


def test_a_candidates_verdict_is_refused(finished, token_client_for):
    john = token_client_for(finished.candidate)
    url = _verdict_url(finished.application, finished.no_face.pk)
    answer = john.post(url, {"verdict": "dismissed"}, format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
    assert not IncidentVerdict.objects.exists()


def test_a_verdict_on_another_organizations_incident_is_not_found(finished, globex, rita):
    theirs = IntegrityEventFactory(application=globex.application)
    answer = rita.post(
        _verdict_url(globex.application, theirs.pk), {"verdict": "dismissed"}, format="json"
    )
    assert answer.status_code == 404 and answer.json()["code"] == "application_not_found"
    # Nor through one's own interview: the incident is not in it.
    answer = rita.post(
        _verdict_url(finished.application, theirs.pk), {"verdict": "dismissed"}, format="json"
    )
    assert answer.status_code == 404 and answer.json()["code"] == "incident_not_found"
    assert not IncidentVerdict.objects.exists()


def test_an_admin_judges_any_organizations_incident(finished, token_client_for):
    admin = token_client_for(AdminFactory())
    url = _verdict_url(finished.application, finished.tab.pk)
    assert admin.post(url, {"verdict": "confirmed"}, format="json").status_code == 201


def test_a_verdict_must_be_confirmed_or_dismissed(finished, rita):
    url = _verdict_url(finished.application, finished.tab.pk)
    answer = rita.post(url, {"verdict": "maybe"}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "invalid_choice"
    answer = rita.post(url, {"verdict": "confirmed", "note": "x" * 1001}, format="json")
    assert answer.status_code == 400
    assert not IncidentVerdict.objects.exists()


def _flagged_frames(app, start, count):
    images = []
    for i in range(count):
        image = MonitoringImageFactory(
            application=app, captured_at=start + timedelta(seconds=10 * i)
        )
        FrameAnalysisFactory(image=image, face_count=0, no_face=True)
        integrity_frame_changed(image_id=image.id)
        images.append(image)
    return images


def test_a_verdict_survives_recomputes_and_outlives_its_incident_in_the_history(
    acme, token_client_for
):
    app = acme.application
    app.started_at = timezone.now() - timedelta(minutes=10)
    app.camera_monitoring = False
    app.save()
    images = _flagged_frames(app, timezone.now() - timedelta(minutes=5), 3)
    incident = IntegrityEvent.objects.get(application=app, type="no_face")
    rita = token_client_for(acme.recruiter)
    rita.post(_verdict_url(app, incident.pk), {"verdict": "confirmed"}, format="json")

    integrity_rebuild(application_id=app.pk)  # the rules changed, the interview ended…
    [again] = _integrity(rita, app)["incidents"]
    assert again["id"] == incident.pk and again["verdict"] == "confirmed"

    for image in images[1:]:  # a reviewer deletes the evidence: the run is one frame
        monitoring_image_delete(actor=acme.recruiter, image=image, info=RequestInfo())
        integrity_frame_changed(image_id=images[0].pk)
    assert not IntegrityEvent.objects.filter(application=app).exists()
    [kept] = IncidentVerdict.objects.filter(application=app)
    assert kept.incident is None and kept.incident_gone_at is not None
    assert kept.incident_ref == incident.pk and kept.incident_type == "no_face"
    assert kept.incident_frame_count == 3 and kept.verdict == "confirmed"


# --- Notes ---------------------------------------------------------------------------------------


def _notes(app) -> str:
    return f"/api/applications/{app.id}/notes/"


def test_a_reviewer_pins_notes_to_moments_and_captures(finished, rita):
    app = finished.application
    image = MonitoringImageFactory(application=app)
    at = timezone.now() - timedelta(minutes=12)
    one = rita.post(_notes(app), {"at": at.isoformat(), "text": "Reads from paper"}, format="json")
    assert one.status_code == 201 and one.json()["image_id"] is None
    two = rita.post(_notes(app), {"image_id": image.pk, "text": "Second person?"}, format="json")
    assert two.status_code == 201
    assert two.json()["at"].startswith(image.captured_at.strftime("%Y-%m-%dT%H:%M"))
    listing = rita.get(_notes(app)).json()
    assert [n["text"] for n in listing] == ["Reads from paper", "Second person?"]
    assert listing[0]["author"]["username"] == "rita" and listing[0]["editable"] is True
    audit = AccessEvent.objects.filter(action="note_added", application=app)
    assert audit.count() == 2


def test_a_note_needs_a_time_or_a_capture_of_this_interview(finished, globex, rita):
    app = finished.application
    answer = rita.post(_notes(app), {"text": "when?"}, format="json")
    assert answer.status_code == 400
    theirs = MonitoringImageFactory(application=globex.application)
    answer = rita.post(_notes(app), {"image_id": theirs.pk, "text": "x"}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "image_not_found"
    assert not ReviewNote.objects.exists()


def test_notes_are_reviewers_and_scoped_to_the_organization(finished, globex, token_client_for):
    john = token_client_for(finished.candidate)
    app = finished.application
    assert john.get(_notes(app)).status_code == 403
    answer = john.post(_notes(app), {"at": timezone.now().isoformat(), "text": "x"}, format="json")
    assert answer.status_code == 403
    gina = token_client_for(globex.recruiter)
    assert gina.get(_notes(app)).status_code == 404
    answer = gina.post(_notes(app), {"at": timezone.now().isoformat(), "text": "x"}, format="json")
    assert answer.status_code == 404
    assert not ReviewNote.objects.exists()


def test_its_author_edits_a_note_for_15_minutes_then_it_is_append_only(
    finished, rita, token_client_for
):
    app = finished.application
    note = rita.post(
        _notes(app), {"at": timezone.now().isoformat(), "text": "Typo"}, format="json"
    ).json()
    url = f"{_notes(app)}{note['id']}/"
    edited = rita.patch(url, {"text": "Typing, no typo"}, format="json")
    assert edited.status_code == 200 and edited.json()["edited_at"] is not None
    colleague = token_client_for(RecruiterFactory(organization=finished.organization))
    answer = colleague.patch(url, {"text": "Mine now"}, format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "not_author"

    ReviewNote.objects.filter(pk=note["id"]).update(
        created_at=timezone.now() - timedelta(minutes=16)
    )
    answer = rita.patch(url, {"text": "Too late"}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "note_locked"
    assert ReviewNote.objects.get().text == "Typing, no typo"
    assert rita.get(_notes(app)).json()[0]["editable"] is False
    assert AccessEvent.objects.filter(action="note_edited", application=app).count() == 1
    missing = rita.patch(f"{_notes(app)}999999/", {"text": "x"}, format="json")
    assert missing.status_code == 404 and missing.json()["code"] == "note_not_found"
