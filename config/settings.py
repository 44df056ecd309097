"""Invigil settings: one module, every value read from the environment.

Secure by default: with no environment at all, DEBUG is off and a SECRET_KEY is required.
The embedded defaults (SQLite, in-memory channel layer, eager Celery, local storage) switch to
PostgreSQL, channels-redis, a Redis broker and S3 when DATABASE_URL, REDIS_URL and
AWS_S3_BUCKET_NAME are set. See README.md, "Configuration", for every variable.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("INVIGIL_READ_DOT_ENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

_INSECURE_DEV_KEY = "django-insecure-invigil-local-development-key-never-use-in-production-0123"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "csp",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "common",
    "accounts",
    "applications",
    "cameras",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # answers API preflights before anything else
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "config.middleware.ThirdPartyPageCspMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.BodySizeLimitMiddleware",
    "config.middleware.ErrorIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it answers for a locked-out sign-in
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A live-server test's server thread must find the same test database as the test itself.
DATABASES["default"]["TEST"] = {
    "NAME": env.str("TEST_DATABASE_NAME", default="test_invigil")
    if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
    else env.str("TEST_DATABASE_NAME", default=str(BASE_DIR / "var" / "test_invigil.sqlite3")),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_POOL", default=True
):
    # Under ASGI a persistent connection per thread leaks (CONN_MAX_AGE must stay 0); a
    # psycopg pool gives each request a warm connection instead of a new one.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=20),
        # A request waits this long for a free connection, then answers 503 server_busy.
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded mode under load: readers never wait for the writer (WAL), a transaction
    # takes the write lock when it begins (IMMEDIATE: no "database is locked" when a read
    # transaction would upgrade), and a busy writer is waited for, not failed (timeout).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
INVITATION_MAX_AGE = env.int("INVITATION_MAX_AGE", default=7 * 24 * 3600)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The local demo (DEBUG) serves static files straight from the source folders; production
# runs collectstatic and serves the hashed, compressed copies (WhiteNoise).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Files served at the site's root (favicon.ico: browsers and the admin ask for it there).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Local media is never served by URL: only through the signed, expiring image view.
MEDIA_URL = "/media-not-served/"

AWS_S3_BUCKET_NAME = env.str("AWS_S3_BUCKET_NAME", default="")
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="")
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="")
AWS_REGION = env.str("AWS_REGION", default="us-east-1")
AWS_ENDPOINT_URL_S3 = env.str("AWS_ENDPOINT_URL_S3", default="")
SIGNED_URL_EXPIRES = env.int("SIGNED_URL_EXPIRES", default=3600)
AWS_S3_CONNECT_TIMEOUT = env.float("AWS_S3_CONNECT_TIMEOUT", default=2.0)
AWS_S3_READ_TIMEOUT = env.float("AWS_S3_READ_TIMEOUT", default=5.0)
# After this many consecutive storage failures, uploads answer 503 at once for this long
# (monitoring.images.storage): waiting uploads cannot pile up behind a dead store.
STORAGE_BREAKER_FAILURES = env.int("STORAGE_BREAKER_FAILURES", default=5)
STORAGE_BREAKER_SECONDS = env.float("STORAGE_BREAKER_SECONDS", default=10.0)

if AWS_S3_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "monitoring.images.storage.S3ImageStorage",
        "OPTIONS": {
            "bucket_name": AWS_S3_BUCKET_NAME,
            "access_key": AWS_ACCESS_KEY_ID or None,
            "secret_key": AWS_SECRET_ACCESS_KEY or None,
            "region_name": AWS_REGION,
            "endpoint_url": AWS_ENDPOINT_URL_S3 or None,
            "addressing_style": "path" if AWS_ENDPOINT_URL_S3 else None,
            "signature_version": "s3v4",
            "object_parameters": {"ServerSideEncryption": "AES256"},
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": SIGNED_URL_EXPIRES,
            # Keys carry a random UUID4, so they never collide: skip the existence check (a
            # HEAD per upload), and PUT small images in the request thread (no thread pool).
            "file_overwrite": True,
            "transfer_config": TransferConfig(use_threads=False),
            # Fail fast when S3 is unreachable or hangs: the upload answers 503 and the page
            # retries (two attempts in all: one retry).
            "client_config": BotoConfig(
                connect_timeout=AWS_S3_CONNECT_TIMEOUT,
                read_timeout=AWS_S3_READ_TIMEOUT,
                # total: the first attempt and one retry (botocore's "max_attempts" would
                # count retries only: three attempts, 18 s on a hung store).
                retries={"total_max_attempts": 2, "mode": "standard"},
            ),
        },
    }
else:
    _default_storage = {
        # Local files reachable only through signed, expiring links (monitoring.images.storage).
        "BACKEND": "monitoring.images.storage.SignedLocalStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# --- Redis: channel layer, Celery, presence ------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # "core": channels_redis's list-based layer — group_send pushes one copy per member
    # channel. "pubsub": its publish/subscribe layer — one message per group, each ASGI
    # process delivers it to its own sockets (bench/presence.py measures both).
    CHANNEL_LAYER = env.str("CHANNEL_LAYER", default="core")
    # redis-py 8 times out socket reads after 5 s, exactly channels_redis's blocking-receive
    # window: an idle board would die. Give reads more room.
    _LAYER_HOSTS = [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5}]
    if CHANNEL_LAYER == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": _LAYER_HOSTS},
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": _LAYER_HOSTS, "capacity": 1000, "expiry": 30},
            }
        }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"  # a host: kombu warns without one
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# Every task takes seconds: a task a dead worker held comes back after a minute, not an hour
# (acks_late + reject on worker lost); time limits stop one that hangs.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60),
    # Look for messages a dead worker held every 5 s (kombu's default: every ~100 s).
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
    "socket_timeout": 5,
    "socket_connect_timeout": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
# A worker whose broker went away reconnects for as long as it takes (a web process's send
# fails at once: CELERY_TASK_PUBLISH_RETRY below, and common.pipeline's breaker).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Tasks running when the broker went away cannot be acknowledged: cancel them, they are
# delivered again (every task is idempotent; Celery 6's default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30)
CELERY_TASK_PUBLISH_RETRY = False  # a broker that is down fails the send at once (logged)
CELERY_TIMEZONE = "UTC"
# The embedded mode (no REDIS_URL): one in-process runner thread runs queued tasks off the
# request path and every periodic sweep on its schedule (common.runner; config.asgi starts it).
EMBEDDED_RUNNER = env.bool("EMBEDDED_RUNNER", default=not REDIS_URL)

# --- Product settings -----------------------------------------------------------------------
CAMERA_STREAM_TIMEOUT = env.int("CAMERA_STREAM_TIMEOUT", default=30)
CAMERA_HEARTBEAT_SECONDS = env.float("CAMERA_HEARTBEAT_SECONDS", default=10.0)
CAMERA_HEARTBEAT_FLUSH_SECONDS = env.float("CAMERA_HEARTBEAT_FLUSH_SECONDS", default=1.0)
# Beat sweeps every 5 s; the embedded runner (no beat) every second.
CAMERA_SWEEP_INTERVAL = env.float("CAMERA_SWEEP_INTERVAL", default=5.0 if REDIS_URL else 1.0)
CAMERA_BOARD_COALESCE_SECONDS = env.float("CAMERA_BOARD_COALESCE_SECONDS", default=5.0)
# HTTP heartbeats of a stream this process found live are batched like the socket's.
CAMERA_HTTP_HEARTBEAT_BATCH = env.bool("CAMERA_HTTP_HEARTBEAT_BATCH", default=True)

CELERY_BEAT_SCHEDULE = {
    "camera-sweep-stale-streams": {
        "task": "cameras.sweep_stale_streams",
        "schedule": CAMERA_SWEEP_INTERVAL,
    },
    "monitoring-sweep-orphan-objects": {
        "task": "monitoring.sweep_orphan_objects",
        "schedule": 3600.0,
    },
    "monitoring-reconcile-analyses": {
        "task": "monitoring.reconcile_analyses",
        "schedule": env.float("ANALYSIS_RECONCILE_SECONDS", default=30.0),
    },
    "monitoring-retention-sweep": {
        "task": "monitoring.retention_sweep",
        "schedule": env.float("RETENTION_SWEEP_SECONDS", default=24 * 3600.0),
    },
    "monitoring-erasure-resume": {
        "task": "monitoring.erasure_resume",
        "schedule": env.float("ERASURE_RESUME_SECONDS", default=60.0),
    },
    "common-outbox-sweep": {
        "task": "common.outbox_sweep",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=10.0),
    },
}
# The outbox (common.pipeline): a message not delivered this long after it was written is sent
# again by the sweep; a delivery holds it this long before another may try.
OUTBOX_RESEND_AFTER = env.int("OUTBOX_RESEND_AFTER", default=20)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=120)
# Seconds to wait before each further attempt of an e-mail that failed; then it is given up.
EMAIL_RETRY_SCHEDULE = [
    int(s) for s in env.list("EMAIL_RETRY_SCHEDULE", default=["60", "300", "1800", "7200"])
]
# A capture still without its analysis this long after it was stored is queued again
# (the broker was down, or the worker died): monitoring.reconcile_analyses.
ANALYSIS_RETRY_AFTER = env.int("ANALYSIS_RETRY_AFTER", default=120)
MONITORING_TIMELINE_PAGE_SIZE = env.int("MONITORING_TIMELINE_PAGE_SIZE", default=60)
# 2026-11-live: the notice says reviewers may watch the camera live (and that you see who).
MONITORING_NOTICE_VERSION = env.str("MONITORING_NOTICE_VERSION", default="2026-11-live")
MONITORING_RETENTION_DAYS = env.int("MONITORING_RETENTION_DAYS", default=90)
# Privacy (README "Privacy"): retention runs daily in batches; an erasure works in short steps
# that resume after a crash; receipts and audit entries are kept 24 months.
RETENTION_SWEEP_BATCH = env.int("RETENTION_SWEEP_BATCH", default=100)
ERASURE_BATCH = env.int("ERASURE_BATCH", default=500)
ERASURE_TASK_SECONDS = env.float("ERASURE_TASK_SECONDS", default=10.0)
ERASURE_REQUEST_SECONDS = env.float("ERASURE_REQUEST_SECONDS", default=20.0)
ERASURE_RESUME_SECONDS = env.float("ERASURE_RESUME_SECONDS", default=60.0)
ERASURE_RECEIPT_DAYS = env.int("ERASURE_RECEIPT_DAYS", default=730)
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=730)
MONITORING_MAX_SIDE = 4096
MONITORING_MAX_PIXELS = 16_777_216
MONITORING_JPEG_QUALITY = 80
MONITORING_ORPHAN_MIN_AGE = env.int("MONITORING_ORPHAN_MIN_AGE", default=3600)
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
RATE_LIMIT_EVENTS = env.str("RATE_LIMIT_EVENTS", default="120 per 60 seconds")
RATE_LIMIT_TOKEN = env.str("RATE_LIMIT_TOKEN", default="10 per 60 seconds")
# Failed sign-ins from one address, whatever the usernames (a shared office NAT stays far
# below it); one username from one address locks after AXES_FAILURE_LIMIT.
RATE_LIMIT_SIGNIN_ADDRESS = env.str("RATE_LIMIT_SIGNIN_ADDRESS", default="50 per 900 seconds")
# Socket messages per connection and type.
RATE_LIMIT_SOCKET_SNAPSHOT = env.str("RATE_LIMIT_SOCKET_SNAPSHOT", default="10 per 60 seconds")
RATE_LIMIT_SOCKET_HEARTBEAT = env.str("RATE_LIMIT_SOCKET_HEARTBEAT", default="5 per 5 seconds")
RATE_LIMIT_SOCKET_SIGNAL = env.str("RATE_LIMIT_SOCKET_SIGNAL", default="200 per 10 seconds")

# --- Watch live (cameras.watch): peer-to-peer video, signalled over our sockets -------------
LIVE_VIEWERS_MAX = env.int("LIVE_VIEWERS_MAX", default=3)  # reviewers at once per candidate
# RTCPeerConnection's iceServers, e.g. [{"urls": "turn:turn.example.com:3478", "username": "u",
# "credential": "p"}]. Empty: host candidates only (one network, loopback).
WEBRTC_ICE_SERVERS = env.json("WEBRTC_ICE_SERVERS", default=[])

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

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Invigil <no-reply@invigil.local>")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
# Links in e-mails point where `bin/run` serves (INVIGIL_ADDR) unless SITE_URL says otherwise.
_ADDR = env.str("INVIGIL_ADDR", default="") or "127.0.0.1:8000"
_ADDR_HOST, _, _ADDR_PORT = _ADDR.rpartition(":")
if _ADDR_HOST in ("", "0.0.0.0", "::", "[::]"):  # noqa: S104 — listening everywhere: this machine
    _ADDR_HOST = "127.0.0.1"
SITE_URL = env.str("SITE_URL", default=f"http://{_ADDR_HOST}:{_ADDR_PORT}").rstrip("/")
# bin/run refuses an INVIGIL_ADDR off loopback while demo users keep their demo passwords
# (applications' demo_network_check), unless this says the risk is accepted.
DEMO_ON_NETWORK = env.bool("INVIGIL_DEMO_ON_NETWORK", default=False)

# --- REST framework and OpenAPI -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then answers 401 (with WWW-Authenticate).
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Invigil API",
    "DESCRIPTION": "Interview monitoring: camera presence, monitoring images, consent, events.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# A form without its CSRF token gets the product's 403 page in every mode (JSON under /api/).
CSRF_FAILURE_VIEW = "config.exceptions.csrf_failure"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): our pages load scripts and styles only from this site,
# as static files (no inline script, no style attribute); images (and the images client's
# fetches) also from the storage origin (presigned S3 URLs); data: images (canvas captures,
# Swagger UI's icons).
if AWS_S3_BUCKET_NAME and AWS_ENDPOINT_URL_S3:
    _storage_origins = [AWS_ENDPOINT_URL_S3.rstrip("/")]
elif AWS_S3_BUCKET_NAME:
    _storage_origins = [
        f"https://{AWS_S3_BUCKET_NAME}.s3.{AWS_REGION}.amazonaws.com",
        f"https://s3.{AWS_REGION}.amazonaws.com",
    ]
else:
    _storage_origins = []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'none'"],
        "img-src": ["'self'", "data:", *_storage_origins],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'", *_storage_origins],  # the images client may fetch them
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy: the interview page may use the camera and share the screen; nothing may
# use the microphone; the rest of the powerful features are off.
PERMISSIONS_POLICY = {
    "camera": ["self"],
    "display-capture": ["self"],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}

# CORS (django-cors-headers) for a separate front end: API paths only, no cookies (external
# clients use tokens). Empty by default: no other origin may call the API from a browser.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A 4xx is one line without a traceback; only server errors log ERROR with one.
    "filters": {"client_errors": {"()": "config.logfilters.ClientErrorsWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client_errors"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # One line per request: uvicorn's access log. Django's own console handler (DEBUG) and
    # its 4xx warnings would repeat it; server errors still log with their traceback.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Frame analysis (monitoring.analysis); every threshold documented in README.md -----------
ANALYSIS_DETECTOR = env.str("ANALYSIS_DETECTOR", default="")  # "" = best installed
ANALYSIS_DETECT_WIDTH = env.int("ANALYSIS_DETECT_WIDTH", default=256)  # 9/9 on the fixtures
ANALYSIS_FACE_CONFIDENCE = env.float("ANALYSIS_FACE_CONFIDENCE", default=0.7)
ANALYSIS_COVERED_MEAN = env.float("ANALYSIS_COVERED_MEAN", default=20.0)
ANALYSIS_COVERED_STD = env.float("ANALYSIS_COVERED_STD", default=5.0)
ANALYSIS_FROZEN_MEAN_DIFF = env.float("ANALYSIS_FROZEN_MEAN_DIFF", default=1.5)
ANALYSIS_FROZEN_DHASH = env.int("ANALYSIS_FROZEN_DHASH", default=2)
ANALYSIS_SCREEN_PIXEL_DIFF = env.int("ANALYSIS_SCREEN_PIXEL_DIFF", default=25)

# --- Integrity incidents and score (monitoring.integrity); per organization in the admin ----
INTEGRITY_WEIGHTS = {  # points per started minute of each incident
    "multiple_faces": 10,
    "camera_covered": 8,
    "camera_off": 8,
    "screen_share_stopped": 8,
    "frozen_frame": 6,
    "no_face": 5,
    "tab_hidden": 4,
    "snapshot_gap": 3,
    "window_blur": 2,
    "late_upload": 1,
}
# A capture received more than 2× its interval + this many seconds after it was taken is late
# (shown as such; it cannot close a snapshot gap); a page event, after this many seconds.
MONITORING_LATE_SLACK = env.int("MONITORING_LATE_SLACK", default=30)
# A capture or event dated ahead of the server by more than this is recorded at its receive
# time (clock_adjusted); more than 5 minutes ahead is refused.
MONITORING_CLOCK_TOLERANCE_SECONDS = env.int("MONITORING_CLOCK_TOLERANCE_SECONDS", default=5)
INTEGRITY_GAP_SWEEP_SECONDS = env.float("INTEGRITY_GAP_SWEEP_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE["monitoring-sweep-snapshot-gaps"] = {
    "task": "monitoring.sweep_snapshot_gaps",
    "schedule": INTEGRITY_GAP_SWEEP_SECONDS,
}
