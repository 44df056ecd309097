"""Who the client is: REMOTE_ADDR, or behind a trusted proxy (TRUSTED_PROXIES, CIDRs) the
address that proxy saw — never a header from anyone else (issue 26, point 6)."""

import pytest
from django.test import RequestFactory

from common.http import client_ip

CLIENT = "203.0.113.7"


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("peer", ["127.0.0.1", "10.0.0.5", "::1"])
def test_no_forwarded_header_is_trusted_by_default_not_even_from_loopback(settings, peer):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request(peer, CLIENT)) == peer


def test_a_trusted_proxy_names_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1/32"]
    assert client_ip(_request("10.0.0.5", CLIENT)) == CLIENT
    # What the client wrote itself stays to the left of what the proxies appended.
    assert client_ip(_request("10.0.0.5", f"198.51.100.9, {CLIENT}, 10.0.0.9")) == CLIENT
    assert client_ip(_request("10.0.0.5")) == "10.0.0.5"  # no header: the proxy itself


def test_an_untrusted_peer_is_the_client_whatever_it_forwards(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("192.0.2.44", CLIENT)) == "192.0.2.44"


def test_a_forwarded_value_that_is_no_address_is_not_taken(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("10.0.0.5", "not-an-address")) == "10.0.0.5"


def test_lockout_uses_the_same_address():
    from django.conf import settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "common.http.client_ip"
