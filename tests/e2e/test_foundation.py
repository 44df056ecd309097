"""Signing in as each role in a real browser lands on the right page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_candidate_signs_in_and_sees_interviews(acme, page, base_url, password):
    login(page, base_url, "john", password)
    expect(page).to_have_url(base_url + "/interview/")
    expect(page.get_by_role("heading", name="My interviews")).to_be_visible()
    expect(page.get_by_role("link", name=acme.job.title)).to_be_visible()
    screenshot(page, "interview-list")


def test_recruiter_signs_in_to_console_and_candidate_is_refused(
    acme, globex, page, base_url, password
):
    login(page, base_url, "rita", password)
    expect(page).to_have_url(base_url + "/console/")
    expect(page.get_by_text("@john")).to_be_visible()
    expect(page.get_by_text("@mary")).to_have_count(0)
    screenshot(page, "console")
    page.get_by_role("button", name="Sign out").click()
    login(page, base_url, "john", password)
    response = page.goto(base_url + "/console/")
    assert response.status == 403
    expect(page.get_by_text("You can't open this page")).to_be_visible()


def test_wrong_password_shows_a_clear_error(acme, page, base_url):
    login(page, base_url, "john", "wrong")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")


def test_admin_api_and_docs_pages_keep_the_content_security_policy(
    acme, admin_user, page, base_url, password
):
    """Third-party pages too: the admin, DRF's browsable API and Swagger UI load under the
    policy (the autouse probe fails the test on any violation)."""
    login(page, base_url, "admin", password)
    for path, text in (
        ("/admin/", "Site administration"),
        ("/admin/monitoring/accessevent/", "audit entry"),
        ("/api/applications/", "Application List"),
    ):
        response = page.goto(base_url + path)
        assert response.status == 200, path
        expect(page.get_by_text(text).first).to_be_visible()
    page.goto(base_url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Invigil API", timeout=15_000)
