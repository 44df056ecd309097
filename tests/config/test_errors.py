"""Every API refusal is JSON `{"success": false, "message", "code"}` with the right 4xx."""

import pytest

pytestmark = pytest.mark.django_db


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]


def test_unknown_api_url_is_json_404(acme, token_client_for):
    _assert_error(token_client_for(acme.recruiter).get("/api/nope/"), 404, "not_found")


def test_unknown_api_url_anonymous_is_json_404(client):
    _assert_error(client.get("/api/does-not-exist/"), 404, "not_found")


def test_method_not_allowed_is_json_405(acme, token_client_for):
    response = token_client_for(acme.recruiter).delete("/api/applications/")
    _assert_error(response, 405, "method_not_allowed")


def test_malformed_json_is_400(acme, token_client_for):
    response = token_client_for(acme.recruiter).generic(
        "POST", "/api/jobs/", "{not json", content_type="application/json"
    )
    _assert_error(response, 400, "parse_error")


def test_validation_error_names_field(acme, token_client_for):
    response = token_client_for(acme.recruiter).post("/api/jobs/", {}, format="json")
    _assert_error(response, 400, "required")
    assert response.json()["message"] == "title: This field is required."


def test_oversized_body_is_json_413_before_parsing(acme, token_client_for, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = token_client_for(acme.recruiter).generic(
        "POST", "/api/jobs/", "x" * 2000, content_type="application/json"
    )
    _assert_error(response, 413, "request_too_large")
    assert not acme.organization.jobs.exclude(pk=acme.job.pk).exists()


def test_page_404_stays_html(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_deeply_nested_json_is_400_not_a_recursion_error(acme, token_client_for):
    response = token_client_for(acme.recruiter).generic(
        "POST", "/api/jobs/", "[" * 100_000, content_type="application/json"
    )
    _assert_error(response, 400, "too_deep")


def test_nesting_within_the_limit_is_parsed(acme, token_client_for):
    body = '{"title": "T", "description": "' + "[" * 500 + '"}'  # brackets inside a string
    response = token_client_for(acme.recruiter).generic(
        "POST", "/api/jobs/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("body", "code"),
    [("[1, 2]", "invalid"), ('"text"', "invalid"), ("42", "invalid"), ("null", "null")],
)
def test_a_body_of_the_wrong_shape_is_400(acme, token_client_for, body, code):
    response = token_client_for(acme.recruiter).generic(
        "POST", "/api/jobs/", body, content_type="application/json"
    )
    _assert_error(response, 400, code)


def test_an_unexpected_error_is_a_json_500_with_an_id_in_the_log(
    acme, token_client_for, monkeypatch, caplog
):
    from applications import selectors

    def broken(**kwargs):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(selectors, "jobs_for_user", broken)
    client = token_client_for(acme.recruiter)
    client.raise_request_exception = False
    response = client.get("/api/jobs/")
    assert response.status_code == 500
    body = response.json()
    assert body["success"] is False and body["code"] == "server_error"
    assert len(body["error_id"]) == 12 and body["error_id"] in body["message"]
    logged = [r for r in caplog.records if r.name == "invigil.errors"]
    assert logged and body["error_id"] in logged[0].getMessage()
    assert "something nobody expected" in logged[0].exc_text


def test_deep_json_on_the_token_endpoint_is_400(api_client, db):
    response = api_client.generic(
        "POST", "/api/auth/token/", "[" * 100_000, content_type="application/json"
    )
    _assert_error(response, 400, "too_deep")
