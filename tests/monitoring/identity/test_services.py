"""Identity without dlib, the system check, the template maths."""

from datetime import timedelta

import pytest
from django.utils import timezone

from monitoring.faces import templates
from monitoring.identity import checks
from monitoring.models import FrameAnalysis
from tests.factories import IdentityReferenceFactory

from .conftest import b64, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_dlib(monkeypatch):
    """A server where dlib is not installed: loading the models fails."""

    def unavailable():
        raise templates.TemplatesUnavailable("dlib is not installed")

    monkeypatch.setattr(templates, "_models", unavailable)


def test_without_dlib_the_analysis_runs_and_leaves_frames_unmatched(
    consented, token_client_for, no_dlib, django_capture_on_commit_callbacks
):
    app = consented.application
    IdentityReferenceFactory(application=app)  # a selfie stored before dlib went away
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client_for(consented.candidate).post(
            f"/api/applications/{app.id}/monitoring-images/",
            {
                "image_type": "camera",
                "image_data": b64(photo("obama_2009")),
                "captured_at": (timezone.now() - timedelta(seconds=5)).isoformat(),
            },
            format="json",
        )
    assert response.status_code == 201
    analysis = FrameAnalysis.objects.get(image_id=response.json()["id"])
    assert analysis.face_count == 1 and analysis.flags == []
    assert analysis.identity_reference_id is None and analysis.identity_mismatch is None


def test_without_dlib_an_identity_photo_is_refused_with_503(consented, token_client_for, no_dlib):
    response = token_client_for(consented.candidate).post(
        f"/api/applications/{consented.application.id}/identity/",
        {"kind": "selfie", "image_data": b64(photo("obama_2012"))},
        format="json",
    )
    assert response.status_code == 503 and response.json()["code"] == "identity_unavailable"


def test_the_system_check_warns_when_dlib_is_missing(monkeypatch):
    assert checks.face_templates_installed(None) == []
    monkeypatch.setattr(checks, "find_spec", lambda name: None if name == "dlib" else object())
    [warning] = checks.face_templates_installed(None)
    assert warning.id == "monitoring.W002" and "dlib" in warning.msg


def test_templates_of_one_person_are_close_and_of_two_people_far():
    from monitoring.faces.detectors import best_detector

    detector = best_detector()

    def template(name):
        picture = photo(name)
        return templates.describe(picture, detector.detect(picture)[:1])[0]

    obama_2012, obama_2009, biden = (
        template(n) for n in ("obama_2012", "obama_2009", "biden_2010")
    )
    assert len(obama_2012) == 4 * templates.SIZE
    assert templates.distance(obama_2012, obama_2012) == 0
    assert templates.distance(obama_2012, obama_2009) < 0.6 < templates.distance(obama_2012, biden)
