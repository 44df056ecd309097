"""The browsable API, the OpenAPI schema and Swagger UI (served from the sidecar, no CDN)."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_lists_the_endpoints(acme, client_for):
    response = client_for(acme.recruiter).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/applications/",
        "/api/applications/{application_id}/",
        "/api/auth/token/",
        "/api/jobs/",
    ):
        assert path in paths


def test_swagger_ui_uses_local_assets(acme, client_for):
    response = client_for(acme.recruiter).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html


def test_schema_requires_sign_in(client):
    assert client.get("/api/schema/").status_code == 401


def test_browsable_api_renders_html(acme, client_for):
    response = client_for(acme.recruiter).get("/api/applications/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Application List" in response.content


def test_health_answers_without_credentials(client):
    response = client.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_every_operation_documents_its_response_body(acme, client_for):
    """No `responses={200: None}`: /api/docs/ shows the shape of every answer.

    A 204 is the one success without a body (DELETE, revoke), by definition of the status.
    """
    schema = client_for(acme.recruiter).get("/api/schema/", HTTP_ACCEPT="application/json")
    missing = []
    for path, operations in schema.json()["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith("2") and code != "204" and not response.get("content"):
                    missing.append(f"{method.upper()} {path} → {code}")
    assert missing == []


def test_readiness_names_every_part_in_the_embedded_mode(client, settings):
    response = client.get("/api/health/ready/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "channel_layer", "broker", "storage"}
    expected_broker = "skipped" if not settings.REDIS_URL else "ok"
    assert body["checks"]["broker"] == expected_broker
