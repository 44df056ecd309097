"""Refuse to serve the demo on a network while its users keep their well-known passwords.

`bin/run` calls it with the address it is about to serve (INVIGIL_ADDR) after `seed_demo`:
on loopback only this machine can reach the demo; on any other address (0.0.0.0, a LAN
address, a host name) anyone on the network could sign in as admin/admin. The way out is
named in the refusal: real passwords for the demo users, or INVIGIL_DEMO_ON_NETWORK=yes to
accept the risk (a warning is printed then).
"""

import ipaddress

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User

from .seed_demo import DEMO_USERS


def is_loopback(addr: str) -> bool:
    """`127.0.0.1:8000`, `[::1]:8000`, `localhost:8000` are loopback; `0.0.0.0:8000`,
    `[::]:8000`, a LAN address or any other host name are not."""
    host = addr.rsplit(":", 1)[0] if addr.count(":") == 1 or addr.startswith("[") else addr
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def users_with_demo_passwords() -> list[str]:
    """The demo users who still sign in with the password seed_demo gave them."""
    users = {
        user.username: user for user in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])
    }
    return [
        username
        for username, password, *_ in DEMO_USERS
        if username in users and users[username].check_password(password)
    ]


class Command(BaseCommand):
    help = "Refuse a network address while demo users keep their demo passwords (bin/run)."

    def add_arguments(self, parser):
        parser.add_argument("addr", help="The address bin/run serves, host:port (INVIGIL_ADDR).")

    def handle(self, *args, addr: str, **options):
        if is_loopback(addr):
            return
        exposed = users_with_demo_passwords()
        if not exposed:
            return
        names = ", ".join(exposed)
        if settings.DEMO_ON_NETWORK:
            self.stderr.write(
                f"Warning: serving on {addr} while {names} keep their demo passwords "
                "(INVIGIL_DEMO_ON_NETWORK=yes): anyone on this network can sign in as them."
            )
            return
        raise CommandError(
            f"Refusing to serve on {addr}: the demo users {names} still have their demo "
            "passwords (admin/admin …), so anyone on this network could sign in as admin. "
            "Either set real passwords first (python manage.py changepassword admin, and the "
            "same for each user named), or accept the risk with INVIGIL_DEMO_ON_NETWORK=yes. "
            "On 127.0.0.1 (the default INVIGIL_ADDR) only this machine can reach the demo."
        )
