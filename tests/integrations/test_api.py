"""`/api/webhook-endpoints/`: admins and the organization's recruiters; the secret once; 404
across organizations; 400 `url_not_allowed` for a URL that may not be called."""

import pytest

from integrations import addresses
from integrations.models import WebhookEndpoint
from tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

LIST = "/api/webhook-endpoints/"
PUBLIC = "https://93.184.215.14/hooks"  # an address literal: no lookup, never connected to


def _create(client, **body):
    body = {"url": PUBLIC, "events": ["interview.finished"], **body}
    return client.post(LIST, body, format="json")


def test_a_recruiter_creates_an_endpoint_and_sees_the_secret_once(acme, token_client_for):
    client = token_client_for(acme.recruiter)
    response = _create(client, events=["incident.opened", "interview.started", "incident.opened"])
    assert response.status_code == 201
    body = response.json()
    assert {"id", "url", "events", "active", "secret"} <= set(body)
    assert body["secret"].startswith("whsec_") and body["active"] is True
    assert body["events"] == ["interview.started", "incident.opened"]  # once each, in order
    assert body["organization_id"] == acme.organization.pk
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == body["secret"] and endpoint.created_by == acme.recruiter

    detail = client.get(f"{LIST}{body['id']}/").json()
    assert "secret" not in detail and detail["url"] == PUBLIC
    listing = client.get(LIST).json()
    assert listing["count"] == 1 and "secret" not in listing["results"][0]


def test_each_endpoint_has_its_own_secret(acme, token_client_for):
    client = token_client_for(acme.recruiter)
    secrets = {_create(client).json()["secret"] for _ in range(3)}
    assert len(secrets) == 3


def test_an_admin_names_the_organization(acme, globex, admin_user, token_client_for):
    client = token_client_for(admin_user)
    missing = _create(client)
    assert missing.status_code == 400 and missing.json()["code"] == "required"
    made = _create(client, organization_id=globex.organization.pk)
    assert made.status_code == 201 and made.json()["organization_id"] == globex.organization.pk
    assert _create(client, organization_id=999999).status_code == 404


def test_a_recruiter_writes_only_to_their_own_organization(acme, globex, token_client_for):
    response = _create(token_client_for(acme.recruiter), organization_id=globex.organization.pk)
    assert response.status_code == 404
    assert response.json()["code"] == "organization_not_found"
    assert WebhookEndpoint.objects.count() == 0


def test_endpoints_are_scoped_by_organization(acme, globex, admin_user, token_client_for):
    theirs = WebhookEndpointFactory(organization=globex.organization)
    ours = WebhookEndpointFactory(organization=acme.organization)
    client = token_client_for(acme.recruiter)
    assert [e["id"] for e in client.get(LIST).json()["results"]] == [ours.pk]
    for method, path in (
        ("get", f"{LIST}{theirs.pk}/"),
        ("patch", f"{LIST}{theirs.pk}/"),
        ("delete", f"{LIST}{theirs.pk}/"),
        ("post", f"{LIST}{theirs.pk}/test/"),
    ):
        response = getattr(client, method)(path, {"active": False}, format="json")
        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "webhook_endpoint_not_found"
    theirs.refresh_from_db()
    assert theirs.active
    admin_ids = {e["id"] for e in token_client_for(admin_user).get(LIST).json()["results"]}
    assert admin_ids == {ours.pk, theirs.pk}


def test_candidates_may_not_and_strangers_must_sign_in(acme, api_client, token_client_for):
    endpoint = WebhookEndpointFactory(organization=acme.organization)
    candidate = token_client_for(acme.candidate)
    assert candidate.get(LIST).status_code == 403
    assert _create(candidate).status_code == 403
    assert candidate.get(f"{LIST}{endpoint.pk}/").status_code == 403
    assert api_client.get(LIST).status_code == 401
    assert api_client.post(f"{LIST}{endpoint.pk}/test/").status_code == 401


@pytest.mark.parametrize(
    "url, says",
    [
        ("https://10.0.0.8/hooks", "10.0.0.8 is a private"),
        ("https://192.168.1.20/hooks", "is a private"),
        ("https://127.0.0.1:8000/hooks", "is a private, loopback"),
        ("https://[::1]/hooks", "::1 is a private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[::ffff:10.0.0.1]/", "is a private"),
        ("https://0.0.0.0/", "reserved"),
        ("http://93.184.215.14/hooks", "must start with https://"),
        ("https://user:pw@93.184.215.14/hooks", "user name or password"),
        ("ftp://93.184.215.14/", "must start with https://"),
        ("https:///nohost", "no host name"),
    ],
)
def test_a_url_that_may_not_be_called_is_refused(acme, token_client_for, url, says):
    response = _create(token_client_for(acme.recruiter), url=url)
    assert response.status_code == 400
    assert response.json()["code"] == "url_not_allowed"
    assert says in response.json()["message"]
    assert WebhookEndpoint.objects.count() == 0


