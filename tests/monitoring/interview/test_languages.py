"""The candidate's pages in the candidate's language: chosen by Accept-Language, changed with
the switcher (remembered in a cookie), recorded with the consent; English stays as it was."""

import re

import pytest
from django.conf import settings
from django.core import mail

from applications.models import MonitoringConsent
from applications.notice import CURRENT, notice_changes_since
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9,en;q=0.5"}


def _html_lang(response) -> str:
    return re.search(rb'<html lang="([^"]+)"', response.content).group(1).decode()


def test_accept_language_es_gives_the_interview_list_in_spanish(acme, client):
    client.force_login(acme.candidate)
    response = client.get("/interview/", **SPANISH)
    assert _html_lang(response) == "es"
    assert b"Mis entrevistas" in response.content
    assert b"My interviews" not in response.content


def test_without_a_language_of_ours_the_pages_stay_english(acme, client):
    client.force_login(acme.candidate)
    response = client.get("/interview/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert _html_lang(response) == "en"
    assert b"My interviews" in response.content


def test_the_consent_notice_and_the_panel_labels_are_in_spanish(acme, client):
    client.force_login(acme.candidate)
    response = client.get(f"/interview/{acme.application.id}/", **SPANISH)
    page = response.content.decode()
    assert "Antes de empezar: aviso de supervisión" in page
    assert "Acepto: continuar" in page
    assert "Before you begin" not in page
    config = response.context["panel_config"]
    assert config["language"] == "es" and config["noticeVersion"] == CURRENT
    # The page modules' words come translated from the server (json_script "ui-strings").
    assert '"Turn camera on": "Encender la c\\u00e1mara"' in page


def test_the_system_check_page_and_its_labels_are_in_spanish(acme, client):
    client.force_login(acme.candidate)
    response = client.get(f"/interview/{acme.application.id}/check/", **SPANISH)
    page = response.content.decode()
    assert "Compruebe su equipo" in page and "Ejecutar la comprobaci" in page
    assert "Check your set-up" not in page
    assert str(response.context["check_labels"]["summary_ok"]).startswith("Su equipo ha superado")


def test_the_switcher_changes_the_language_and_it_is_remembered(acme, client):
    client.force_login(acme.candidate)
    page = client.get("/interview/", HTTP_ACCEPT_LANGUAGE="en")
    assert b'name="language" value="es"' in page.content  # the switcher, on the page
    answer = client.post("/i18n/setlang/", {"language": "es", "next": "/interview/"})
    assert answer.status_code == 302 and answer["Location"] == "/interview/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    # The browser still asks for English: the choice wins, on every page after it.
    assert _html_lang(client.get("/interview/", HTTP_ACCEPT_LANGUAGE="en")) == "es"
    assert _html_lang(client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en")) == "es"
    client.post("/i18n/setlang/", {"language": "en", "next": "/interview/"})
    assert _html_lang(client.get("/interview/", **SPANISH)) == "en"


def test_the_switcher_needs_the_csrf_token(acme):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(acme.candidate)
    answer = client.post("/i18n/setlang/", {"language": "es", "next": "/interview/"})
    assert answer.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


def test_the_switcher_never_redirects_off_the_site(acme, client):
    client.force_login(acme.candidate)
    answer = client.post("/i18n/setlang/", {"language": "es", "next": "https://evil.example/"})
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_the_consent_records_the_language_the_page_showed(acme, client):
    client.force_login(acme.candidate)
    answer = client.post(
        f"/api/applications/{acme.application.id}/consent/",
        {"accepted": True, "notice_version": CURRENT, "language": "es"},
        content_type="application/json",
        **SPANISH,
    )
    assert answer.status_code == 201
    consent = MonitoringConsent.objects.get(application=acme.application)
    assert consent.language == "es" and consent.notice_version == CURRENT


def test_a_consent_without_a_language_records_the_requests_language(acme, client):
    client.force_login(acme.candidate)
    client.post(
        f"/api/applications/{acme.application.id}/consent/",
        {"accepted": True},
        content_type="application/json",
        **SPANISH,
    )
    assert MonitoringConsent.objects.get(application=acme.application).language == "es"


def test_an_english_consent_still_records_english(acme, client):
    client.force_login(acme.candidate)
    client.post(
        f"/api/applications/{acme.application.id}/consent/",
        {"accepted": True},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en-GB",
    )
    assert MonitoringConsent.objects.get(application=acme.application).language == "en"


def test_an_api_refusal_is_translated_and_its_code_stays_english(acme, client):
    client.force_login(acme.candidate)
    answer = client.post(
        f"/api/applications/{acme.application.id}/consent/",
        {"accepted": True, "notice_version": "2026-11"},
        content_type="application/json",
        **SPANISH,
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "notice_outdated" and body["success"] is False
    assert body["message"].startswith("El aviso de supervisión ha cambiado")


def test_what_changed_in_the_notice_is_said_in_the_active_language():
    from django.utils import translation

    with translation.override("es"):
        spanish = notice_changes_since("2026-11-live")
    with translation.override("en"):
        english = notice_changes_since("2026-11-live")
    assert len(spanish) == len(english) == 3
    assert spanish[0].startswith("Ahora explica cómo se comprueba su identidad")
    assert english[0].startswith("It now says how your identity is checked")


def test_the_error_pages_a_candidate_may_see_are_in_spanish(acme, globex, client):
    client.force_login(acme.candidate)
    missing = client.get(f"/interview/{globex.application.id}/", **SPANISH)
    assert missing.status_code == 404 and "Página no encontrada".encode() in missing.content


def test_an_invitation_queued_from_a_spanish_page_is_written_in_spanish(
    acme, client, django_capture_on_commit_callbacks
):
    client.force_login(acme.recruiter)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/applications/",
            {"job_id": acme.job.id, "candidate_email": "lucia@example.com"},
            content_type="application/json",
            **SPANISH,
        )
    assert answer.status_code == 201, answer.content
    (sent,) = [m for m in mail.outbox if m.to == ["lucia@example.com"]]
    assert sent.subject.startswith("Su entrevista para")
    assert "Establezca su contraseña aquí" in sent.body


def test_the_sign_in_page_follows_the_browser(db, client):
    CandidateFactory(username="nadie")
    response = client.get("/accounts/login/", **SPANISH)
    assert "Iniciar sesión en Invigil".encode() in response.content


def test_a_consent_in_a_language_the_notice_is_not_shown_in_is_refused(acme, client_for):
    """The record says which language the notice was shown in: only one it exists in."""

    answer = client_for(acme.candidate).post(
        f"/api/applications/{acme.application.id}/consent/",
        {"accepted": True, "notice_version": CURRENT, "language": "fr"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_choice" and answer.json()["success"] is False
    assert not MonitoringConsent.objects.filter(application=acme.application).exists()
