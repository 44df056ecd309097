"""Who sees which webhook endpoints and deliveries: admins all, recruiters their own
organization's, candidates none (accounts.scoping). Not visible → 404."""

from django.db.models import QuerySet

from accounts.models import User
from accounts.scoping import role_scope
from common.errors import NotFound

from .models import WebhookEndpoint


def webhook_endpoints_for_user(*, user: User) -> QuerySet[WebhookEndpoint]:
    qs = WebhookEndpoint.objects.select_related("organization")
    scope = role_scope(user, organization="organization_id")
    return qs.none() if scope is None else qs.filter(scope)


def webhook_endpoint_get_for_user(*, user: User, endpoint_id: int) -> WebhookEndpoint:
    try:
        return webhook_endpoints_for_user(user=user).get(pk=endpoint_id)
    except (WebhookEndpoint.DoesNotExist, ValueError, TypeError):
        raise NotFound("Webhook endpoint not found.", code="webhook_endpoint_not_found") from None


def endpoints_for_event(
    *, event_type: str, organization_id: int | None = None, application_id: int | None = None
) -> list[WebhookEndpoint]:
    """The active endpoints that asked for this event, of the organization or of the
    interview's organization (a handful of rows; the events list is filtered here, as SQLite
    has no JSON containment)."""
    if application_id is not None:
        endpoints = WebhookEndpoint.objects.filter(organization__jobs__applications=application_id)
    else:
        endpoints = WebhookEndpoint.objects.filter(organization_id=organization_id)
    return [endpoint for endpoint in endpoints.filter(active=True) if event_type in endpoint.events]


def endpoint_people(*, endpoint: WebhookEndpoint) -> list[User]:
    """Who hears that an endpoint was switched off: its organization's recruiters and admins;
    when it has none with an address, every admin."""
    people = User.objects.filter(is_active=True, email__gt="").exclude(role=User.Role.CANDIDATE)
    members = list(people.filter(organization_id=endpoint.organization_id))
    return members or list(people.filter(role=User.Role.ADMIN))
