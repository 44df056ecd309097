"""The role matrix of DESIGN.md, every cell, plus consent, local signed links and the audit log."""

import pytest
from django.core import signing

from applications.models import MonitoringConsent
from monitoring.images.storage import SIGNING_SALT
from monitoring.models import AccessEvent, MonitoringImage
from tests.monitoring.conftest import b64, image_bytes

pytestmark = pytest.mark.django_db

JPEG = b64(image_bytes(size=(160, 120)))


def _upload(client, app, kind="camera"):
    return client.post(
        f"/api/applications/{app.id}/monitoring-images/",
        {"image_type": kind, "image_data": JPEG},
        format="json",
    )


@pytest.fixture
def actors(consented, globex, admin_user):
    return {
        "candidate": consented.candidate,
        "other candidate": globex.candidate,
        "recruiter": consented.recruiter,
        "other recruiter": globex.recruiter,
        "admin": admin_user,
    }


UPLOAD = {
    "candidate": 201,
    "other candidate": 404,
    "recruiter": 201,
    "other recruiter": 404,
    "admin": 201,
}
LIST = {
    "candidate": 200,
    "other candidate": 404,
    "recruiter": 200,
    "other recruiter": 404,
    "admin": 200,
}
DELETE = {
    "candidate": 403,
    "other candidate": 404,
    "recruiter": 204,
    "other recruiter": 404,
    "admin": 204,
}
SIGN = {
    "candidate": 200,
    "other candidate": 404,
    "recruiter": 200,
    "other recruiter": 404,
    "admin": 200,
}


@pytest.mark.parametrize("who", list(UPLOAD))
def test_upload_matrix(actors, consented, token_client_for, who):
    response = _upload(token_client_for(actors[who]), consented.application)
    assert response.status_code == UPLOAD[who], response.json()
    assert MonitoringImage.objects.count() == (1 if UPLOAD[who] == 201 else 0)


@pytest.mark.parametrize("who", list(LIST))
def test_list_matrix(actors, consented, token_client_for, who):
    _upload(token_client_for(consented.candidate), consented.application)
    _upload(token_client_for(consented.candidate), consented.application, "screen")
    response = token_client_for(actors[who]).get(
        f"/api/applications/{consented.application.id}/monitoring-images/"
    )
    assert response.status_code == LIST[who]
    if LIST[who] == 200:
        body = response.json()
        assert set(body) == {"camera", "screen", "deleted"}
        assert len(body["camera"]) == 1 and len(body["screen"]) == 1
        item = body["camera"][0]
        assert {"id", "s3Key", "timestamp", "width", "height", "analysis"} <= set(item)
        assert item["analysis"] is None


@pytest.mark.parametrize("who", list(DELETE))
def test_delete_matrix(actors, consented, token_client_for, who):
    image_id = _upload(token_client_for(consented.candidate), consented.application).json()["id"]
    response = token_client_for(actors[who]).delete(
        f"/api/applications/{consented.application.id}/monitoring-images/{image_id}/"
    )
    assert response.status_code == DELETE[who]
    assert MonitoringImage.objects.exists() is (DELETE[who] != 204)
    if DELETE[who] != 204:
        assert response.json()["success"] is False


@pytest.mark.parametrize("who", list(SIGN))
def test_signed_url_matrix(actors, consented, token_client_for, who):
    key = _upload(token_client_for(consented.candidate), consented.application).json()["s3Key"]
    for path in ("/api/monitoring-images/signed-url", "/api/monitoring-images/signed-url/"):
        response = token_client_for(actors[who]).get(path, {"s3_key": key})
        assert response.status_code == SIGN[who]
        assert ("url" in response.json()) is (SIGN[who] == 200)


@pytest.mark.parametrize(
    "path", ["/api/monitoring-images/signed-urls", "/api/monitoring-images/signed-urls/"]
)
def test_batch_signing_returns_only_visible_keys(consented, globex, token_client_for, path):
    mine = _upload(token_client_for(consented.candidate), consented.application).json()["s3Key"]
    theirs = _upload(token_client_for(globex.recruiter), globex.application).json()["s3Key"]
    response = token_client_for(consented.recruiter).post(
        path, {"s3_keys": [mine, theirs, "monitoring/1/camera/nope.jpg"]}, format="json"
    )
    assert response.status_code == 200
    assert set(response.json()["urls"]) == {mine}