def test_a_name_is_refused_for_what_it_resolves_to(acme, token_client_for, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.215.14", "10.9.8.7"])
    response = _create(token_client_for(acme.recruiter), url="https://ats.example.com/hooks")
    assert response.status_code == 400 and response.json()["code"] == "url_not_allowed"
    assert response.json()["message"].startswith("ats.example.com resolves to 10.9.8.7")


def test_a_name_that_does_not_resolve_is_refused(acme, token_client_for, monkeypatch):
    def nowhere(host, port):
        raise addresses.AddressRefused(f"The host name {host} does not resolve.")

    monkeypatch.setattr(addresses, "resolve", nowhere)
    response = _create(token_client_for(acme.recruiter), url="https://ats.invalid/hooks")
    assert response.status_code == 400 and response.json()["code"] == "url_not_allowed"


def test_private_addresses_pass_when_allowed(acme, token_client_for, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    response = _create(token_client_for(acme.recruiter), url="https://10.0.0.8/hooks")
    assert response.status_code == 201


def test_http_is_accepted_only_with_debug(acme, token_client_for, settings):
    client = token_client_for(acme.recruiter)
    assert _create(client, url="http://93.184.215.14/").status_code == 400
    settings.DEBUG = True
    assert _create(client, url="http://93.184.215.14/").status_code == 201


@pytest.mark.parametrize("events", [[], ["interview.exploded"], "interview.started"])
def test_events_must_be_known(acme, token_client_for, events):
    response = _create(token_client_for(acme.recruiter), events=events)
    assert response.status_code == 400
    assert WebhookEndpoint.objects.count() == 0


def test_every_contract_event_may_be_subscribed_before_its_feature_lands(acme, token_client_for):
    events = [
        "interview.started",
        "interview.finished",
        "incident.opened",
        "identity.mismatch",
        "decision.made",
        "candidate.responded",
        "erasure.completed",
    ]
    response = _create(token_client_for(acme.recruiter), events=events)
    assert response.status_code == 201 and response.json()["events"] == events


def test_patch_changes_url_events_and_active_and_checks_the_url(acme, token_client_for):
    client = token_client_for(acme.recruiter)
    endpoint = WebhookEndpointFactory(organization=acme.organization)
    path = f"{LIST}{endpoint.pk}/"
    refused = client.patch(path, {"url": "https://10.1.1.1/"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "url_not_allowed"
    response = client.patch(
        path,
        {"url": "https://93.184.215.15/new", "events": ["erasure.completed"], "active": False},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["url"], body["events"], body["active"]) == (
        "https://93.184.215.15/new",
        ["erasure.completed"],
        False,
    )
    assert "secret" not in body


def test_delete_removes_the_endpoint(acme, token_client_for):
    client = token_client_for(acme.recruiter)
    endpoint = WebhookEndpointFactory(organization=acme.organization)
    assert client.delete(f"{LIST}{endpoint.pk}/").status_code == 204
    assert client.get(f"{LIST}{endpoint.pk}/").status_code == 404
    assert WebhookEndpoint.objects.count() == 0


def test_the_schema_documents_the_endpoints(acme, client_for):
    schema = client_for(acme.recruiter).get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = schema.json()["paths"]
    assert "/api/webhook-endpoints/" in paths
    assert "/api/webhook-endpoints/{endpoint_id}/test/" in paths


def test_the_test_action_is_limited_per_person(acme, token_client_for, limits_on, monkeypatch):
    from integrations import services, transport

    monkeypatch.setattr(
        transport, "post", lambda url, **kw: transport.Answer(status_code=204, latency_ms=1)
    )
    endpoint = WebhookEndpointFactory(organization=acme.organization)
    client = token_client_for(acme.recruiter)
    codes = [client.post(f"{LIST}{endpoint.pk}/test/").status_code for _ in range(11)]
    assert codes == [200] * 10 + [429]
    assert services.WebhookDelivery.objects.filter(event_type="webhook.test").count() == 10
