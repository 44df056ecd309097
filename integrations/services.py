"""Outbound webhooks: endpoints, events, deliveries (README "Integrations").

An event of an interview becomes, in the transaction of the change that caused it, one
outbox message per endpoint that asked for it (common.pipeline) — not one message fanned
out: each endpoint then succeeds, fails, is retried and given up on its own schedule and
lease, and one receiver that is down never makes the outbox send again to another that
already accepted. The message's id is the delivery's id and its `webhook-id`.

Every attempt is signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
`webhook-signature`: HMAC-SHA256 by the `standardwebhooks` package) and logged
(WebhookAttempt). An endpoint whose every attempt failed for WEBHOOK_DISABLE_AFTER (24 h) is
disabled and its organization's people are e-mailed (also through the outbox).
"""

import base64
import json
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from accounts.models import Organization, User
from applications.models import JobApplication
from applications.services.mail import send_email
from common import pipeline
from common.errors import InvalidInput, NotAllowed, NotFound
from common.models import OutboxMessage
from common.time import iso_utc

from . import events, followups, transport
from .addresses import AddressRefused, url_check
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .selectors import endpoint_people, endpoints_for_event

logger = logging.getLogger(__name__)

USER_AGENT = "Invigil-Webhooks/1.0 (+https://www.standardwebhooks.com/)"


class DeliveryFailed(Exception):
    """An attempt that did not get a 2xx: the outbox tries again on the delivery's schedule."""


# --- Endpoints -------------------------------------------------------------------------------


def _organization_for_write(*, actor: User, organization: Organization | None) -> Organization:
    """Recruiters manage their own organization's endpoints; admins name the organization."""
    if actor.is_recruiter:
        if actor.organization_id is None:
            raise NotAllowed("You are not a member of an organization.", code="no_organization")
        if organization is not None and organization.pk != actor.organization_id:
            raise NotFound("Organization not found.", code="organization_not_found")
        return actor.organization
    if actor.is_admin_role:
        if organization is None:
            raise InvalidInput("organization_id: this field is required.", code="required")
        return organization
    raise NotAllowed("Only recruiters and admins may manage webhook endpoints.")


def _events_clean(values: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(values))
    unknown = [v for v in chosen if v not in events.EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            f"events: unknown event {unknown[0]!r}; one of {', '.join(events.EVENT_TYPES)}.",
            code="invalid",
        )
    if not chosen:
        raise InvalidInput("events: name at least one event.", code="invalid")
    return [e for e in events.EVENT_TYPES if e in chosen]


def _url_clean(url: str) -> str:
    try:
        url_check(url)
    except AddressRefused as exc:
        raise InvalidInput(str(exc), code="url_not_allowed") from None
    return url.strip()


def secret_new() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def endpoint_create(
    *,
    actor: User,
    url: str,
    events: Iterable[str],
    active: bool = True,
    organization: Organization | None = None,
) -> WebhookEndpoint:
    """A new endpoint with a new secret. The caller shows `endpoint.secret` once (the 201
    answer, the admin's message); it is never shown again. 400 `url_not_allowed` for a URL
    that may not be called (https, private addresses: integrations/addresses.py)."""
    org = _organization_for_write(actor=actor, organization=organization)
    endpoint = WebhookEndpoint.objects.create(
        organization=org,
        url=_url_clean(url),
        events=_events_clean(events),
        active=active,
        secret=secret_new(),
        created_by=actor if actor.is_authenticated else None,
    )
    logger.info("Webhook endpoint %s created for %s by %s", endpoint.pk, org.slug, actor.pk)
    return endpoint


def endpoint_update(
    *, actor: User, endpoint: WebhookEndpoint, data: dict[str, Any]
) -> WebhookEndpoint:
    """Change the URL (checked again), the events, or switch it on or off. Switching a
    disabled endpoint on starts its failure count afresh."""
    _organization_for_write(actor=actor, organization=endpoint.organization)
    changed = []
    if "url" in data and data["url"] != endpoint.url:
        endpoint.url = _url_clean(data["url"])
        changed.append("url")
    if "events" in data:
        endpoint.events = _events_clean(data["events"])
        changed.append("events")
    if "active" in data and data["active"] != endpoint.active:
        endpoint.active = data["active"]
        changed.append("active")
        if endpoint.active:
            endpoint.failing_since = endpoint.disabled_at = None
            endpoint.disabled_reason = ""
            changed += ["failing_since", "disabled_at", "disabled_reason"]
    if changed:
        endpoint.save(update_fields=changed)
    return endpoint


def endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Delete it with its deliveries; messages still in the outbox find nothing to send."""
    _organization_for_write(actor=actor, organization=endpoint.organization)
    endpoint.delete()


def endpoint_test(*, actor: User, endpoint: WebhookEndpoint) -> WebhookAttempt:
    """Send a `webhook.test` event to this endpoint now, once, and answer how it went (the
    person who asked is waiting: not through the outbox, no retry, no effect on the endpoint's
    failure count). Works on an endpoint that is switched off, to check it before switching it
    on."""
    _organization_for_write(actor=actor, organization=endpoint.organization)
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=events.ENDPOINT_TEST,
        payload=_body(
            events.ENDPOINT_TEST,
            now,
            {"application_id": None, "endpoint_id": endpoint.pk, "requested_by": actor.pk},
        ),
        created_at=now,
    )
    attempt = _attempt(delivery, endpoint, manual=True)
    _settle(delivery, attempt, last=True)
    return attempt


# --- Events ----------------------------------------------------------------------------------


def _body(event_type: str, at: datetime, data: dict) -> str:
    return json.dumps(
        {"type": event_type, "timestamp": iso_utc(at), "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def webhook_event_emit(
    *,
    organization_id: int | None,
    event_type: str,
    at: datetime,
    data: dict,
    targets: list[WebhookEndpoint] | None = None,
) -> list[WebhookDelivery]:
    """Write one delivery per endpoint of the organization that asked for this event, each
    through its own outbox message, in the caller's transaction (the event and its webhooks
    commit together, or neither does). `data` must carry `application_id`; `targets`, when
    the caller already read them for several events of one kind."""
    if organization_id is None:
        return []
    if targets is None:
        targets = endpoints_for_event(organization_id=organization_id, event_type=event_type)
    if not targets:
        return []
    body = _body(event_type, at, data)
    deliveries = []
    # Outside a transaction this opens one: the message is sent only once its delivery exists.
    with transaction.atomic(savepoint=False):
        for endpoint in targets:
            message = pipeline.outbox(followups.DELIVER_WEBHOOK, endpoint_id=endpoint.pk)
            deliveries.append(
                WebhookDelivery(
                    id=message.pk,
                    endpoint=endpoint,
                    event_type=event_type,
                    application_id=data.get("application_id"),
                    payload=body,
                )
            )
        return WebhookDelivery.objects.bulk_create(deliveries)


def application_event_emit(
    *, event_type: str, application_id: int, at: datetime, data: dict | None = None
) -> list[WebhookDelivery]:
    """An event about one interview, to its organization's endpoints: `data` after
    `application_id`, `job_id` and `candidate_id`. The hook a new event is connected with
    (integrations/receivers.py). Most organizations have no endpoint for it: their
    endpoints are read first, through the interview (one query then)."""
    targets = endpoints_for_event(application_id=application_id, event_type=event_type)
    if not targets:
        return []
    row = (
        JobApplication.objects.filter(pk=application_id)
        .values("job_id", "job__organization_id", "candidate_id")
        .first()
    )
    if row is None:
        return []
    return webhook_event_emit(
        organization_id=row["job__organization_id"],
        event_type=event_type,
        at=at,
        data={
            "application_id": application_id,
            "job_id": row["job_id"],
            "candidate_id": row["candidate_id"],
            **(data or {}),
        },
        targets=targets,
    )


def interview_started_emit(*, application_id: int, at: datetime, started_by: str) -> None:
    """`interview.started`: the start transition ("candidate") or, for an interview opened in
    progress, its first recording ("first_recording") — whichever stamped `started_at`."""
    application_event_emit(
        event_type=events.INTERVIEW_STARTED,
        application_id=application_id,
        at=at,
        data={"started_at": iso_utc(at), "started_by": started_by},
    )


def interview_finished_emit(*, application: JobApplication, at: datetime) -> None:
    """`interview.finished`: completed (always), or withdrawn once it had started (a
    withdrawal before anything started sends nothing: nothing had started)."""
    status = application.status
    if status == JobApplication.Status.WITHDRAWN and application.started_at is None:
        return
    webhook_event_emit(
        organization_id=application.job.organization_id,
        event_type=events.INTERVIEW_FINISHED,
        at=at,
        data={
            "application_id": application.pk,
            "job_id": application.job_id,
            "candidate_id": application.candidate_id,
            "status": status,
            "started_at": iso_utc(application.started_at),
            "ended_at": iso_utc(at),
        },
    )


def incidents_opened_emit(*, application: JobApplication, incidents: list) -> None:
    """`incident.opened`, one per new incident id (what a reviewer would look at: its type,
    when, how many frames, the reason in words — no image, no link). The endpoints are read
    once for all of them."""
    organization_id = application.job.organization_id
    targets = endpoints_for_event(
        organization_id=organization_id, event_type=events.INCIDENT_OPENED
    )
    if not targets:
        return
    now = timezone.now()
    for incident in incidents:
        webhook_event_emit(
            organization_id=organization_id,
            event_type=events.INCIDENT_OPENED,
            at=now,
            targets=targets,
            data={
                "application_id": application.pk,
                "incident_id": incident.pk,
                "type": incident.type,
                "started_at": iso_utc(incident.started_at),
                "ongoing": incident.ongoing,
                "frame_count": incident.frame_count,
                "reason": incident.reason,
            },
        )


def erasure_completed_emit(*, job, organizations: dict[int, int | None]) -> None:
    """`erasure.completed`, one per interview the job covered, naming the receipt. The
    webhook log forgets the erased interviews first: their earlier deliveries (and any still
    waiting) go, as the record they describe did."""
    WebhookDelivery.objects.filter(application_id__in=list(organizations)).delete()
    for application_id, organization_id in organizations.items():
        webhook_event_emit(
            organization_id=organization_id,
            event_type=events.ERASURE_COMPLETED,
            at=job.erased_at,
            data={
                "application_id": application_id,
                "receipt_id": str(job.receipt_id),
                "kind": job.kind,
                "erased_at": iso_utc(job.erased_at),
                "objects_deleted": job.objects_deleted,
                "rows_deleted": job.rows_deleted,
            },
        )


# --- Delivering ------------------------------------------------------------------------------


def signed_headers(*, delivery: WebhookDelivery, secret: str, at: datetime) -> dict[str, str]:
    """Standard Webhooks headers for one attempt: its own timestamp, the delivery's id."""
    signature = Webhook(secret).sign(
        msg_id=delivery.webhook_id, timestamp=at, data=delivery.payload
    )
    return {
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def _attempt(delivery: WebhookDelivery, endpoint: WebhookEndpoint, *, manual: bool):
    at = timezone.now()
    answer = transport.post(
        endpoint.url,
        body=delivery.payload.encode(),
        headers=signed_headers(delivery=delivery, secret=endpoint.secret, at=at),
    )
    return WebhookAttempt.objects.create(
        delivery=delivery,
        attempted_at=at,
        manual=manual,
        status_code=answer.status_code,
        latency_ms=answer.latency_ms,
        address=answer.address,
        response_excerpt=answer.excerpt,
        error=answer.error,
    )


def _settle(delivery: WebhookDelivery, attempt: WebhookAttempt, *, last: bool) -> None:
    if attempt.ok:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.DELIVERED, delivered_at=attempt.attempted_at
        )
    elif last:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.FAILED)


