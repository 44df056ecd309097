"""Sign-in, landing pages by role, token and session auth, CSRF on session writes."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "landing"),
    [("candidate", "/interview/"), ("recruiter", "/console/"), ("admin", "/console/")],
)
def test_login_lands_by_role(acme, admin_user, client, password, who, landing):
    user = {"candidate": acme.candidate, "recruiter": acme.recruiter, "admin": admin_user}[who]
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


def test_login_with_wrong_password_shows_error(acme, client):
    response = client.post("/accounts/login/", {"username": "john", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_logout_signs_out(acme, client, password):
    client.login(username="john", password=password)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/interview/").status_code == 302


def test_token_obtained_with_password_authenticates(acme, api_client, password):
    response = api_client.post(
        "/api/auth/token/", {"username": "rita", "password": password}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "rita"
    assert me.json()["organization"] == "Acme"


def test_token_with_wrong_password_is_refused(acme, api_client):
    response = api_client.post(
        "/api/auth/token/", {"username": "rita", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["code"] == "authorization"


def test_bad_token_is_401(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token deadbeef")
    response = api_client.get("/api/applications/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_no_credentials_is_401_not_authenticated(api_client, db):
    response = api_client.get("/api/applications/")
    assert response.status_code == 401
    assert response.json() == {
        "success": False,
        "message": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert response["WWW-Authenticate"] == "Token"


def test_session_auth_reads(acme, client_for):
    response = client_for(acme.recruiter).get("/api/applications/")
    assert response.status_code == 200


def test_session_post_without_csrf_is_refused(acme, client_for):
    client = client_for(acme.recruiter, with_csrf_header=False)
    response = client.post("/api/jobs/", {"title": "SRE"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not acme.organization.jobs.filter(title="SRE").exists()


def test_session_post_with_csrf_succeeds(acme, client_for):
    response = client_for(acme.recruiter).post("/api/jobs/", {"title": "SRE"}, format="json")
    assert response.status_code == 201
