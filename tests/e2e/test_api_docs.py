"""/api/docs/ (Swagger UI) shows the contract's error answers: an operation lists each error
status with the `Error` shape, the codes it can carry, an example per code, and Retry-After
on a 503 (docs/screenshots/api-docs.png)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_swagger_ui_shows_each_operations_error_shapes(acme, page, base_url, password):
    login(page, base_url, "rita", password)
    page.goto(base_url + "/api/docs/")
    operation = page.locator("#operations-applications-applications_withdraw_create")
    expect(operation).to_be_visible(timeout=15_000)
    operation.locator(".opblock-summary").click()
    responses = operation.locator(".responses-table")
    conflict = responses.locator("tr.response[data-code='409']")
    expect(conflict).to_contain_text("invalid_transition")
    expect(conflict).to_contain_text('"success": false')
    expect(conflict).to_contain_text('"code": "invalid_transition"')
    for status in ("401", "403", "404", "503"):
        expect(responses.locator(f"tr.response[data-code='{status}']")).to_be_visible()
    expect(responses.locator("tr.response[data-code='503']")).to_contain_text("Retry-After")
    page.set_viewport_size({"width": 1366, "height": 1100})
    conflict.evaluate("row => row.scrollIntoView({block: 'start'})")
    page.evaluate("window.scrollBy(0, -20)")
    screenshot(page, "api-docs")
