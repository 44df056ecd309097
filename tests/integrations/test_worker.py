"""The production shape: the finished interview's webhook goes through the Redis broker to a
real Celery worker, whose beat sweeps the outbox for the retries; the receiver (in this
process) answers 500 twice, then 200."""

import time

import pytest
from standardwebhooks.webhooks import Webhook

from integrations.models import WebhookDelivery
from tests.processes import celery_worker, child_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_retries_with_one_webhook_id_until_accepted(
    acme, receiver, real_celery, token_client_for, ca_bundle, tmp_path
):
    client = token_client_for(acme.recruiter)
    endpoint = client.post(
        "/api/webhook-endpoints/",
        {"url": receiver.url(), "events": ["interview.finished"]},
        format="json",
    ).json()
    receiver.answer(500, 500, 200)
    env = child_env(
        WEBHOOK_ALLOW_PRIVATE="true",
        WEBHOOK_CA_BUNDLE=ca_bundle,
        WEBHOOK_RETRY_SCHEDULE="1,1",
        OUTBOX_SWEEP_SECONDS="1",
    )
    log = tmp_path / "worker.log"
    with celery_worker(env, log, beat=True):
        response = token_client_for(acme.candidate).post(
            f"/api/applications/{acme.application.pk}/finish/"
        )
        assert response.status_code == 200
        deadline = time.monotonic() + 60
        while len(receiver.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # a fourth attempt, were there one, would have come by now
    assert len(receiver.requests) == 3, log.read_text()[-3000:]
    delivery = WebhookDelivery.objects.get()
    assert {r.headers["webhook-id"] for r in receiver.requests} == {delivery.webhook_id}
    for request in receiver.requests:
        Webhook(endpoint["secret"]).verify(request.body, request.headers)
    assert delivery.state == "delivered"
    assert [a.status_code for a in delivery.attempts.all()] == [500, 500, 200]
