"""Bounds on what a client may send and spend: bodies and messages, costly endpoints, rate
limits and the sign-in lockout, trusted proxies, tokens and idle sessions (README "Security")."""

import ipaddress
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from .base import env
from .realtime import REDIS_URL

MONITORING_UPLOAD_MAX_BYTES = env.int("MONITORING_UPLOAD_MAX_BYTES", default=8 * 1024 * 1024)
# Every other path (config.limits); both are enforced as the body arrives (config.bodylimit).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=1024 * 1024)
# Django's own limit stays above ours so that our JSON 413 answers first.
DATA_UPLOAD_MAX_MEMORY_SIZE = max(MONITORING_UPLOAD_MAX_BYTES, REQUEST_MAX_BYTES) + 1024 * 1024
# WebSocket messages: larger ones are refused with an error message (the socket stays open);
# the ASGI server drops frames above 4× this without reading them (bin/run, README).
WEBSOCKET_MAX_MESSAGE_BYTES = env.int("WEBSOCKET_MAX_MESSAGE_BYTES", default=64 * 1024)
# JSON bodies and socket messages nested deeper than this are refused (400 / error message).
JSON_MAX_DEPTH = 32

# --- Costly endpoints (README: "Security") ---------------------------------------------------
# Readiness (/api/health/ready/, no sign-in): checks run at most once per this many seconds per
# process; the reasons of a failing part go to admins and to `X-Health-Token: <this token>`.
HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", default=5.0)
HEALTH_DETAIL_TOKEN = env.str("HEALTH_DETAIL_TOKEN", default="")
# Zip exports (the candidate's copy): per user one at a time and this many an hour (429), per
# process this many at once, each in a thread of its own (503 server_busy beyond).
EXPORT_MAX_PER_HOUR = env.int("EXPORT_MAX_PER_HOUR", default=6)
EXPORT_WORKERS = env.int("EXPORT_WORKERS", default=2)

# --- Rate limits and sign-in lockout (README: "Security") ------------------------------------
# Every limit is a moving window ("N per S seconds", the limits library's notation), counted in
# Redis when REDIS_URL is set (one window for all processes), else per process.
RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", default=True)
# Uploads per application and type: a burst of 20 (a queue drained after an outage passes),
# then 4× the application's capture rate: 20 per (20 / 4 × interval) seconds.
RATE_LIMIT_UPLOAD_BURST = env.int("RATE_LIMIT_UPLOAD_BURST", default=20)
# Dry-run uploads per candidate (the system check's test frames and timed uploads).
RATE_LIMIT_DRY_RUN = env.str("RATE_LIMIT_DRY_RUN", default="30 per 300 seconds")
# "Forgot password?": requests per client address (429), and e-mails per e-mail address
# (beyond it nothing more is sent, silently: the page answers the same for every address).
RATE_LIMIT_PASSWORD_RESET = env.str("RATE_LIMIT_PASSWORD_RESET", default="10 per 3600 seconds")
RATE_LIMIT_PASSWORD_RESET_EMAIL = env.str(
    "RATE_LIMIT_PASSWORD_RESET_EMAIL", default="3 per 3600 seconds"
)
RATE_LIMIT_EVENTS = env.str("RATE_LIMIT_EVENTS", default="120 per 60 seconds")
RATE_LIMIT_TOKEN = env.str("RATE_LIMIT_TOKEN", default="10 per 60 seconds")
# Failed sign-ins from one address, whatever the usernames (a shared office NAT stays far
# below it); one username from one address locks after AXES_FAILURE_LIMIT.
RATE_LIMIT_SIGNIN_ADDRESS = env.str("RATE_LIMIT_SIGNIN_ADDRESS", default="50 per 900 seconds")
# Socket messages per connection and type.
RATE_LIMIT_SOCKET_SNAPSHOT = env.str("RATE_LIMIT_SOCKET_SNAPSHOT", default="10 per 60 seconds")
RATE_LIMIT_SOCKET_HEARTBEAT = env.str("RATE_LIMIT_SOCKET_HEARTBEAT", default="5 per 5 seconds")
# Messages, warnings and raised hands per socket (live proctoring).
RATE_LIMIT_SOCKET_MESSAGE = env.str("RATE_LIMIT_SOCKET_MESSAGE", default="20 per 60 seconds")
RATE_LIMIT_SOCKET_SIGNAL = env.str("RATE_LIMIT_SOCKET_SIGNAL", default="200 per 10 seconds")

# Proxies whose X-Forwarded-For is believed (CIDRs, comma-separated): behind a load balancer,
# its addresses. Empty (the default): no forwarded header is believed, not even from loopback,
# and every limit and the lockout key on the peer's own address. Passed to uvicorn as
# --forwarded-allow-ips (bin/run, tests/processes.py, bench/_harness.py) and read by
# common.http.client_ip, which django-axes uses too.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _cidr in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_cidr.strip(), strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_cidr!r} is not an address or CIDR."
        ) from None
AXES_CLIENT_IP_CALLABLE = "common.http.client_ip"

AXES_ENABLED = RATE_LIMIT_ENABLED
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(seconds=env.int("AXES_COOLOFF_SECONDS", default=900))
# Never the username alone: anyone could then lock a candidate out mid-interview.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Sessions and tokens ----------------------------------------------------------------------
API_TOKEN_TTL = env.int("API_TOKEN_TTL", default=7 * 24 * 3600)
# How long one process may remember a verified API token (0: look it up on every request).
# On only in the one-process embedded mode, where dropping it on revocation, deactivation or
# any change of the user is exact; SQLite opening a connection per request is what it saves.
API_TOKEN_CACHE_SECONDS = env.float("API_TOKEN_CACHE_SECONDS", default=0 if REDIS_URL else 10)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=8 * 3600)
# An open socket checks its sign-in (active, same rights, session neither ended, expired nor
# idle) at least this often, besides before every privileged message.
SOCKET_SESSION_CHECK_SECONDS = env.float("SOCKET_SESSION_CHECK_SECONDS", default=60.0)

# A password-reset link works once and for this many seconds.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 3600)
