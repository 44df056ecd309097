"""Invitations: a new candidate gets a signed link that works once and expires after 7 days."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing

from applications.models import Invitation
from applications.services import INVITATION_SALT

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "a-long-fresh-passphrase-42"


def _invite(acme, token_client_for, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client_for(acme.recruiter).post(
            "/api/applications/",
            {
                "job_id": acme.job.id,
                "candidate_email": "Nina@Example.com",
                "candidate_name": "Nina Novak",
            },
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert len(mail.outbox) == 1
    match = re.search(r"http://\S+/invitations/(\S+)/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    return match.group(1)


def test_new_email_creates_candidate_without_usable_password(
    acme, token_client_for, django_capture_on_commit_callbacks
):
    _invite(acme, token_client_for, django_capture_on_commit_callbacks)
    nina = User.objects.get(email__iexact="nina@example.com")
    assert nina.role == User.Role.CANDIDATE
    assert nina.first_name == "Nina"
    assert not nina.has_usable_password()
    assert mail.outbox[0].to == ["Nina@example.com"]
    assert "Acme" in mail.outbox[0].subject


def test_invitation_link_sets_password_once(
    acme, client, token_client_for, django_capture_on_commit_callbacks
):
    token = _invite(acme, token_client_for, django_capture_on_commit_callbacks)
    url = f"/invitations/{token}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Choose a password" in page.content

    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/interview/"
    nina = User.objects.get(email__iexact="nina@example.com")
    assert nina.check_password(NEW_PASSWORD)
    assert Invitation.objects.get().accepted_at is not None

    client.logout()
    again = client.post(
        url, {"password1": "other-passphrase-99", "password2": "other-passphrase-99"}
    )
    assert again.status_code == 400
    assert b"already been used" in again.content
    nina.refresh_from_db()
    assert nina.check_password(NEW_PASSWORD)


def test_tampered_link_is_refused(
    acme, client, token_client_for, django_capture_on_commit_callbacks
):
    token = _invite(acme, token_client_for, django_capture_on_commit_callbacks)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(f"/invitations/{tampered}/")
    assert response.status_code == 400
    assert b"not valid" in response.content


def test_forged_link_for_another_invitation_is_refused(acme, client):
    forged = signing.dumps({"i": 1}, salt="some-other-salt")
    response = client.get(f"/invitations/{forged}/")
    assert response.status_code == 400


def test_expired_link_is_refused(
    acme, client, token_client_for, django_capture_on_commit_callbacks, settings
):
    token = _invite(acme, token_client_for, django_capture_on_commit_callbacks)
    settings.INVITATION_MAX_AGE = -1  # every link is older than this
    response = client.post(
        f"/invitations/{token}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 400
    assert b"expired" in response.content
    assert not User.objects.get(email__iexact="nina@example.com").has_usable_password()


def test_link_is_valid_for_seven_days_by_default(settings):
    assert settings.INVITATION_MAX_AGE == 7 * 24 * 3600
    assert INVITATION_SALT


def test_weak_password_is_refused(
    acme, client, token_client_for, django_capture_on_commit_callbacks
):
    token = _invite(acme, token_client_for, django_capture_on_commit_callbacks)
    response = client.post(f"/invitations/{token}/", {"password1": "123", "password2": "123"})
    assert response.status_code == 400
    assert Invitation.objects.get().accepted_at is None


def test_mismatched_passwords_are_refused(
    acme, client, token_client_for, django_capture_on_commit_callbacks
):
    token = _invite(acme, token_client_for, django_capture_on_commit_callbacks)
    response = client.post(
        f"/invitations/{token}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert response.status_code == 400
    assert b"differ" in response.content


def _post(client, job, email, capture):
    with capture(execute=True):
        return client.post(
            "/api/applications/", {"job_id": job.id, "candidate_email": email}, format="json"
        )


def test_inviting_leaks_nothing_about_the_address(
    acme, globex, token_client_for, django_capture_on_commit_callbacks
):
    """The same answer whether or not the address has an account; an existing candidate (of
    another organization) is attached and told by e-mail, a new one gets a password link."""
    from tests.factories import JobFactory

    client = token_client_for(acme.recruiter)
    job = JobFactory(organization=acme.organization, title="Platform Engineer")
    fresh = _post(client, job, "newcomer@example.com", django_capture_on_commit_callbacks)
    known = _post(client, job, globex.candidate.email, django_capture_on_commit_callbacks)
    assert fresh.status_code == known.status_code == 201
    assert fresh.json().keys() == known.json().keys()
    assert fresh.json()["candidate"].keys() == known.json()["candidate"].keys()

    to_newcomer, to_mary = mail.outbox
    assert "/invitations/" in to_newcomer.body
    assert to_mary.to == [globex.candidate.email]
    assert "You have been invited to interview for Platform Engineer at Acme" in to_mary.body
    assert "sign in to start" in to_mary.body and "/invitations/" not in to_mary.body


@pytest.mark.parametrize("who", ["recruiter", "admin", "unknown domain"])
def test_staff_addresses_get_the_generic_refusal(
    acme, globex, admin_user, token_client_for, django_capture_on_commit_callbacks, who
):
    emails = {
        "recruiter": globex.recruiter.email,
        "admin": admin_user.email,
        "unknown domain": "nobody@example.com",
    }
    response = _post(
        token_client_for(acme.recruiter), acme.job, emails[who], django_capture_on_commit_callbacks
    )
    if who == "unknown domain":
        assert response.status_code == 201  # a new candidate, invited
        return
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "candidate_email: this address cannot be invited.",
        "code": "cannot_invite",
    }
    assert not mail.outbox


# --- Invitations end when used ----------------------------------------------------------------


def _links(user) -> list[str]:
    """A link for each pending invitation of the user (two interviews, two invitations)."""
    from applications.services import invitation_token

    return [
        f"/invitations/{invitation_token(invitation=i)}/"
        for i in Invitation.objects.filter(application__candidate=user).order_by("pk")
    ]


@pytest.fixture
def invited_twice(acme, globex):
    from applications.services import invitation_create
    from tests.factories import JobApplicationFactory

    nina = User.objects.create(username="nina", email="nina@example.com", role="candidate")
    nina.set_unusable_password()
    nina.save()
    for org in (acme, globex):
        application = JobApplicationFactory(job=org.job, candidate=nina)
        invitation_create(actor=org.recruiter, application=application)
    return nina


def test_using_one_invitation_ends_the_others(client, invited_twice):
    first, second = _links(invited_twice)
    assert (
        client.post(first, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code
        == 302
    )
    other = client.get(second)
    assert other.status_code == 400 and b"already been used" in other.content
    stolen = client.post(
        second, {"password1": "another-pass-9876", "password2": "another-pass-9876"}
    )
    assert stolen.status_code == 400
    invited_twice.refresh_from_db()
    assert invited_twice.check_password(NEW_PASSWORD)


def test_a_password_set_another_way_ends_every_pending_invitation(client, invited_twice):
    invited_twice.set_password("set-by-the-admin-42")  # the admin, or a password reset
    invited_twice.save()
    for link in _links(invited_twice):
        assert client.get(link).status_code == 400


@pytest.mark.parametrize(
    "change", [{"is_active": False}, {"role": "recruiter"}, {"is_staff": True}]
)
def test_a_link_of_a_deactivated_or_staff_account_never_sets_a_password(
    client, invited_twice, change
):
    link = _links(invited_twice)[0]
    User.objects.filter(pk=invited_twice.pk).update(**change)  # not through save: no signal
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 400
    assert not User.objects.get(pk=invited_twice.pk).has_usable_password()
