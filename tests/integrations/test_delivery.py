"""Webhooks end to end against a real https receiver on loopback: signed per Standard Webhooks,
retried from the outbox with one webhook-id, redelivered from the admin, refused when the
name points inside, pinned to the address that was checked, switched off after a day of
failures."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from common import pipeline
from common.models import OutboxMessage
from integrations import addresses
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.factories import AdminFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _subscribe(client, url, events=("interview.finished",)):
    response = client.post(
        "/api/webhook-endpoints/", {"url": url, "events": list(events)}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _finish(token_client_for, application):
    response = token_client_for(application.candidate).post(
        f"/api/applications/{application.pk}/finish/"
    )
    assert response.status_code == 200, response.content


def _verified(secret: str, request) -> dict:
    """What a receiver does: standardwebhooks checks the signature and the timestamp."""
    return Webhook(secret).verify(request.body, request.headers)


def test_a_finished_interview_is_retried_with_one_webhook_id_until_accepted(
    acme, receiver, token_client_for, admin_user, client
):
    endpoint = _subscribe(token_client_for(acme.recruiter), receiver.url())
    receiver.answer(500, 500, 200)

    _finish(token_client_for, acme.application)  # the first attempt runs after the commit
    assert len(receiver.requests) == 1
    assert pipeline.outbox_sweep() == 1  # the retry is due (schedule 0, 0): second attempt
    assert pipeline.outbox_sweep() == 1  # third attempt, accepted
    assert pipeline.outbox_sweep() == 0  # nothing left to send

    assert len(receiver.requests) == 3
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    delivery = WebhookDelivery.objects.get()
    assert ids == {delivery.webhook_id}
    message = OutboxMessage.objects.get(task="integrations.deliver_webhook")
    assert delivery.webhook_id == f"msg_{message.pk.hex}"  # the outbox row's id
    assert message.state == "sent" and message.attempts == 3
    payloads = [_verified(endpoint["secret"], r) for r in receiver.requests]
    assert len({r.body for r in receiver.requests}) == 1  # the same bytes every time
    assert payloads[0]["type"] == "interview.finished"
    assert payloads[0]["data"]["application_id"] == acme.application.pk
    assert payloads[0]["data"]["status"] == "completed"
    assert set(payloads[0]) == {"type", "timestamp", "data"}
    assert receiver.server_names == ["localhost"] * 3  # TLS spoke the name, not the address

    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.delivered_at is not None
    attempts = list(delivery.attempts.all())
    assert [a.status_code for a in attempts] == [500, 500, 200]
    assert [a.address for a in attempts] == ["127.0.0.1"] * 3
    assert attempts[0].response_excerpt == "receiver says no"
    assert attempts[0].error == "answered 500"
    assert attempts[2].response_excerpt == "accepted" and attempts[2].error == ""
    assert all(a.latency_ms is not None for a in attempts)

    # Redelivery from the admin: one attempt now, the same webhook-id, signed afresh.
    client.force_login(admin_user)
    listing = client.get("/admin/integrations/webhookdelivery/")
    assert listing.status_code == 200 and delivery.webhook_id.encode() in listing.content
    page = client.get(f"/admin/integrations/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200 and b"receiver says no" in page.content
    response = client.post(
        "/admin/integrations/webhookdelivery/",
        {"action": "redeliver", "_selected_action": [str(delivery.pk)]},
    )
    assert response.status_code == 302
    assert len(receiver.requests) == 4
    again = receiver.requests[3]
    assert again.headers["webhook-id"] == delivery.webhook_id
    assert again.body == receiver.requests[0].body
    assert _verified(endpoint["secret"], again)["type"] == "interview.finished"
    last = delivery.attempts.order_by("-id").first()
    assert last.manual and last.status_code == 200


def test_a_delivery_that_keeps_failing_is_given_up_after_its_schedule(
    acme, receiver, token_client_for, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE = [0]
    _subscribe(token_client_for(acme.recruiter), receiver.url())
    receiver.answer(503, 503, 503)
    _finish(token_client_for, acme.application)
    assert pipeline.outbox_sweep() == 1
    assert pipeline.outbox_sweep() == 0
    assert len(receiver.requests) == 2
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed"
    assert OutboxMessage.objects.get(task="integrations.deliver_webhook").state == "failed"
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.active and endpoint.failing_since is not None  # not yet a day


def test_redirects_are_not_followed(acme, receiver, token_client_for):
    _subscribe(token_client_for(acme.recruiter), receiver.url())
    receiver.answer(302)
    _finish(token_client_for, acme.application)
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 302 and attempt.error.startswith("redirect not followed")
    assert len(receiver.requests) == 1


def test_a_name_that_now_resolves_inside_is_refused_at_delivery(
    acme, receiver, token_client_for, settings, monkeypatch
):
    """Accepted while the name pointed at a public address; DNS changed since: the attempt
    is refused before any connection, logged, and retried (DNS may change back)."""
    settings.WEBHOOK_ALLOW_PRIVATE = False
    # A public address when the endpoint is made (no connection is made then, or later to it).
    answers = {"hooks.invigil.test": ["93.184.215.14"]}
    monkeypatch.setattr(addresses, "resolve", lambda host, port: answers[host])
    _subscribe(token_client_for(acme.recruiter), receiver.url("hooks.invigil.test"))

    answers["hooks.invigil.test"] = ["10.1.2.3"]
    _finish(token_client_for, acme.application)
    attempt = WebhookAttempt.objects.get()
    assert attempt.error.startswith("url_not_allowed: hooks.invigil.test resolves to 10.1.2.3")
    assert attempt.status_code is None and attempt.address is None
    assert receiver.requests == []
    assert OutboxMessage.objects.get(task="integrations.deliver_webhook").state == "pending"


def test_loopback_is_refused_at_delivery_once_private_addresses_are_off(
    acme, receiver, token_client_for, settings
):
    _subscribe(token_client_for(acme.recruiter), receiver.url())
    settings.WEBHOOK_ALLOW_PRIVATE = False
    _finish(token_client_for, acme.application)
    assert receiver.requests == []
    assert WebhookAttempt.objects.get().error.startswith(
        "url_not_allowed: localhost resolves to 127.0.0.1"
    )


def test_the_connection_goes_to_the_address_that_was_checked(
    acme, receiver, token_client_for, monkeypatch
):
    """One resolution per attempt: the address checked is the address connected to, the name
    travels in the Host header and the TLS handshake (its certificate is checked against it).
    A second resolution (here: to an address where nothing listens) would never be used."""
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["127.0.0.1"] if len(calls) == 1 else ["127.0.0.2"]

    monkeypatch.setattr(addresses, "resolve", resolver)
    _subscribe(token_client_for(acme.recruiter), receiver.url("hooks.invigil.test"))
    calls.clear()  # the check at creation resolved once; now the delivery
    _finish(token_client_for, acme.application)
    assert calls == ["hooks.invigil.test"]
    [request] = receiver.requests
    assert request.headers["Host"] == f"hooks.invigil.test:{receiver.port}"
    assert receiver.server_names == ["hooks.invigil.test"]
    assert WebhookAttempt.objects.get().address == "127.0.0.1"
    assert WebhookDelivery.objects.get().state == "delivered"


def test_a_certificate_for_another_name_is_refused(acme, receiver, token_client_for, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["127.0.0.1"])
    _subscribe(token_client_for(acme.recruiter), receiver.url("other.invigil.test"))
    _finish(token_client_for, acme.application)
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert "hostname 'other.invigil.test' doesn't match" in attempt.error
    assert receiver.requests == []


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_people_told(
    acme, receiver, token_client_for, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0, 0]
    AdminFactory(username="acme-admin", email="admin@acme.test", organization=acme.organization)
    endpoint = WebhookEndpointFactory(
        organization=acme.organization,
        url=receiver.url(),
        events=["interview.finished", "interview.started"],
        failing_since=timezone.now() - timedelta(hours=23),  # failing since yesterday
    )
    receiver.answer(500, 500)
    _finish(token_client_for, acme.application)
    endpoint.refresh_from_db()
    assert endpoint.active  # 23 h: still on
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failing_since=timezone.now() - timedelta(hours=24, seconds=1)
    )
    assert pipeline.outbox_sweep() == 1  # a failure after a day of them
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at is not None
    assert "Every delivery failed since" in endpoint.disabled_reason
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@acme.test", "rita@example.com"]
    assert f"https://localhost:{receiver.port}" in mail.outbox[0].body
    assert all(m.extra_headers["Message-ID"].startswith("<") for m in mail.outbox)

    # What was still due is not sent to a disabled endpoint; new events are not written.
    assert pipeline.outbox_sweep() == 1
    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.get().state == "dropped"

    # Switched on again: the count starts afresh.
    response = token_client_for(acme.recruiter).patch(
        f"/api/webhook-endpoints/{endpoint.pk}/", {"active": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["disabled_at"] is None and response.json()["failing_since"] is None


def test_a_success_clears_the_failure_count(acme, receiver, token_client_for):
    endpoint = WebhookEndpointFactory(
        organization=acme.organization,
        url=receiver.url(),
        events=["interview.finished"],
        failing_since=timezone.now() - timedelta(hours=30),
    )
    _finish(token_client_for, acme.application)
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failing_since is None


def test_the_test_action_signs_and_reports_one_attempt(acme, receiver, token_client_for):
    client = token_client_for(acme.recruiter)
    endpoint = _subscribe(client, receiver.url(), events=("incident.opened",))
    receiver.answer(418)
    first = client.post(f"/api/webhook-endpoints/{endpoint['id']}/test/")
    assert first.status_code == 200
    assert first.json()["delivered"] is False and first.json()["status_code"] == 418
    second = client.post(f"/api/webhook-endpoints/{endpoint['id']}/test/").json()
    assert second["delivered"] is True and second["status_code"] == 200
    assert second["response_excerpt"] == "accepted" and second["address"] == "127.0.0.1"
    body = _verified(endpoint["secret"], receiver.requests[1])
    assert body["type"] == "webhook.test" and body["data"]["endpoint_id"] == endpoint["id"]
    assert body["data"]["application_id"] is None
    assert OutboxMessage.objects.count() == 0  # asked and answered in the request
    assert WebhookEndpoint.objects.get().failing_since is None  # a test counts for nothing


def test_the_admin_adds_an_endpoint_through_the_service_and_shows_the_secret_once(
    acme, receiver, admin_user, client, settings
):
    client.force_login(admin_user)
    response = client.post(
        "/admin/integrations/webhookendpoint/add/",
        {
            "organization": acme.organization.pk,
            "url": receiver.url(),
            "events": ["interview.started", "incident.opened"],
            "active": "on",
        },
    )
    assert response.status_code == 200, response.content
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret.encode() in response.content
    assert endpoint.created_by == admin_user
    assert endpoint.events == ["interview.started", "incident.opened"]
    page = client.get(f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/")
    assert page.status_code == 200
    assert endpoint.secret.encode() not in page.content  # never again
    assert endpoint.secret_hint.encode() in page.content

    settings.WEBHOOK_ALLOW_PRIVATE = False
    refused = client.post(
        "/admin/integrations/webhookendpoint/add/",
        {"organization": acme.organization.pk, "url": "https://10.0.0.8/", "events": ["x"]},
    )
    assert refused.status_code == 200 and b"10.0.0.8 is a private" in refused.content
    assert WebhookEndpoint.objects.count() == 1


def test_payloads_carry_ids_never_images_or_links(acme, receiver, token_client_for):
    _subscribe(
        token_client_for(acme.recruiter),
        receiver.url(),
        events=("interview.started", "interview.finished"),
    )
    application = acme.application
    application.status = "invited"
    application.save()
    token_client_for(application.candidate).post(f"/api/applications/{application.pk}/start/")
    _finish(token_client_for, application)
    bodies = [json.loads(r.body) for r in receiver.requests]
    assert [b["type"] for b in bodies] == ["interview.started", "interview.finished"]
    started, finished = (b["data"] for b in bodies)
    assert started["started_by"] == "candidate" and started["job_id"] == acme.job.pk
    assert finished["started_at"] == started["started_at"]
    text = " ".join(r.body.decode() for r in receiver.requests)
    assert "http" not in text and "s3Key" not in text and acme.candidate.email not in text
