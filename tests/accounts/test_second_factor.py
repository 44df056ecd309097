"""The second factor (accounts.mfa): TOTP and recovery codes at sign-in on the page and for
an API token, enrolment, the organization's requirement, the gate on a session signed in
without it, and an admin's reset (audited)."""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa.services import authenticator_enrolment_confirm, authenticator_enrolment_start
from monitoring.models import AccessEvent

pytestmark = pytest.mark.django_db(transaction=False)


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def enrolled(acme, django_capture_on_commit_callbacks):
    """Rita with a confirmed authenticator and recovery codes."""
    device = authenticator_enrolment_start(user=acme.recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        device, codes = authenticator_enrolment_confirm(user=acme.recruiter, code=code_for(device))
    device.refresh_from_db()
    return device, codes


def _token(api_client, password, **extra):
    body = {"username": "rita", "password": password, **extra}
    return api_client.post("/api/auth/token/", body, format="json")


# --- The token API ------------------------------------------------------------------------


def test_token_without_otp_for_an_account_with_a_second_factor_is_401_otp_required(
    enrolled, api_client, password
):
    response = _token(api_client, password)
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"


def test_token_with_the_current_code_is_issued(enrolled, api_client, password):
    device, _ = enrolled
    response = _token(api_client, password, otp=code_for(device, steps_ahead=1))
    assert response.status_code == 200
    assert response.json()["token"]


def test_token_with_a_wrong_code_is_401_otp_invalid_and_then_throttled(
    enrolled, api_client, password
):
    device, _ = enrolled
    wrong = f"{(int(code_for(device, steps_ahead=1)) + 1) % 1_000_000:06d}"
    first = _token(api_client, password, otp=wrong)
    assert first.status_code == 401
    assert first.json()["code"] == "otp_invalid"
    again = _token(api_client, password, otp=wrong)  # at once: django-otp's back-off
    assert again.status_code == 429
    assert again.json()["code"] == "rate_limited"
    assert int(again["Retry-After"]) >= 1


def test_a_recovery_code_stands_in_once(enrolled, api_client, password):
    _, codes = enrolled
    assert _token(api_client, password, otp=codes[0].upper()).status_code == 200
    assert StaticToken.objects.filter(token=codes[0]).exists() is False
    time.sleep(1.1)  # the back-off after the failure below would otherwise answer 429
    spent = _token(api_client, password, otp=codes[0])
    assert spent.status_code == 401
    assert spent.json()["code"] == "otp_invalid"


def test_token_for_an_account_without_a_second_factor_is_issued_as_before(
    acme, api_client, password
):
    assert _token(api_client, password, otp="").status_code == 200


def test_token_where_the_organization_requires_a_factor_not_set_up_is_403(
    acme, api_client, password
):
    acme.organization.second_factor_required = True
    acme.organization.save()
    response = _token(api_client, password)
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_setup_required"
    candidate = api_client.post(
        "/api/auth/token/", {"username": "john", "password": password}, format="json"
    )
    assert candidate.status_code == 200  # candidates sign in as before


# --- The sign-in page ---------------------------------------------------------------------


def test_password_sign_in_with_a_factor_waits_for_the_code_before_signing_in(
    enrolled, client, password
):
    device, _ = enrolled
    response = client.post("/accounts/login/", {"username": "rita", "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/second-factor/verify/"
    assert client.get("/console/").status_code == 302  # not signed in yet
    assert client.get("/console/")["Location"].startswith("/accounts/login/")
    assert client.get("/api/auth/me/").status_code in (401, 403)

    wrong = client.post("/accounts/second-factor/verify/", {"code": "000000"})
    assert wrong.status_code in (400, 429)
    time.sleep(1.1)
    right = client.post(
        "/accounts/second-factor/verify/", {"code": code_for(device, steps_ahead=1)}, follow=True
    )
    assert right.redirect_chain[-1][0] == "/console/"
    assert client.get("/api/auth/me/").json()["username"] == "rita"


def test_a_waiting_sign_in_is_forgotten_after_its_time(enrolled, client, password, settings):
    settings.SECOND_FACTOR_PENDING_SECONDS = 0
    client.post("/accounts/login/", {"username": "rita", "password": password})
    time.sleep(1.1)
    response = client.get("/accounts/second-factor/verify/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"


def test_enrolment_on_the_page_shows_a_qr_code_then_recovery_codes(
    acme, client, password, django_capture_on_commit_callbacks
):
    client.post("/accounts/login/", {"username": "rita", "password": password})
    page = client.get("/accounts/second-factor/")
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=acme.recruiter, confirmed=False)
    assert client.post("/accounts/second-factor/", {"code": "12"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/accounts/second-factor/", {"code": code_for(device)})
    assert done.status_code == 200
    assert done.content.count(b"<li><code>") == 10
    assert TOTPDevice.objects.get(user=acme.recruiter).confirmed is True
    assert StaticToken.objects.filter(device__user=acme.recruiter).count() == 10
    assert AccessEvent.objects.filter(
        actor=acme.recruiter, action=AccessEvent.Action.SECOND_FACTOR_SET_UP
    ).exists()
    assert client.get("/console/").status_code == 200  # this session is verified


def test_where_required_a_password_sign_in_enrols_before_it_is_signed_in(acme, client, password):
    acme.organization.second_factor_required = True
    acme.organization.save()
    response = client.post("/accounts/login/", {"username": "rita", "password": password})
    assert response["Location"] == "/accounts/second-factor/"
    assert client.get("/console/")["Location"].startswith("/accounts/login/")
    client.get("/accounts/second-factor/")
    device = TOTPDevice.objects.get(user=acme.recruiter, confirmed=False)
    done = client.post("/accounts/second-factor/", {"code": code_for(device)})
    assert done.status_code == 200
    assert client.get("/console/").status_code == 200
    # The candidate of the same organization's job signs in as before.
    candidate = client.post("/accounts/login/", {"username": "john", "password": password})
    assert candidate.status_code == 302


def test_a_session_signed_in_without_the_required_factor_is_sent_to_set_it_up(
    acme, admin_user, client
):
    client.force_login(acme.recruiter)
    assert client.get("/console/").status_code == 200
    acme.organization.second_factor_required = True
    acme.organization.save()
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/second-factor/?next=%2Fconsole%2F"
    assert client.get("/api/applications/").status_code in (401, 403)  # no sign-in on the API


def test_admin_pages_ask_an_admin_with_a_factor_for_it(admin_user, client):
    device = authenticator_enrolment_start(user=admin_user)
    authenticator_enrolment_confirm(user=admin_user, code=code_for(device))
    client.force_login(admin_user)  # a session that never gave the code
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/verify/")


def test_candidates_have_no_second_factor_page(acme, client):
    client.force_login(acme.candidate)
    assert client.get("/accounts/second-factor/").status_code == 404


def test_an_admin_resets_a_factor_and_it_is_audited(
    enrolled, admin_user, client, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/accounts/user/",
            {"action": "reset_second_factor", "_selected_action": [enrolled[0].user_id]},
        )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user_id=enrolled[0].user_id).exists()
    assert not StaticDevice.objects.filter(user_id=enrolled[0].user_id).exists()
    entry = AccessEvent.objects.get(action=AccessEvent.Action.SECOND_FACTOR_RESET)
    assert entry.actor == admin_user
    assert f"user #{enrolled[0].user_id}" in entry.detail


def test_a_recruiter_cannot_reset_a_factor(enrolled, acme, globex, client):
    globex.recruiter.is_staff = True  # even with admin-site access
    globex.recruiter.save()
    client.force_login(globex.recruiter)
    client.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": [acme.recruiter.pk]},
    )
    assert TOTPDevice.objects.filter(user=acme.recruiter).exists()


def test_a_socket_of_a_session_without_the_needed_factor_stops_holding(enrolled, client, password):
    """accounts.sessions.session_check, which every socket asks on opening, before privileged
    messages and every SOCKET_SESSION_CHECK_SECONDS."""
    from accounts.sessions import rights_of, session_check

    device, _ = enrolled
    user = device.user
    client.force_login(user)  # a session that never gave the code
    key = client.session.session_key
    assert session_check(user_id=user.pk, session_key=key, rights=rights_of(user)) is False
    client.post("/accounts/second-factor/verify/", {"code": code_for(device, steps_ahead=1)})
    key = client.session.session_key
    assert session_check(user_id=user.pk, session_key=key, rights=rights_of(user)) is True
