"""Test settings: config.settings with what a test run needs changed, each said where it is.

Speed: the MD5 password hasher, static files from the source folders, no connection pool.
Behaviour a test switches back on where it tests it: rate limits and the lockout off, Celery
eager and no embedded runner, HTTP heartbeats written at once, mail kept in memory, DEBUG off
with a fixed key, media (TEST_MEDIA_ROOT) and the SQLite test database under var/.
"""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789-abcdefghij")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
# The suite drives the app from one address at machine speed: limits are off unless a test
# switches them on (tests/accounts/test_limits.py and friends do).
os.environ.setdefault("RATE_LIMIT_ENABLED", "false")
# Tests keep Celery's eager mode; a test that needs the embedded runner starts a server with it.
os.environ.setdefault("EMBEDDED_RUNNER", "false")
# Tests read heartbeats from the database right after sending them (one test switches it on).
os.environ.setdefault("CAMERA_HTTP_HEARTBEAT_BATCH", "false")
# Mail stays in memory (django.core.mail.outbox); a server process of the fault suite writes
# it to files instead (EMAIL_BACKEND set in its environment).
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# The fault tests ask readiness right after causing or ending a fault: no remembered answer
# (tests/config/test_readiness.py switches it on).
os.environ.setdefault("HEALTH_CACHE_SECONDS", "0")

from .settings import *  # noqa: F403
from .settings import BASE_DIR

(BASE_DIR / "var").mkdir(exist_ok=True)
STATIC_ROOT = BASE_DIR / "var" / "static-root"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True  # the browser tests' server serves static files without collectstatic
WHITENOISE_AUTOREFRESH = True
# Tests that need a real worker start one and say so; the fault suite's servers send to one.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("TEST_CELERY_EAGER", "true") == "true"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Its own folder per concurrent run: bin/test runs the browser tests beside the main run.
MEDIA_ROOT = Path(os.environ.get("TEST_MEDIA_ROOT", BASE_DIR / "var" / "test-media"))
if STORAGES["default"]["BACKEND"].endswith("SignedLocalStorage"):  # noqa: F405
    STORAGES["default"]["OPTIONS"]["location"] = str(MEDIA_ROOT)  # noqa: F405
# The psycopg pool keeps connections across the test-database flushes of transactional tests
# run from many threads (channels' database_sync_to_async) and can block them; tests use
# plain connections. The pool is exercised by the benchmarks and production settings.
if os.environ.get("TEST_DATABASE_POOL") != "true":  # the fault suite's servers keep it
    DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
