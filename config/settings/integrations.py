"""Outbound webhooks (integrations/): who may be called, how often a failing delivery is tried
again, when an endpoint that keeps failing is switched off."""

from .base import env

# Loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7) and link-local (169.254/16,
# fe80::/10) addresses are refused, at creation and on every connection, unless this is set
# (a receiver on the same network, the tests' local receiver). Off in production: link-local
# includes the cloud metadata address.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=False)
# Seconds to wait before each further attempt of a webhook that failed, then it is given up.
# The default's waits add up to 24 h: ten attempts, the last one day after the first.
WEBHOOK_RETRY_SCHEDULE = [
    int(s)
    for s in env.list(
        "WEBHOOK_RETRY_SCHEDULE",
        default=["5", "30", "120", "600", "3600", "7200", "14400", "28800", "31645"],
    )
]
# An endpoint whose every attempt failed for this long (seconds) is disabled and its
# organization's people are e-mailed.
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=24 * 3600)
# Seconds one attempt may take, connecting and answering together.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
# A PEM file of the certificate authorities receivers' certificates are checked against
# (empty: the system's store). For receivers behind a private CA.
WEBHOOK_CA_BUNDLE = env.str("WEBHOOK_CA_BUNDLE", default="")
