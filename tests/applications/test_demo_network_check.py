"""bin/run refuses to serve the demo on a network address while the demo users still have
their demo passwords (`manage.py demo_network_check ADDR`, issue 26, point 7)."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo")


@pytest.mark.parametrize("addr", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "127.0.1.1:9"])
def test_loopback_is_served_with_demo_passwords(demo, addr):
    call_command("demo_network_check", addr)


@pytest.mark.parametrize("addr", ["0.0.0.0:8000", "[::]:8000", "192.168.1.20:8000", "box:8000"])
def test_a_network_address_is_refused_while_demo_passwords_remain(demo, addr):
    with pytest.raises(CommandError) as refused:
        call_command("demo_network_check", addr)
    message = str(refused.value)
    assert addr in message and "admin" in message
    assert "changepassword" in message and "INVIGIL_DEMO_ON_NETWORK=yes" in message


def test_one_demo_password_left_is_enough_to_refuse(demo):
    for user in User.objects.exclude(username="mary"):
        user.set_password("a-long-private-passphrase-9")
        user.save()
    with pytest.raises(CommandError, match="mary"):
        call_command("demo_network_check", "0.0.0.0:8000")


def test_with_every_demo_password_changed_the_network_is_served(demo):
    for user in User.objects.all():
        user.set_password("a-long-private-passphrase-9")
        user.save()
    call_command("demo_network_check", "0.0.0.0:8000")


def test_the_risk_can_be_accepted_explicitly(demo, settings, capsys):
    settings.DEMO_ON_NETWORK = True
    call_command("demo_network_check", "0.0.0.0:8000")
    assert "INVIGIL_DEMO_ON_NETWORK" in capsys.readouterr().err


def test_without_demo_users_there_is_nothing_to_refuse():
    call_command("demo_network_check", "0.0.0.0:8000")
