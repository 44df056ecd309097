"""The frame of the project: debug and the secret key, apps and middleware, the database,
authentication, static files, the REST framework and OpenAPI, e-mail, logging.

Secure by default: with no environment at all, DEBUG is off and a SECRET_KEY is required."""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]

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
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "common",
    "accounts",
    "applications",
    "cameras",
    "monitoring",
    "integrations",
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
    # The candidate's language: the switcher's cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "accounts.mfa.middleware.SecondFactorMiddleware",
    "allauth.account.middleware.AccountMiddleware",
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
                "django.template.context_processors.i18n",
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
DATABASE_POOL_MAX = env.int("DATABASE_POOL_MAX", default=20)
# Under ASGI, synchronous views run in threads: kept and reused request after request (Django's
# handler would start a new one per request — on the event loop), up to one per connection a
# request can hold. Sockets' database work has a small pool of its own (common.sockets).
ASGI_SYNC_THREADS = env.int("ASGI_SYNC_THREADS", default=DATABASE_POOL_MAX)
SOCKET_DB_THREADS = env.int("SOCKET_DB_THREADS", default=4)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_POOL", default=True
):
    # Under ASGI a persistent connection per thread leaks (CONN_MAX_AGE must stay 0); a
    # psycopg pool gives each request a warm connection instead of a new one.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": DATABASE_POOL_MAX,
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
# The candidate-facing pages, the notice, the messages and the e-mails to candidates come in
# these languages (README, "Languages"): chosen by the switcher's cookie, else by the
# browser's Accept-Language, else English. Reviewer pages may stay English.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "invigil_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
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

# --- Email ----------------------------------------------------------------------------------
# With DEBUG off an e-mail backend must be chosen: a default console would write invitation
# links (they set a password) into the logs. The console, chosen explicitly, leaves such links
# out of what it writes unless DEBUG is on (common.mail).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="")
if not EMAIL_BACKEND:
    if not DEBUG:
        raise ImproperlyConfigured(
            "EMAIL_BACKEND is not set. Set it to django.core.mail.backends.smtp.EmailBackend "
            "(with EMAIL_HOST and friends), or choose the console explicitly with "
            "EMAIL_BACKEND=common.mail.ConsoleEmailBackend (links that sign in are left out "
            "of the log)."
        )
    EMAIL_BACKEND = "common.mail.ConsoleEmailBackend"
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
    "DEFAULT_SCHEMA_CLASS": "config.openapi.InvigilAutoSchema",  # + each operation's errors
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Invigil API",
    "DESCRIPTION": """Interview monitoring: camera presence, monitoring images, consent, events.

**Sign-in**: `Authorization: Token …` from `POST /api/auth/token/`, or the browser session
(unsafe methods then need the CSRF token in `X-CSRFToken`).

**Errors** have one shape, `Error`: `{"success": false, "message", "code"}`. Each operation
lists every error status it can answer and, for each, the `code`s it can carry. Beyond those,
any path under `/api/` may answer `bad_request` (400: refused before routing, e.g. a `Host`
not served here), `not_found` (404: a path not listed here), `method_not_allowed` (405: a
method the path does not list) and `server_error` (500: with an `error_id` to quote).

**Versions**: fields, endpoints, error codes and listed values may be added without notice;
anything else changes only in a new version, and what is going away is marked `deprecated`
first (README, "API contract"). The WebSockets are described at `/api/asyncapi/` (AsyncAPI
3.0).""",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are JSON (DESIGN.md); uploads document multipart beside it themselves.
    # The form parsers stay for the browsable API, which posts forms.
    "PARSER_WHITELIST": ["common.parsers.BoundedJSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.open_response_enums",  # values that may grow are listed, not enums
    ],
    "ENUM_NAME_OVERRIDES": {"EventTypeEnum": "monitoring.models.MonitoringEvent.Type"},
    # Swagger UI from the installed sidecar package, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}


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