def test_batch_signing_caps_at_200_keys(consented, token_client_for):
    response = token_client_for(consented.recruiter).post(
        "/api/monitoring-images/signed-urls", {"s3_keys": ["k"] * 201}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_anonymous_is_401_everywhere(consented, api_client):
    app = consented.application.id
    assert api_client.get(f"/api/applications/{app}/monitoring-images/").status_code == 401
    assert (
        api_client.post("/api/monitoring-images/signed-urls", {}, format="json").status_code == 401
    )


def test_listing_pages_forward_with_since_and_limit(consented, token_client_for):
    client = token_client_for(consented.candidate)
    for _ in range(3):
        _upload(client, consented.application)
    url = f"/api/applications/{consented.application.id}/monitoring-images/"
    first = client.get(url, {"limit": 2}).json()["camera"]
    assert len(first) == 2
    rest = client.get(url, {"since": first[-1]["timestamp"]}).json()["camera"]
    assert len(rest) == 1 and rest[0]["id"] not in {i["id"] for i in first}
    assert client.get(url, {"limit": 501}).status_code == 400
    assert client.get(url, {"since": "yesterday"}).status_code == 400


def test_every_listing_signing_and_delete_is_audited(
    consented, token_client_for, django_capture_on_commit_callbacks
):
    rita = token_client_for(consented.recruiter)
    upload = _upload(rita, consented.application).json()
    rita.get(
        f"/api/applications/{consented.application.id}/monitoring-images/",
        HTTP_USER_AGENT="pytest-agent",
    )
    rita.post("/api/monitoring-images/signed-urls", {"s3_keys": [upload["s3Key"]]}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        rita.delete(
            f"/api/applications/{consented.application.id}/monitoring-images/{upload['id']}/"
        )
    events = list(AccessEvent.objects.order_by("id").values_list("action", "actor__username"))
    assert events == [("listed", "rita"), ("url_issued", "rita"), ("deleted", "rita")]
    assert AccessEvent.objects.filter(user_agent="pytest-agent", ip="127.0.0.1").exists()


# --- Consent --------------------------------------------------------------------------------


def test_consent_is_recorded_once(acme, token_client_for):
    client = token_client_for(acme.candidate)
    url = f"/api/applications/{acme.application.id}/consent/"
    first = client.post(url, {"accepted": True}, format="json")
    assert first.status_code == 201
    assert first.json()["accepted"] is True
    assert client.post(url, {"accepted": True}, format="json").status_code == 200
    assert MonitoringConsent.objects.count() == 1
    withdrawn = client.post(url, {"accepted": False}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["accepted"] is False
    assert client.get(url).json()["accepted"] is False


def test_only_the_candidate_consents(acme, globex, token_client_for):
    url = f"/api/applications/{acme.application.id}/consent/"
    assert (
        token_client_for(acme.recruiter).post(url, {"accepted": True}, format="json").status_code
        == 403
    )
    assert (
        token_client_for(globex.candidate).post(url, {"accepted": True}, format="json").status_code
        == 404
    )
    assert not MonitoringConsent.objects.exists()


# --- Local storage: signed, expiring links --------------------------------------------------


def _local_url(consented, token_client_for) -> tuple[str, str]:
    client = token_client_for(consented.recruiter)
    key = _upload(client, consented.application).json()["s3Key"]
    return key, client.get("/api/monitoring-images/signed-url", {"s3_key": key}).json()["url"]


def test_local_signed_link_serves_the_image(consented, token_client_for, client):
    _, url = _local_url(consented, token_client_for)
    assert url.startswith("/media/signed/")
    response = client.get(url)  # no session needed: the link itself is the credential
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8")


def test_local_tampered_link_is_403(consented, token_client_for, client):
    _, url = _local_url(consented, token_client_for)
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = signing.dumps("monitoring/../../etc/passwd", salt="wrong-salt")
    assert client.get(url.replace(token, token[:-3] + "abc")).status_code == 403
    assert client.get(f"/media/signed/{forged}/").status_code == 403


def test_local_expired_link_is_403(consented, token_client_for, client, settings):
    _, url = _local_url(consented, token_client_for)
    settings.SIGNED_URL_EXPIRES = -1
    assert client.get(url).status_code == 403


def test_local_link_for_key_outside_monitoring_is_404(db, client):
    token = signing.dumps("../config/settings.py", salt=SIGNING_SALT, compress=True)
    assert client.get(f"/media/signed/{token}/").status_code == 404
