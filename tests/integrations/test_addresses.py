"""The address rules (integrations/addresses.py), one case a line."""

import pytest

from integrations.addresses import (
    AddressRefused,
    Target,
    address_allowed,
    addresses_checked,
    url_parse,
)

PUBLIC = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"]
INSIDE = [
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "127.0.0.1",
    "127.8.9.10",
    "169.254.169.254",  # the cloud metadata service
    "::1",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
]
NEVER = ["0.0.0.0", "::", "224.0.0.1", "ff02::1", "100.64.0.1", "240.0.0.1", "192.0.2.1"]


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    assert address_allowed(address)


@pytest.mark.parametrize("address", INSIDE)
def test_private_loopback_and_link_local_only_when_allowed(address, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    assert not address_allowed(address)
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert address_allowed(address)


@pytest.mark.parametrize("address", NEVER)
def test_unspecified_multicast_shared_and_reserved_never(address, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert not address_allowed(address)


def test_url_parts(settings):
    settings.DEBUG = False
    assert url_parse("https://ats.example.com/hooks?a=1") == Target(
        "https", "ats.example.com", 443, "/hooks?a=1"
    )
    assert url_parse("https://ats.example.com").path == "/"
    assert url_parse("https://ats.example.com:8443/x").host_header == "ats.example.com:8443"
    assert url_parse("https://[2001:db8::1]/x").host_header == "[2001:db8::1]"
    assert url_parse("https://ATS.Example.com/x").host == "ats.example.com"


@pytest.mark.parametrize(
    "url",
    [
        "http://ats.example.com/",
        "https://u:p@ats.example.com/",
        "https://ats.example.com:99999/",
        "https://",
        "",
        "https://ats.example.com/" + "a" * 2000,
    ],
)
def test_urls_refused_before_any_lookup(url, settings):
    settings.DEBUG = False
    with pytest.raises(AddressRefused):
        url_parse(url)


def test_a_name_pointing_both_outside_and_inside_is_refused_whole(settings, monkeypatch):
    from integrations import addresses

    settings.WEBHOOK_ALLOW_PRIVATE = False
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.9"])
    with pytest.raises(AddressRefused, match=r"resolves to 10\.0\.0\.9"):
        addresses_checked(url_parse("https://ats.example.com/"))
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.215.14"])
    assert addresses_checked(url_parse("https://ats.example.com/")) == ["93.184.215.14"]