def _is_last(message_id: str) -> bool:
    """Whether the outbox gives up if this attempt fails (its schedule is used up)."""
    earlier = OutboxMessage.objects.filter(pk=message_id).values_list("attempts", flat=True).first()
    return (earlier or 0) >= len(followups.DELIVER_WEBHOOK.retry_schedule())


def webhook_deliver(*, delivery_id: str, message_id: str, manual: bool = False) -> str:
    """One attempt of a delivery (the outbox calls it: DELIVER_WEBHOOK, REDELIVER_WEBHOOK).
    Returns "delivered", "gone" (endpoint deleted, interview erased), "dropped" (endpoint
    switched off) or "already delivered"; raises DeliveryFailed so the outbox tries again."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "gone"
    if not manual and delivery.state == WebhookDelivery.State.DELIVERED:
        return "already delivered"  # the outbox lost our acknowledgement: nothing to resend
    endpoint = delivery.endpoint
    if not manual and not endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.DROPPED)
        return "dropped"
    attempt = _attempt(delivery, endpoint, manual=manual)
    last = manual or _is_last(message_id)
    _settle(delivery, attempt, last=last)
    if attempt.ok:
        if not manual:
            WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False).update(
                failing_since=None
            )
        return "delivered"
    if not manual:
        _endpoint_failed(endpoint_id=endpoint.pk, at=attempt.attempted_at)
    raise DeliveryFailed(f"{delivery.webhook_id} to {endpoint.url}: {attempt.error}")


def _endpoint_failed(*, endpoint_id: int, at: datetime) -> None:
    """Count the failure against the endpoint; after WEBHOOK_DISABLE_AFTER of nothing but
    failures, switch it off and tell its people (in one transaction: the e-mails go out only
    if it was switched off, and it is switched off once)."""
    WebhookEndpoint.objects.filter(pk=endpoint_id, failing_since__isnull=True).update(
        failing_since=at
    )
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.select_for_update(of=("self",))  # not the organization
            .select_related("organization")
            .filter(pk=endpoint_id, active=True)
            .first()
        )
        if endpoint is None or endpoint.failing_since is None:
            return
        if at - endpoint.failing_since < timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER):
            return
        endpoint.active = False
        endpoint.disabled_at = at
        endpoint.disabled_reason = f"Every delivery failed since {iso_utc(endpoint.failing_since)}."
        endpoint.save(update_fields=["active", "disabled_at", "disabled_reason"])
        for person in endpoint_people(endpoint=endpoint):
            pipeline.outbox(
                followups.ENDPOINT_DISABLED_EMAIL, endpoint_id=endpoint.pk, user_id=person.pk
            )
    logger.warning("Webhook endpoint %s disabled: %s", endpoint.pk, endpoint.disabled_reason)


def webhook_redeliver(*, actor: User, delivery: WebhookDelivery) -> None:
    """Send a delivery again now (the admin's "Redeliver"): one attempt, with the same
    `webhook-id` and body, even to an endpoint that is switched off (to check it is mended);
    it does not count toward switching the endpoint off."""
    if not actor.is_admin_role:
        raise NotAllowed("Only admins may redeliver webhooks.")
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDelivery.State.PENDING)
        pipeline.outbox(followups.REDELIVER_WEBHOOK, delivery_id=str(delivery.pk))


def endpoint_disabled_notify(*, endpoint_id: int, user_id: int, message_id: str) -> None:
    """The e-mail saying an endpoint was switched off (ENDPOINT_DISABLED_EMAIL)."""
    endpoint = WebhookEndpoint.objects.select_related("organization").filter(pk=endpoint_id).first()
    person = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if endpoint is None or person is None or endpoint.active:
        return  # deleted, switched on again, or nobody to tell any more
    admin = settings.SITE_URL.rstrip("/") + reverse(
        "admin:integrations_webhookendpoint_change", args=[endpoint.pk]
    )
    send_email(
        subject=f"Webhooks to {endpoint.url} were switched off",
        body=(
            f"Hello,\n\nInvigil could not deliver {endpoint.organization.name}'s webhooks to\n"
            f"{endpoint.url}\nfor {settings.WEBHOOK_DISABLE_AFTER // 3600} hours, so it "
            f"stopped sending to it. {endpoint.disabled_reason}\n\nWhen the receiver works "
            f"again, switch the endpoint back on (PATCH /api/webhook-endpoints/{endpoint.pk}/ "
            f'{{"active": true}}, or in the admin: {admin}); deliveries that were not sent '
            "can be redelivered from the admin.\n"
        ),
        to=person.email,
        message_id=message_id,
    )
