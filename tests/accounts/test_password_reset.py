"""Forgotten passwords: Django's reset flow for candidates — the e-mail through the outbox
after the commit (no token stored), the same answer for every address (no account oracle),
rate-limited per client address and per e-mail address, a link that works once."""

import re

import pytest
from django.core import mail

from common.models import OutboxMessage

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-fresh-passphrase-42"
LINK = re.compile(r"http://[^\s]+/accounts/reset/[^\s]+/")


@pytest.fixture
def john(acme):
    acme.candidate.email = "john@example.com"
    acme.candidate.save()
    return acme.candidate


def _ask(client, email, capture):
    with capture(execute=True):
        return client.post("/accounts/password_reset/", {"email": email})


def test_a_candidate_gets_a_link_that_sets_a_new_password_once(
    john, client, django_capture_on_commit_callbacks
):
    answer = _ask(client, "John@Example.com", django_capture_on_commit_callbacks)
    assert answer.status_code == 302 and answer["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["john@example.com"]
    message = OutboxMessage.objects.get()
    assert message.payload == {"user_id": john.pk, "language": "en"}  # no token kept
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<{message.pk}@")
    link = LINK.search(mail.outbox[0].body).group(0)

    form = client.get(link, follow=True)
    assert b"Set a new password" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    john.refresh_from_db()
    assert john.check_password(NEW_PASSWORD)
    again = client.get(link, follow=True)
    assert b"This link does not work any more" in again.content


@pytest.mark.parametrize("email", ["nobody@example.com", "rita@example.com"])
def test_the_answer_is_the_same_for_any_address(
    john, acme, client, django_capture_on_commit_callbacks, email
):
    acme.recruiter.email = "rita@example.com"  # staff ask an admin
    acme.recruiter.save()
    known = _ask(client, "john@example.com", django_capture_on_commit_callbacks)
    other = _ask(client, email, django_capture_on_commit_callbacks)
    assert (known.status_code, known["Location"]) == (other.status_code, other["Location"])
    assert [m.to for m in mail.outbox] == [["john@example.com"]]


def test_requests_are_rate_limited_per_client_and_e_mails_per_address(
    john, client, limits_on, django_capture_on_commit_callbacks
):
    limits_on.RATE_LIMIT_PASSWORD_RESET = "4 per 60 seconds"
    limits_on.RATE_LIMIT_PASSWORD_RESET_EMAIL = "2 per 60 seconds"
    answers = [
        _ask(client, "john@example.com", django_capture_on_commit_callbacks) for _ in range(5)
    ]
    assert [a.status_code for a in answers] == [302, 302, 302, 302, 429]
    assert answers[4]["Retry-After"] and b"Too many requests" in answers[4].content
    assert len(mail.outbox) == 2  # the 3rd and 4th said the same and sent nothing


def test_the_sign_in_page_offers_it(db, client):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in page and "Forgot password?" in page


def test_the_log_never_carries_the_link(john, settings, capsys):
    from accounts.passwords import password_reset_send

    settings.DEBUG = False
    settings.EMAIL_BACKEND = "common.mail.ConsoleEmailBackend"
    password_reset_send(user_id=john.pk, message_id="m-1")
    out = capsys.readouterr().out
    assert "/accounts/reset/[link left out of the log]/" in out
    assert not LINK.search(out)


def test_a_reset_asked_from_a_spanish_page_is_written_in_spanish(
    john, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/password_reset/",
            {"email": "john@example.com"},
            HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9",
        )
    assert OutboxMessage.objects.get().payload == {"user_id": john.pk, "language": "es"}
    (sent,) = mail.outbox
    assert sent.subject == "Establezca una nueva contraseña para Invigil"
    assert sent.body.startswith("Hola, John Carter:") and LINK.search(sent.body)
