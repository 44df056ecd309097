"""Invigil settings: a package by concern, every value read from the environment once.

Secure by default: with no environment at all, DEBUG is off and a SECRET_KEY is required.
The embedded defaults (SQLite, in-memory channel layer, the embedded runner, local storage)
switch to PostgreSQL, channels-redis, a Redis broker and S3 when DATABASE_URL, REDIS_URL and
AWS_S3_BUCKET_NAME are set. README.md, "Configuration", lists every variable (a test holds
it to that).

    base      debug, secret key, apps, middleware, database, auth, static, API, e-mail, logs
    storage   S3 or local files, the S3 client's time-outs and breaker
    realtime  Redis, the channel layer, camera presence, live video
    record    captures, analysis, integrity
    privacy   the notice, retention, erasure, the audit's age
    limits    bodies, messages, costly endpoints, rate limits, lockout, proxies, sessions
    tasks     Celery or the embedded runner, the outbox, every periodic sweep (once)
    security  HTTPS, cookies, CSP, Permissions-Policy, CORS
    integrations  outbound webhooks: who may be called, retries, disabling
    signin    single sign-on (OpenID Connect per organization) and the second factor
"""

from .base import *  # noqa: F403
from .integrations import *  # noqa: F403
from .limits import *  # noqa: F403
from .privacy import *  # noqa: F403
from .realtime import *  # noqa: F403
from .record import *  # noqa: F403
from .security import *  # noqa: F403
from .signin import *  # noqa: F403
from .storage import *  # noqa: F403
from .tasks import *  # noqa: F403
