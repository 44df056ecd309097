"""Single sign-on through a real OpenID Connect provider (npm oidc-provider, started by the
test: tests/oidc) and the second factor, in a real browser: a reviewer signs in through their
organization's provider and lands on the console; an organization that requires single
sign-on refuses its reviewer's password; an authenticator app is set up and then asked for at
sign-in, on the page and by POST /api/auth/token/."""

import base64
import time
from urllib.parse import urlsplit

import pytest
import requests
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import AXE_FOREIGN_ORIGINS, login, screenshot
from tests.oidc.server import oidc_provider

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLIENT_ID, CLIENT_SECRET = "invigil-acme", "acme-client-secret-for-tests"


@pytest.fixture
def acme_provider(acme, base_url):
    """Acme's own provider, knowing Rita (an existing recruiter) and Sam (new to Invigil)."""
    acme.recruiter.email = "rita@acme.test"
    acme.recruiter.save()
    clients = [
        {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{base_url}/accounts/oidc/acme/login/callback/"],
        }
    ]
    accounts = {
        "rita": {"email": "rita@acme.test", "email_verified": True, "name": "Rita Reyes"},
        "sam": {
            "email": "sam@acme.test",
            "email_verified": True,
            "given_name": "Sam",
            "family_name": "Stone",
            "preferred_username": "sam",
        },
        "eve": {"email": "eve@evil.test", "email_verified": True},
    }
    with oidc_provider(clients=clients, accounts=accounts) as issuer:
        # The provider's sign-in page is not ours: axe judges our pages only.
        address = urlsplit(issuer)
        AXE_FOREIGN_ORIGINS.add(f"{address.scheme}://{address.netloc}")
        organization = acme.organization
        organization.sso_issuer = issuer
        organization.sso_client_id = CLIENT_ID
        organization.sso_client_secret = CLIENT_SECRET
        organization.sso_email_domains = "acme.test"
        organization.save()
        yield issuer


def sso_sign_in(page, base_url: str, email: str, login_name: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_label("Work e-mail").fill(email)
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_role("button", name="Continue to Acme").click()
    # The provider's own sign-in page (oidc-provider's development interaction).
    page.locator("input[name=login]").fill(login_name)
    page.locator("input[name=password]").fill("provider-password")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_a_reviewer_signs_in_through_the_organizations_provider_and_lands_on_the_console(
    acme_provider, acme, page, base_url
):
    sso_sign_in(page, base_url, "rita@acme.test", "rita")
    expect(page).to_have_url(base_url + "/console/")
    expect(page.get_by_text("Rita Reyes").first).to_be_visible()
    expect(page.get_by_text("@john")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.context.clear_cookies()  # the provider's own session too (another person next)

    # Someone new at an allowed domain becomes a recruiter of Acme, without a password.
    sso_sign_in(page, base_url, "sam@acme.test", "sam")
    expect(page).to_have_url(base_url + "/console/")
    sam = User.objects.get(email="sam@acme.test")
    assert (sam.role, sam.organization_id) == ("recruiter", acme.organization.pk)
    assert not sam.has_usable_password()


def test_an_address_outside_the_organizations_domains_is_refused(
    acme_provider, acme, page, base_url
):
    page.goto(base_url + "/accounts/sso/acme/")
    screenshot(page, "sso-continue")
    page.get_by_role("button", name="Continue to Acme").click()
    page.locator("input[name=login]").fill("eve")
    page.locator("input[name=password]").fill("provider-password")
    page.locator("button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("not at one of Acme's domains")
    assert not User.objects.filter(email="eve@evil.test").exists()


def test_an_organization_that_requires_sso_refuses_its_reviewers_password(
    acme_provider, acme, page, base_url, password
):
    acme.organization.sso_required = True
    acme.organization.save()
    login(page, base_url, "rita", password)
    expect(page.get_by_role("alert")).to_contain_text("signs its staff in through single sign-on")
    expect(page).to_have_url(base_url + "/accounts/login/")
    screenshot(page, "sso-required")
    token = requests.post(
        base_url + "/api/auth/token/", json={"username": "rita", "password": password}, timeout=10
    )
    assert token.status_code == 403
    assert token.json()["code"] == "sso_required"
    # Candidates keep their password.
    login(page, base_url, "john", password)
    expect(page).to_have_url(base_url + "/interview/")
    page.get_by_role("button", name="Sign out").click()
    # And the reviewer signs in through the provider.
    sso_sign_in(page, base_url, "rita@acme.test", "rita")
    expect(page).to_have_url(base_url + "/console/")


def test_a_reviewer_sets_up_an_authenticator_and_is_asked_for_it_on_the_page_and_api(
    acme, page, base_url, password
):
    login(page, base_url, "rita", password)
    page.get_by_role("link", name="Second factor").click()
    expect(page.get_by_role("heading", name="Set up a second factor")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    screenshot(page, "second-factor-setup")
    secret = page.locator("[data-totp-secret]").inner_text()
    page.get_by_label("Code from the app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Continue").click()
    page.get_by_role("button", name="Sign out").click()

    # The next sign-in asks for the code before the console opens.
    login(page, base_url, "rita", password)
    expect(page).to_have_url(base_url + "/accounts/second-factor/verify/")
    assert page.goto(base_url + "/console/").url.startswith(base_url + "/accounts/login/")
    page.goto(base_url + "/accounts/second-factor/verify/")
    page.get_by_label("Code").fill(totp_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(base_url + "/console/")

    # The token API asks for it too.
    url, body = base_url + "/api/auth/token/", {"username": "rita", "password": password}
    without = requests.post(url, json=body, timeout=10)
    assert without.status_code == 401
    assert without.json()["code"] == "otp_required"
    with_code = requests.post(url, json={**body, "otp": codes[0]}, timeout=10)
    assert with_code.status_code == 200
    me = requests.get(
        base_url + "/api/auth/me/",
        headers={"Authorization": f"Token {with_code.json()['token']}"},
        timeout=10,
    )
    assert me.json()["username"] == "rita"


def test_single_sign_on_asks_a_reviewer_with_a_second_factor_for_it(
    acme_provider, acme, page, base_url
):
    from accounts.mfa.services import authenticator_enrolment_confirm, authenticator_enrolment_start

    device = authenticator_enrolment_start(user=acme.recruiter)
    totp = TOTP(device.bin_key)
    authenticator_enrolment_confirm(user=acme.recruiter, code=f"{totp.token():06d}")
    sso_sign_in(page, base_url, "rita@acme.test", "rita")
    expect(page).to_have_url(base_url + "/accounts/second-factor/verify/")
    totp.time = time.time() + 30
    page.get_by_label("Code").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(base_url + "/console/")
