"""Single sign-on's rules (accounts.sso) without a provider: which organization an address
belongs to, who is linked, made or refused, who may not use a password, and what an
organization's SSO settings must hold. The whole flow through a real provider is
tests/e2e/test_sso.py."""

import pytest
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from accounts.models import User
from accounts.sso.adapter import SocialAccountAdapter
from accounts.sso.selectors import organization_for_sso_email

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_sso(acme):
    org = acme.organization
    org.sso_issuer = "https://login.acme.test"
    org.sso_client_id = "invigil"
    org.sso_client_secret = "s3cret"
    org.sso_email_domains = "acme.test, Acme.co.uk"
    org.save()
    acme.recruiter.email = "rita@acme.test"
    acme.recruiter.save()
    return acme


def _login(provider: str, email: str, *, user=None, verified=True) -> SocialLogin:
    claims = {"sub": email, "email": email, "email_verified": verified}
    account = SocialAccount(provider=provider, uid=email, extra_data={"userinfo": claims})
    return SocialLogin(user=user or User(email=email, username=""), account=account)


def _request():
    request = RequestFactory().get("/accounts/oidc/acme/login/callback/")
    request.session = SessionStore()
    return request


def test_an_address_names_the_organization_by_its_allowed_domains(acme_sso, globex):
    assert organization_for_sso_email("someone@ACME.co.uk") == acme_sso.organization
    assert organization_for_sso_email("someone@acme.test") == acme_sso.organization
    assert organization_for_sso_email("someone@sub.acme.test") is None  # exact domains only
    assert organization_for_sso_email("someone@cme.test") is None
    assert organization_for_sso_email("not-an-address") is None


def test_each_organization_with_sso_is_one_openid_connect_app(acme_sso, globex):
    apps = SocialAccountAdapter().list_apps(None)
    assert [(a.provider, a.provider_id, a.client_id) for a in apps] == [
        ("openid_connect", "acme", "invigil")
    ]
    assert apps[0].settings["server_url"] == "https://login.acme.test"
    assert SocialAccountAdapter().list_apps(None, provider="globex") == []


def test_an_address_outside_the_domains_is_refused(acme_sso):
    with pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter().pre_social_login(_request(), _login("acme", "eve@evil.test"))
    assert refused.value.response.status_code == 403
    assert b"not at one of Acme" in refused.value.response.content


def test_an_address_the_provider_says_is_unverified_is_refused(acme_sso):
    with pytest.raises(ImmediateHttpResponse):
        SocialAccountAdapter().pre_social_login(
            _request(), _login("acme", "new@acme.test", verified=False)
        )


def test_a_candidate_with_the_address_is_not_taken_over(acme_sso):
    acme_sso.candidate.email = "john@acme.test"
    acme_sso.candidate.save()
    with pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter().pre_social_login(_request(), _login("acme", "john@acme.test"))
    assert b"not staff of Acme" in refused.value.response.content
    assert not SocialAccount.objects.exists()


def test_another_organizations_recruiter_with_the_address_is_not_taken_over(acme_sso, globex):
    globex.recruiter.email = "gina@acme.test"
    globex.recruiter.save()
    with pytest.raises(ImmediateHttpResponse):
        SocialAccountAdapter().pre_social_login(_request(), _login("acme", "gina@acme.test"))


def test_the_organizations_recruiter_with_the_address_is_linked_once(acme_sso):
    login = _login("acme", "RITA@acme.test")
    SocialAccountAdapter().pre_social_login(_request(), login)
    account = SocialAccount.objects.get()
    assert (account.user, account.provider) == (acme_sso.recruiter, "acme")


def test_a_new_address_becomes_a_recruiter_of_the_organization(acme_sso):
    login = _login("acme", "sam@acme.test")
    SocialAccountAdapter().pre_social_login(_request(), login)  # no refusal, nothing linked
    user = SocialAccountAdapter().populate_user(
        _request(), login, {"email": "sam@acme.test", "first_name": "Sam"}
    )
    assert (user.role, user.organization) == (User.Role.RECRUITER, acme_sso.organization)


def test_a_linked_person_who_left_the_organization_is_refused(acme_sso, globex):
    SocialAccount.objects.create(user=acme_sso.recruiter, provider="acme", uid="rita@acme.test")
    acme_sso.recruiter.organization = globex.organization
    acme_sso.recruiter.save()
    login = _login("acme", "rita@acme.test")
    login.lookup()
    with pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter().pre_social_login(_request(), login)
    assert b"no longer a member of Acme" in refused.value.response.content


def test_required_sso_refuses_staff_passwords_not_candidates(acme_sso, client, password):
    acme_sso.organization.sso_required = True
    acme_sso.organization.save()
    page = client.post("/accounts/login/", {"username": "rita", "password": password})
    assert page.status_code == 403
    assert "signs its staff in through single sign-on" in page.content.decode()
    wrong = client.post("/accounts/login/", {"username": "rita", "password": "nope"})
    assert wrong.status_code == 200  # a wrong password says only that
    assert "single sign-on:" not in wrong.content.decode()
    token = client.post(
        "/api/auth/token/",
        {"username": "rita", "password": password},
        content_type="application/json",
    )
    assert (token.status_code, token.json()["code"]) == (403, "sso_required")
    candidate = client.post("/accounts/login/", {"username": "john", "password": password})
    assert candidate.status_code == 302


def test_the_admin_sign_in_is_the_sites_own(acme_sso, client, password):
    acme_sso.organization.sso_required = True
    acme_sso.organization.save()
    response = client.post("/admin/login/?next=/admin/", {"username": "rita", "password": password})
    assert response.status_code == 403


def test_sso_settings_are_checked(acme, settings):
    settings.SSO_ALLOW_HTTP_ISSUER = False
    org = acme.organization
    org.sso_issuer, org.sso_client_id, org.sso_email_domains = "http://idp.test", "x", "acme.test"
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "sso_issuer" in error.value.message_dict
    org.sso_issuer, org.sso_email_domains = "https://idp.test", "not a domain"
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "sso_email_domains" in error.value.message_dict
    org.sso_issuer, org.sso_client_id, org.sso_required = "", "", True
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "sso_required" in error.value.message_dict


def test_the_sso_start_page_sends_an_address_to_its_organization(acme_sso, client):
    response = client.post("/accounts/sso/", {"email": "rita@acme.test", "next": "/console/"})
    assert response["Location"] == "/accounts/sso/acme/?next=%2Fconsole%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "form-action 'self' https://login.acme.test" in page["Content-Security-Policy"]
    unknown = client.post("/accounts/sso/", {"email": "x@nowhere.test"})
    assert unknown.status_code == 400
    assert client.get("/accounts/sso/globex/").status_code == 404
