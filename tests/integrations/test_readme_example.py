"""The README's five lines of receiver code verify what Invigil sends, and refuse a forgery."""

import re
import textwrap
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from standardwebhooks import WebhookVerificationError

from integrations.services import signed_headers
from tests.factories import WebhookDeliveryFactory
from tests.processes import BASE_DIR

pytestmark = pytest.mark.django_db


def _receiver_view():
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("### Signatures: verify in five lines", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    lines = [line for line in code.splitlines() if line.strip()]
    assert len(lines) == 5
    source = "def view(request):\n" + textwrap.indent(code, "    ")
    handled, seen = [], set()
    scope = {
        "SECRET": None,
        "HttpResponse": HttpResponse,
        "already_handled": lambda webhook_id: webhook_id in seen or seen.add(webhook_id),
        "handle": lambda type, application_id: handled.append((type, application_id)),
    }
    exec(compile(source, "README.md", "exec"), scope)  # noqa: S102 - our own README
    return scope, handled


def _request(delivery, headers):
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return RequestFactory().post(
        "/hooks", data=delivery.payload, content_type="application/json", **meta
    )


def test_the_five_lines_accept_a_delivery_once_and_refuse_a_forgery():
    scope, handled = _receiver_view()
    delivery = WebhookDeliveryFactory()
    scope["SECRET"] = delivery.endpoint.secret
    headers = signed_headers(delivery=delivery, secret=delivery.endpoint.secret, at=timezone.now())
    assert scope["view"](_request(delivery, headers)).status_code == 204
    assert scope["view"](_request(delivery, headers)).status_code == 204  # a retry
    assert handled == [("interview.finished", 1)]  # handled once

    forged = {**headers, "webhook-signature": "v1," + "A" * 44}
    with pytest.raises(WebhookVerificationError):
        scope["view"](_request(delivery, forged))
    stale = signed_headers(
        delivery=delivery,
        secret=delivery.endpoint.secret,
        at=timezone.now() - timedelta(minutes=10),
    )
    with pytest.raises(WebhookVerificationError):
        scope["view"](_request(delivery, stale))
