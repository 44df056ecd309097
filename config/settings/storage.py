"""Image storage: S3 (django-storages) when AWS_S3_BUCKET_NAME is set, else local files served
only through signed, expiring links; time-outs and the circuit breaker of the S3 client."""

from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig

from .base import BASE_DIR, DEBUG, env

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
# Two attempts of (connect + read) answer an upload within 10 s when S3 hangs; a healthy S3
# answers a capture's PUT in well under a second.
AWS_S3_READ_TIMEOUT = env.float("AWS_S3_READ_TIMEOUT", default=3.0)
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
            # django-storages ignores addressing_style and signature_version once a
            # client_config is given: they are set here too (else presigned URLs are SigV2).
            "client_config": BotoConfig(
                signature_version="s3v4",
                s3={"addressing_style": "path" if AWS_ENDPOINT_URL_S3 else None},
                connect_timeout=AWS_S3_CONNECT_TIMEOUT,
                read_timeout=AWS_S3_READ_TIMEOUT,
                # total: the first attempt and one retry (botocore's "max_attempts" would
                # count retries only: three attempts, 18 s on a hung store).
                retries={"total_max_attempts": 2, "mode": "standard"},
                # No CRC32 pass over each capture where S3 does not require one: the payload is
                # signed (SigV4) on plain HTTP and protected by TLS on HTTPS (issue 40).
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
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
