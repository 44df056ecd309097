"""Identity through the API, with the real model on real photographs (issue 31).

Barack Obama is the candidate who applied (three photographs: 2009, 2010, 2012); Joe Biden
and Grace Hopper are other people. Uploads run their analysis after commit, as in production.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import Organization
from monitoring.models import (
    AccessEvent,
    FrameAnalysis,
    IdentityDecision,
    IdentityReference,
    IntegrityEvent,
)
from tests.factories import JobApplicationFactory, JobFactory, MonitoringConsentFactory
from tests.monitoring.conftest import bucket_keys

from .conftest import FRAMES, b64, dark, distant, document, photo, two_people

pytestmark = pytest.mark.django_db


def _identity(app) -> str:
    return f"/api/applications/{app.id}/identity/"


def _show(client, app, kind, image, capture):
    with capture(execute=True):  # the selfie's follow-up (matching earlier frames) after commit
        return client.post(_identity(app), {"kind": kind, "image_data": b64(image)}, format="json")


def _capture(client, app, image, at, capture):
    with capture(execute=True):  # the analysis and the integrity update run after commit
        return client.post(
            f"/api/applications/{app.id}/monitoring-images/",
            {"image_type": "camera", "image_data": b64(image), "captured_at": at.isoformat()},
            format="json",
        )


def _listing(client, app) -> list[dict]:
    return client.get(f"/api/applications/{app.id}/monitoring-images/").json()["camera"]


def _incidents(client, app, kind: str) -> list[dict]:
    incidents = client.get(f"/api/applications/{app.id}/integrity/").json()["incidents"]
    return [i for i in incidents if i["type"] == kind]


@pytest.fixture
def john(consented, token_client_for):
    return token_client_for(consented.candidate)


@pytest.fixture
def rita(consented, token_client_for):
    return token_client_for(consented.recruiter)


# --- References ---------------------------------------------------------------------------------


def test_a_selfie_and_a_matching_id_photo_verify_the_candidate(
    consented, john, rita, s3, django_capture_on_commit_callbacks
):
    app = consented.application
    capture = django_capture_on_commit_callbacks
    selfie = _show(john, app, "selfie", photo("obama_2012"), capture)
    assert selfie.status_code == 201, selfie.json()
    body = selfie.json()
    assert body["kind"] == "selfie" and body["face_found"] is True and body["match"] is None
    assert body["quality"]["face_px"] >= 80 and body["quality"]["brightness"] > 40

    card = _show(john, app, "document", document("obama_2009"), capture)
    assert card.status_code == 201, card.json()
    match = card.json()["match"]
    assert match["matches"] is True and match["distance"] < 0.6

    answer = rita.get(_identity(app)).json()
    assert answer["state"] == "verified" and answer["threshold"] == 0.6
    assert [r["kind"] for r in answer["references"]] == ["selfie", "document"]
    assert all(r["current"] and "X-Amz-Expires=3600" in r["url"] for r in answer["references"])
    assert answer["document_match"]["matches"] is True
    assert answer["earlier_interviews"] == [] and answer["confirmed_by"] is None
    # Stored like captures: under the interview's prefix, encrypted, audited.
    keys = bucket_keys(s3)
    assert len(keys) == 2 and all(k.startswith(f"monitoring/{app.id}/identity/") for k in keys)
    head = s3.head_object(Bucket=s3.bucket, Key=keys[0])
    assert head["ServerSideEncryption"] == "AES256"
    actions = list(AccessEvent.objects.filter(application=app).values_list("action", flat=True))
    assert actions.count(AccessEvent.Action.IDENTITY_SUBMITTED) == 2
    assert actions.count(AccessEvent.Action.URL_ISSUED) == 2


def test_an_id_photo_of_someone_else_is_a_mismatch(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    Organization.objects.filter(pk=consented.organization.pk).update(
        identity_check="selfie_and_document"
    )
    _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    assert rita.get(_identity(app)).json()["state"] == "unverified"  # the document is missing
    card = _show(john, app, "document", document("biden_2010"), django_capture_on_commit_callbacks)
    assert card.status_code == 201 and card.json()["match"]["matches"] is False
    assert card.json()["match"]["distance"] > 0.6
    assert rita.get(_identity(app)).json()["state"] == "mismatch"


def test_a_newer_selfie_replaces_the_older_which_stays_in_the_history(
    consented, john, django_capture_on_commit_callbacks
):
    app = consented.application
    first = _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    second = _show(john, app, "selfie", photo("obama_2010"), django_capture_on_commit_callbacks)
    references = john.get(_identity(app)).json()["references"]
    assert [(r["id"], r["current"]) for r in references] == [
        (first.json()["id"], False),
        (second.json()["id"], True),
    ]
    assert references[0]["replaced_at"] is not None
    assert IdentityReference.objects.filter(application=app, replaced_at=None).count() == 1


@pytest.mark.parametrize(
    ("image", "code"),
    [
        (lambda: Image.open(FRAMES / "no_face_coffee.jpg"), "no_face"),
        (lambda: two_people("obama_2012", "biden_2010"), "several_faces"),
        (lambda: distant("obama_2012"), "face_too_small"),
        (lambda: dark("obama_2012"), "too_dark"),
    ],
)
def test_a_photo_without_one_usable_face_is_refused_and_not_stored(
    consented, john, s3, django_capture_on_commit_callbacks, image, code
):
    app = consented.application
    response = _show(john, app, "selfie", image(), django_capture_on_commit_callbacks)
    assert response.status_code == 400, response.json()
    assert response.json() == {
        "success": False,
        "message": response.json()["message"],
        "code": code,
    }
    assert not IdentityReference.objects.exists() and bucket_keys(s3) == []


def test_references_are_refused_like_uploads(
    acme, globex, token_client_for, django_capture_on_commit_callbacks
):
    app = acme.application
    capture = django_capture_on_commit_callbacks
    john = token_client_for(acme.candidate)
    no_consent = _show(john, app, "selfie", photo("obama_2012"), capture)
    assert no_consent.status_code == 409 and no_consent.json()["code"] == "consent_required"
    MonitoringConsentFactory(application=app)
    # Someone else's interview: not visible (404); a reviewer: visible, not allowed (403).
    mary = token_client_for(globex.candidate)
    assert _show(mary, app, "selfie", photo("biden_2010"), capture).status_code == 404
    rita = token_client_for(acme.recruiter)
    refused = _show(rita, app, "selfie", photo("biden_2010"), capture)
    assert refused.status_code == 403 and refused.json()["code"] == "not_candidate"
    app.status = "completed"
    app.save()
    ended = _show(john, app, "selfie", photo("obama_2012"), capture)
    assert ended.status_code == 409 and ended.json()["code"] == "application_not_active"
    assert not IdentityReference.objects.exists()


def test_a_candidate_or_recruiter_of_another_organization_gets_404(
    consented, globex, token_client_for, django_capture_on_commit_callbacks
):
    app = consented.application
    for user in (globex.candidate, globex.recruiter):
        client = token_client_for(user)
        assert client.get(_identity(app)).status_code == 404
        decided = client.post(f"{_identity(app)}confirm/", {"decision": "confirmed"})
        assert decided.status_code == 404


def test_multipart_references_are_accepted(consented, john, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import jpeg

    app = consented.application
    image = SimpleUploadedFile("me.jpg", jpeg(photo("obama_2012")), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = john.post(_identity(app), {"kind": "selfie", "image": image}, format="multipart")
    assert response.status_code == 201 and response.json()["kind"] == "selfie"


def test_identity_off_stores_no_template_and_needs_nothing(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    Organization.objects.filter(pk=consented.organization.pk).update(identity_check="off")
    refused = _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    assert refused.status_code == 409 and refused.json()["code"] == "identity_not_required"
    at = timezone.now() - timedelta(minutes=2)
    assert (
        _capture(john, app, photo("biden_2010"), at, django_capture_on_commit_callbacks).status_code
        == 201
    )
    [frame] = _listing(rita, app)
    assert frame["analysis"]["face_count"] == 1 and frame["identity"] is None
    assert rita.get(_identity(app)).json()["state"] == "not_required"


# --- Every camera frame matched --------------------------------------------------------------


def test_captures_of_the_candidate_match_the_selfie(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    t0 = timezone.now() - timedelta(minutes=3)
    for i, name in enumerate(["obama_2009", "obama_2010", "obama_2009"]):
        at = t0 + timedelta(seconds=30 * i)
        response = _capture(john, app, photo(name), at, django_capture_on_commit_callbacks)
        assert response.status_code == 201
    frames = _listing(rita, app)
    assert [f["identity"]["matches"] for f in frames] == [True, True, True]
    assert all(f["identity"]["distance"] < 0.6 for f in frames)
    answer = rita.get(_identity(app)).json()
    assert answer["frames_checked"] == 3 and answer["frames_matching"] == 3
    assert answer["last_distance"] == frames[-1]["identity"]["distance"]
    assert answer["state"] == "verified"
    assert _incidents(rita, app, "identity_mismatch") == []


def test_captures_of_another_person_make_an_identity_mismatch(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    t0 = timezone.now() - timedelta(minutes=3)
    names = ["obama_2010", "biden_2010", "biden_2010", "biden_2010", "obama_2009"]
    for i, name in enumerate(names):
        at = t0 + timedelta(seconds=30 * i)
        _capture(john, app, photo(name), at, django_capture_on_commit_callbacks)
    frames = _listing(rita, app)
    assert [f["identity"]["matches"] for f in frames] == [True, False, False, False, True]
    [incident] = _incidents(rita, app, "identity_mismatch")
    assert incident["frame_count"] == 3 and incident["ongoing"] is False
    assert incident["image_ids"] == [f["id"] for f in frames[1:4]]
    assert incident["reason"].startswith("Face does not match the selfie from ")
    answer = rita.get(_identity(app)).json()
    assert answer["state"] == "mismatch"
    assert answer["frames_checked"] == 5 and answer["frames_matching"] == 2


def test_one_stranger_frame_is_not_an_incident(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    t0 = timezone.now() - timedelta(minutes=3)
    for i, name in enumerate(["obama_2010", "biden_2010", "obama_2009"]):
        _capture(
            john,
            app,
            photo(name),
            t0 + timedelta(seconds=30 * i),
            django_capture_on_commit_callbacks,
        )
    assert _incidents(rita, app, "identity_mismatch") == []
    assert rita.get(_identity(app)).json()["state"] == "verified"


def test_two_faces_where_neither_matches_count_as_a_mismatch(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    t0 = timezone.now() - timedelta(minutes=3)
    frames = [
        two_people("obama_2009", "biden_2010"),  # the candidate with someone: several faces only
        two_people("biden_2010", "hopper"),  # two strangers
        two_people("hopper", "biden_2010"),
    ]
    for i, image in enumerate(frames):
        _capture(
            john, app, image, t0 + timedelta(seconds=30 * i), django_capture_on_commit_callbacks
        )
    listed = _listing(rita, app)
    assert [f["analysis"]["face_count"] for f in listed] == [2, 2, 2]
    assert [f["identity"]["matches"] for f in listed] == [True, False, False]
    faces = FrameAnalysis.objects.get(image_id=listed[0]["id"]).faces
    assert sorted(f["distance"] < 0.6 for f in faces) == [False, True]  # a distance per face
    [incident] = _incidents(rita, app, "identity_mismatch")
    assert incident["image_ids"] == [listed[1]["id"], listed[2]["id"]]
    assert len(_incidents(rita, app, "multiple_faces")) == 1


def test_frames_captured_before_the_selfie_are_matched_once_it_exists(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    t0 = timezone.now() - timedelta(minutes=3)
    for i, name in enumerate(["biden_2010", "biden_2010", "obama_2010"]):
        at = t0 + timedelta(seconds=30 * i)
        assert (
            _capture(john, app, photo(name), at, django_capture_on_commit_callbacks).status_code
            == 201
        )
    assert [f["identity"] for f in _listing(rita, app)] == [None, None, None]
    assert rita.get(_identity(app)).json()["state"] == "unverified"

    _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    assert [f["identity"]["matches"] for f in _listing(rita, app)] == [False, False, True]
    [incident] = _incidents(rita, app, "identity_mismatch")
    assert incident["frame_count"] == 2
    assert rita.get(_identity(app)).json()["state"] == "mismatch"


def test_a_reviewers_capture_is_never_matched(
    consented, rita, john, django_capture_on_commit_callbacks
):
    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    t0 = timezone.now() - timedelta(minutes=3)
    for i in range(3):
        _capture(
            rita,
            app,
            photo("biden_2010"),
            t0 + timedelta(seconds=30 * i),
            django_capture_on_commit_callbacks,
        )
    assert [f["identity"] for f in _listing(rita, app)] == [None, None, None]
    assert _incidents(rita, app, "identity_mismatch") == []


# --- A person decides ---------------------------------------------------------------------------


def test_a_reviewer_confirms_or_rejects_and_it_is_audited(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    url = f"{_identity(app)}confirm/"
    refused = john.post(url, {"decision": "confirmed"}, format="json")
    assert refused.status_code == 403
    bad = rita.post(url, {"decision": "maybe"}, format="json")
    assert bad.status_code == 400

    confirmed = rita.post(url, {"decision": "confirmed", "note": "Matches the ID"}, format="json")
    assert confirmed.status_code == 201 and confirmed.json()["decision"] == "confirmed"
    answer = rita.get(_identity(app)).json()
    assert answer["state"] == "confirmed" and answer["note"] == "Matches the ID"
    assert answer["confirmed_by"]["username"] == consented.recruiter.username
    assert answer["confirmed_at"] is not None

    rejected = rita.post(url, {"decision": "rejected", "note": "A proxy"}, format="json")
    assert rejected.status_code == 201
    assert rita.get(_identity(app)).json()["state"] == "rejected"
    audit = AccessEvent.objects.filter(application=app, actor=consented.recruiter)
    assert list(audit.filter(action__startswith="identity_").values_list("action", flat=True)) == [
        "identity_rejected",
        "identity_confirmed",
    ]

    # A newer selfie needs a new decision: the state says what the faces say again.
    _show(john, app, "selfie", photo("obama_2010"), django_capture_on_commit_callbacks)
    answer = rita.get(_identity(app)).json()
    assert answer["state"] == "verified" and answer["confirmed_by"] is None
    assert IdentityDecision.objects.filter(application=app).count() == 2


# --- Across interviews ---------------------------------------------------------------------------


def _earlier_interview(consented, selfie_name, title, token_client_for, capture):
    """An earlier interview of the same candidate, in the same organization, with a selfie."""
    earlier = JobApplicationFactory(
        job=JobFactory(organization=consented.organization, title=title),
        candidate=consented.candidate,
        status="in_progress",
    )
    earlier.created_at = timezone.now() - timedelta(days=20)
    earlier.save()
    MonitoringConsentFactory(application=earlier)
    client = token_client_for(consented.candidate)
    assert _show(client, earlier, "selfie", photo(selfie_name), capture).status_code == 201
    return earlier


def test_the_selfie_is_compared_with_earlier_interviews(
    consented, john, rita, token_client_for, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    screening = _earlier_interview(consented, "obama_2009", "Screening", token_client_for, capture)
    # The candidate's application of the fixture is the later one (the final round).
    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), capture)
    answer = rita.get(_identity(app)).json()
    [earlier] = answer["earlier_interviews"]
    assert earlier["application_id"] == screening.id and earlier["job"] == "Screening"
    assert earlier["matches"] is True and earlier["distance"] < 0.6
    assert _incidents(rita, app, "identity_changed_since") == []
    assert answer["state"] == "verified"


def test_a_different_face_than_at_an_earlier_interview_is_its_own_incident(
    consented, john, rita, token_client_for, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # The screening was taken by someone else: the face changed since then.
    screening = _earlier_interview(consented, "biden_2010", "Screening", token_client_for, capture)
    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), capture)
    [earlier] = rita.get(_identity(app)).json()["earlier_interviews"]
    assert earlier["matches"] is False and earlier["distance"] > 0.6
    [incident] = _incidents(rita, app, "identity_changed_since")
    assert "“Screening”" in incident["reason"]
    selfie_day = IdentityReference.objects.get(application=screening).created_at
    assert f"{selfie_day:%Y-%m-%d}" in incident["reason"]
    assert incident["earlier_application_id"] == screening.id
    assert rita.get(_identity(app)).json()["state"] == "mismatch"
    incident_id = IntegrityEvent.objects.get(application=app, type="identity_changed_since").pk

    # A new selfie of the same person, compared again: the incident keeps its id.
    _show(john, app, "selfie", photo("obama_2010"), capture)
    assert (
        IntegrityEvent.objects.get(application=app, type="identity_changed_since").pk == incident_id
    )
    # The earlier interview, the screening, sees no later one: nothing changed since it.
    assert _incidents(rita, screening, "identity_changed_since") == []
    assert rita.get(_identity(screening)).json()["earlier_interviews"] == []


def test_another_organizations_interviews_are_never_compared(
    consented, globex, john, rita, token_client_for, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    elsewhere = JobApplicationFactory(
        job=globex.job, candidate=consented.candidate, status="in_progress"
    )
    elsewhere.created_at = timezone.now() - timedelta(days=20)
    elsewhere.save()
    MonitoringConsentFactory(application=elsewhere)
    _show(john, elsewhere, "selfie", photo("biden_2010"), capture)
    _show(john, consented.application, "selfie", photo("obama_2012"), capture)
    assert rita.get(_identity(consented.application)).json()["earlier_interviews"] == []


# --- Erasure --------------------------------------------------------------------------------------


def test_erasure_leaves_no_reference_decision_or_template(
    consented, john, rita, s3, django_capture_on_commit_callbacks
):
    app = consented.application
    capture = django_capture_on_commit_callbacks
    _show(john, app, "selfie", photo("obama_2012"), capture)
    _show(john, app, "document", document("obama_2009"), capture)
    _capture(john, app, photo("obama_2010"), timezone.now() - timedelta(minutes=1), capture)
    rita.post(f"{_identity(app)}confirm/", {"decision": "confirmed"}, format="json")
    app.status = "completed"
    app.save()
    with capture(execute=True):
        response = rita.post(f"/api/applications/{app.id}/erase/")
    assert response.status_code == 200, response.json()
    assert not IdentityReference.objects.exists() and not IdentityDecision.objects.exists()
    assert not FrameAnalysis.objects.exists() and bucket_keys(s3) == []


def test_a_new_threshold_judges_the_frames_again(
    consented, john, rita, django_capture_on_commit_callbacks
):
    app = consented.application
    capture = django_capture_on_commit_callbacks
    _show(john, app, "selfie", photo("obama_2012"), capture)
    t0 = timezone.now() - timedelta(minutes=3)
    for i, name in enumerate(["obama_2009", "obama_2010", "obama_2009"]):
        _capture(john, app, photo(name), t0 + timedelta(seconds=30 * i), capture)
    assert _incidents(rita, app, "identity_mismatch") == []
    organization = consented.organization
    organization.identity_threshold = 0.3  # stricter than any two photos of him here
    with capture(execute=True):
        organization.save()
    assert [f["identity"]["matches"] for f in _listing(rita, app)] == [False, False, False]
    [incident] = _incidents(rita, app, "identity_mismatch")
    assert incident["frame_count"] == 3
    organization.identity_check = "off"
    with capture(execute=True):
        organization.save()
    assert _incidents(rita, app, "identity_mismatch") == []
    assert rita.get(_identity(app)).json()["state"] == "not_required"


def test_erasing_an_earlier_interview_takes_its_comparison_with_it(
    consented, john, rita, token_client_for, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    screening = _earlier_interview(consented, "biden_2010", "Screening", token_client_for, capture)
    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), capture)
    assert len(_incidents(rita, app, "identity_changed_since")) == 1
    screening.status = "completed"
    screening.save()
    with capture(execute=True):
        assert rita.post(f"/api/applications/{screening.id}/erase/").status_code == 200
    assert _incidents(rita, app, "identity_changed_since") == []
    assert rita.get(_identity(app)).json()["earlier_interviews"] == []


def test_the_candidates_copy_holds_the_identity_photos(
    consented, john, django_capture_on_commit_callbacks
):
    import io
    import json
    import zipfile

    app = consented.application
    _show(john, app, "selfie", photo("obama_2012"), django_capture_on_commit_callbacks)
    _show(john, app, "selfie", photo("obama_2010"), django_capture_on_commit_callbacks)
    response = john.get(f"/api/applications/{app.id}/export.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    summary = json.loads(archive.read("identity.json"))
    assert [r["kind"] for r in summary["references"]] == ["selfie", "selfie"]
    assert summary["references"][0]["replaced_at"] is not None
    for entry in summary["references"]:
        assert archive.read(entry["file"])[:2] == b"\xff\xd8"  # the JPEG itself
