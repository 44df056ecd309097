"""Content-Security-Policy and Permissions-Policy on every page; CORS for API paths only."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = {
    "candidate": ["/interview/", "/interview/{app}/"],
    "recruiter": ["/console/", "/console/applications/{app}/", "/console/live/"],
    "admin": ["/admin/", "/admin/monitoring/accessevent/", "/api/applications/", "/api/docs/"],
    None: ["/accounts/login/"],
}


def _directives(header: str) -> dict[str, list[str]]:
    parts = (p.strip().split() for p in header.split(";") if p.strip())
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize("who", list(PAGES))
def test_every_page_sends_a_strict_csp_and_a_permissions_policy(acme, admin_user, client, who):
    users = {"candidate": acme.candidate, "recruiter": acme.recruiter, "admin": admin_user}
    if who:
        client.force_login(users[who])
    for path in PAGES[who]:
        response = client.get(path.format(app=acme.application.id), HTTP_ACCEPT="text/html")
        assert response.status_code == 200, path
        csp = _directives(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"], path  # no inline script anywhere
        if not path.startswith("/api/"):  # DRF's and Swagger's pages may inline styles
            assert "'unsafe-inline'" not in csp["style-src"], path
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
        policy = response["Permissions-Policy"]
        assert "camera=(self)" in policy and "display-capture=(self)" in policy
        assert "microphone=()" in policy
        html = response.content.decode()
        if not path.startswith(("/admin/", "/api/")):
            assert "<script>" not in html and '<script type="module">' not in html, path
            assert " style=" not in html, path


def test_cors_preflight_from_an_allowed_origin(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
    response = client.options(
        "/api/applications/",
        HTTP_ORIGIN="http://localhost:3000",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "authorization" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_cors_preflight_from_another_origin_gets_no_grant(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
    response = client.options(
        "/api/applications/",
        HTTP_ORIGIN="http://evil.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert "Access-Control-Allow-Origin" not in response


def test_a_token_call_from_the_allowed_origin_is_readable_by_it(acme, token_client_for, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
    response = token_client_for(acme.recruiter).get(
        "/api/applications/", HTTP_ORIGIN="http://localhost:3000"
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"


def test_pages_are_not_cors_enabled(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
    response = client.get("/accounts/login/", HTTP_ORIGIN="http://localhost:3000")
    assert "Access-Control-Allow-Origin" not in response
