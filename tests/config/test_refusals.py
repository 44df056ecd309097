"""Refusals look like refusals in every mode, DEBUG (the demo) included (issue 26, points 4
and 8): every error under /api/ is JSON in the contract's shape; pages refused or not found
show the product's own 403/404 pages, never Django's debug pages; a 4xx is logged without a
traceback and only a 5xx logs ERROR with one."""

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

MODES = [pytest.param(False, id="production"), pytest.param(True, id="debug")]
OUR_404 = "Back to my start page"
DEBUG_PAGE_MARKS = ("Using the URLconf", "technical_500", "You're seeing this error")


def _assert_json_error(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert body["success"] is False and body["code"] == code and body["message"]


def _assert_our_page(response, status: int, text: str) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert text in html, html[:500]
    assert not any(mark in html for mark in DEBUG_PAGE_MARKS)


@pytest.fixture(params=MODES)
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize("path", ["/api/users/null,null/erase/", "/api/nope/", "/api/nope"])
def test_an_unknown_api_path_is_json_404(debug, client, acme, path):
    _assert_json_error(client.get(path), 404, "not_found")
    client.force_login(acme.recruiter)
    _assert_json_error(client.post(path, {}), 404, "not_found")


def test_a_foreign_host_under_api_is_json_400(debug, client):
    _assert_json_error(client.get("/api/health/", HTTP_HOST="evil.example"), 400, "bad_request")


def test_an_unexpected_api_error_is_json_500(debug, acme, token_client_for, monkeypatch):
    from applications import selectors

    def broken(**kwargs):
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(selectors, "jobs_for_user", broken)
    client = token_client_for(acme.recruiter)
    client.raise_request_exception = False
    response = client.get("/api/jobs/")
    _assert_json_error(response, 500, "server_error")
    assert response.json()["error_id"] in response.json()["message"]


def test_another_candidates_interview_is_our_404_page(debug, client, acme, globex):
    client.force_login(globex.candidate)
    _assert_our_page(client.get(f"/interview/{acme.application.pk}/"), 404, OUR_404)


def test_another_organizations_timeline_is_our_404_page(debug, client, acme, globex):
    client.force_login(globex.recruiter)
    url = f"/console/applications/{acme.application.pk}/"
    _assert_our_page(client.get(url), 404, OUR_404)


def test_an_unknown_page_is_our_404_page(debug, client, acme):
    client.force_login(acme.recruiter)
    _assert_our_page(client.get("/no-such-page/"), 404, OUR_404)


def test_a_page_for_another_role_is_our_403_page(debug, client, acme):
    client.force_login(acme.candidate)
    _assert_our_page(client.get("/console/"), 403, "You can't open this page")


def test_a_form_without_its_csrf_token_is_our_403_page(debug, acme):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "john", "password": "x"})
    _assert_our_page(response, 403, "You can't open this page")


def test_refusals_log_no_traceback_and_no_error(client, acme, globex, caplog):
    caplog.set_level(logging.INFO)
    client.force_login(globex.candidate)
    assert client.get(f"/interview/{acme.application.pk}/").status_code == 404
    client.force_login(acme.candidate)
    assert client.get("/console/").status_code == 403
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [r for r in caplog.records if r.exc_info] == []
    refusals = [r for r in caplog.records if r.name == "invigil.errors"]
    assert {r.levelno for r in refusals} <= {logging.INFO, logging.WARNING} and len(refusals) == 2


def test_django_client_error_records_lose_their_traceback_at_the_handler():
    """A 400 that Django logs itself (a foreign Host header: django.security, ERROR, with a
    traceback) reaches the log as a WARNING line; a 5xx keeps its level and traceback."""
    from django.conf import settings

    from config.logfilters import ClientErrorsWithoutTraceback

    assert "client_errors" in settings.LOGGING["handlers"]["console"]["filters"]
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.security.DisallowedHost", logging.ERROR, "", 0, "x", (), exc_info
    )
    record.status_code = 400
    assert ClientErrorsWithoutTraceback().filter(record)
    assert (record.levelno, record.levelname, record.exc_info) == (logging.WARNING, "WARNING", None)
    server = logging.LogRecord("django.request", logging.ERROR, "", 0, "x", (), exc_info)
    server.status_code = 500
    assert ClientErrorsWithoutTraceback().filter(server)
    assert server.levelno == logging.ERROR and server.exc_info == exc_info


def test_api_html_pages_allow_inline_styles_without_a_contradiction(client, acme):
    client.force_login(acme.recruiter)
    response = client.get("/api/applications/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
    directives = {
        part.split()[0]: part.split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert directives["style-src-attr"] == ["'unsafe-inline'"]  # not 'none' beside it
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["script-src"] == ["'self'"]
