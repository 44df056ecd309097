"""Image storage that the rest of the code cannot tell apart: S3 or local files.

`default_storage.url(key)` is always a signed link that expires after SIGNED_URL_EXPIRES
seconds: a presigned S3 URL (django-storages, `querystring_expire`) or, for local files, a
link to `signed_file_view` carrying a Django signature over the key.
"""

import threading
import uuid
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from storages.backends.s3 import S3Storage

SIGNING_SALT = "invigil.monitoring.signed-file"
KEY_PREFIX = "monitoring"


def storage_key(*, application_id: int, image_type: str, captured_at: datetime) -> str:
    """`monitoring/{application}/{camera|screen}/{epoch ms}-{uuid4}.jpg` (DESIGN.md)."""
    epoch_ms = int(captured_at.timestamp() * 1000)
    return f"{KEY_PREFIX}/{application_id}/{image_type}/{epoch_ms}-{uuid.uuid4()}.jpg"


class SignedLocalStorage(FileSystemStorage):
    """Local files, never served by path: only through a signed, expiring link."""

    def url(self, name: str) -> str:
        token = signing.dumps(name, salt=SIGNING_SALT, compress=True)
        return reverse("signed-file", kwargs={"token": token})


def key_from_signed_token(token: str) -> str:
    """The storage key a link names; raises signing.BadSignature (incl. expired) otherwise."""
    return signing.loads(token, salt=SIGNING_SALT, max_age=settings.SIGNED_URL_EXPIRES)


class S3ImageStorage(S3Storage):
    """django-storages' S3Storage with one boto3 connection per process.

    S3Storage keeps its boto3 session in a thread-local; under ASGI, Django runs every
    request's sync code in a fresh thread, so each upload built a new boto3 session (100–250
    ms, measured in bench/ingest.py). Here the process shares one resource, created once
    under a lock. The storage only makes per-call objects from it (`bucket.Object(key)`) and
    uses the client, which boto3 documents as thread-safe.
    """

    _shared_lock = threading.Lock()
    _shared: dict = {}

    @property
    def connection(self):
        key = (self.access_key, self.endpoint_url, self.region_name, self.bucket_name)
        resource = self._shared.get(key)
        if resource is None:
            with self._shared_lock:
                resource = self._shared.get(key)
                if resource is None:
                    resource = self._create_session().resource(
                        "s3",
                        region_name=self.region_name,
                        use_ssl=self.use_ssl,
                        endpoint_url=self.endpoint_url,
                        config=self.client_config,
                        verify=self.verify,
                    )
                    self._shared[key] = resource
        return resource
